/**
 * A deliberately dumb WebSocket client over raw `net` sockets, for the conformance cases (reliability §2.1):
 * it can send what a real client library refuses to (bad opcodes, RSV bits, invalid UTF-8, bad close codes,
 * interleaved control frames) and reports exactly the frames it gets back.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  payload: Buffer;
}

export interface FrameSpec {
  fin?: boolean;
  /** RSV bits as a 3-bit number (4 = RSV1). */
  rsv?: number;
  opcode: number;
  payload?: Buffer | string;
}

/** Encode one client frame (always masked, as RFC 6455 §5.3 requires of clients). */
export function encodeFrame(spec: FrameSpec): Buffer {
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload) : spec.payload ?? Buffer.alloc(0);
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.alloc(head + 4 + len);
  out[0] = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | (spec.opcode & 0x0f);
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = randomBytes(4);
  mask.copy(out, head);
  for (let i = 0; i < len; i++) out[head + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

/** Close frame payload: code + reason (raw bytes allowed, to send invalid UTF-8). */
export function closePayload(code: number, reason: Buffer | string = ''): Buffer {
  const r = typeof reason === 'string' ? Buffer.from(reason) : reason;
  const b = Buffer.alloc(2 + r.length);
  b.writeUInt16BE(code & 0xffff, 0);
  r.copy(b, 2);
  return b;
}

export interface RawConnection {
  socket: Socket;
  send(...frames: FrameSpec[]): void;
  /** Next frame from the server, or null if the TCP connection ended / the wait timed out. */
  next(timeoutMs?: number): Promise<RawFrame | null>;
  /** Read until a close frame; returns its code (1005 if empty) and reason, or 1006 if TCP ended first. */
  waitClose(timeoutMs?: number): Promise<{ code: number; reason: Buffer; frames: RawFrame[] }>;
  destroy(): void;
}

/** Open a WebSocket to 127.0.0.1:port/path (resolves after the 101). Rejects with the status line otherwise. */
export function rawConnect(port: number, path: string, headers: Record<string, string> = {}, timeoutMs = 5000): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    const key = randomBytes(16).toString('base64');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const frames: RawFrame[] = [];
    const waiters: Array<() => void> = [];
    let ended = false;
    const wake = () => waiters.splice(0).forEach((w) => w());
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('handshake timeout'));
    }, timeoutMs);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      ended = true;
      wake();
      if (!upgraded) {
        clearTimeout(timer);
        reject(new Error(`connection closed before 101: ${buf.toString('latin1').split('\r\n')[0] ?? ''}`));
      }
    });
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        if (!/^HTTP\/1\.1 101/.test(head)) {
          clearTimeout(timer);
          socket.destroy();
          return reject(new Error(head.split('\r\n')[0]));
        }
        upgraded = true;
        clearTimeout(timer);
        resolve(conn);
      }
      // Parse server frames (unmasked).
      for (;;) {
        if (buf.length < 2) break;
        const b1 = buf[1]!;
        let len = b1 & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) break;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) break;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (b1 & 0x80) off += 4;
        if (buf.length < off + len) break;
        const b0 = buf[0]!;
        frames.push({ fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, payload: Buffer.from(buf.subarray(off, off + len)) });
        buf = buf.subarray(off + len);
      }
      wake();
    });
    const next = async (timeoutMs2 = 3000): Promise<RawFrame | null> => {
      const deadline = Date.now() + timeoutMs2;
      while (frames.length === 0) {
        if (ended) return null;
        const left = deadline - Date.now();
        if (left <= 0) return null;
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
      return frames.shift()!;
    };
    const conn: RawConnection = {
      socket,
      send: (...specs) => {
        if (!socket.destroyed) socket.write(Buffer.concat(specs.map(encodeFrame)));
      },
      next,
      waitClose: async (timeoutMs2 = 3000) => {
        const seen: RawFrame[] = [];
        const deadline = Date.now() + timeoutMs2;
        for (;;) {
          const f = await next(Math.max(1, deadline - Date.now()));
          if (!f) return { code: 1006, reason: Buffer.alloc(0), frames: seen };
          if (f.opcode === 0x8) {
            const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
            return { code, reason: f.payload.subarray(2), frames: seen };
          }
          seen.push(f);
        }
      },
      destroy: () => socket.destroy(),
    };
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
        Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') +
        '\r\n',
    );
  });
}
