/**
 * Byte-level WebSocket peers for relay tests that must see exactly what went over the wire: a raw upstream
 * server and a raw client. Both record every byte after the handshake, parse frames (masked or not) and
 * answer pings with pongs like a real peer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface WireFrame {
  fin: boolean;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/** Encode a frame; `mask` true makes a client frame (random key), false a server frame. */
export function frame(opcode: number, payload: Buffer | string, o: { fin?: boolean; mask: boolean }): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const len = p.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.alloc(head + (o.mask ? 4 : 0) + len);
  out[0] = ((o.fin ?? true) ? 0x80 : 0) | opcode;
  const m = o.mask ? 0x80 : 0;
  if (len < 126) out[1] = m | len;
  else if (len < 65536) {
    out[1] = m | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = m | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  if (!o.mask) {
    p.copy(out, head);
    return out;
  }
  const key = randomBytes(4);
  key.copy(out, head);
  for (let i = 0; i < len; i++) out[head + 4 + i] = p[i]! ^ key[i & 3]!;
  return out;
}

/** Parse whole frames from `buf`; returns them and the unparsed rest. */
export function parseFrames(buf: Buffer): { frames: WireFrame[]; rest: Buffer } {
  const frames: WireFrame[] = [];
  let pos = 0;
  for (;;) {
    if (buf.length - pos < 2) break;
    const b0 = buf[pos]!;
    const b1 = buf[pos + 1]!;
    let len = b1 & 0x7f;
    let off = 2;
    if (len === 126) {
      if (buf.length - pos < 4) break;
      len = buf.readUInt16BE(pos + 2);
      off = 4;
    } else if (len === 127) {
      if (buf.length - pos < 10) break;
      len = Number(buf.readBigUInt64BE(pos + 2));
      off = 10;
    }
    const masked = (b1 & 0x80) !== 0;
    const keyAt = pos + off;
    if (masked) off += 4;
    if (buf.length - pos < off + len) break;
    const payload = Buffer.from(buf.subarray(pos + off, pos + off + len));
    if (masked) for (let i = 0; i < len; i++) payload[i]! ^= buf[keyAt + (i & 3)]!;
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, masked, payload });
    pos += off + len;
  }
  return { frames, rest: buf.subarray(pos) };
}

export interface RawPeer {
  socket: Socket;
  /** Every byte received after the handshake, in order. */
  bytes(): Buffer;
  frames(): WireFrame[];
  /** Resolves once `pred(frames)` holds (checked on every arrival), or rejects after `ms`. */
  until(pred: (f: WireFrame[]) => boolean, ms?: number): Promise<WireFrame[]>;
  /** Write raw bytes, optionally in pieces of `piece` bytes, one per event-loop turn. */
  write(b: Buffer, piece?: number): Promise<void>;
}

function peer(socket: Socket, rest: Buffer, isClient: boolean): RawPeer {
  const got: Buffer[] = [];
  let pending = Buffer.alloc(0);
  const frames: WireFrame[] = [];
  const waiters = new Set<() => void>();
  const onBytes = (d: Buffer) => {
    if (d.length === 0) return;
    got.push(d);
    const p = parseFrames(Buffer.concat([pending, d]));
    pending = Buffer.from(p.rest);
    for (const f of p.frames) {
      frames.push(f);
      // Answer pings like a real peer, so the gateway's keepalive sees a live leg.
      if (f.opcode === 0x9 && !socket.destroyed) socket.write(frame(0xa, f.payload, { mask: isClient }));
      // …and complete a closing handshake by echoing the code.
      if (f.opcode === 0x8 && !socket.destroyed) socket.end(frame(0x8, f.payload.subarray(0, 2), { mask: isClient }));
    }
    for (const w of waiters) w();
  };
  socket.on('data', onBytes);
  onBytes(rest);
  return {
    socket,
    bytes: () => Buffer.concat(got),
    frames: () => frames,
    until: (pred, ms = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!pred(frames)) return false;
          waiters.delete(check);
          clearTimeout(t);
          resolve(frames);
          return true;
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; got opcodes ${frames.map((f) => f.opcode).join(',')}`));
        }, ms);
        waiters.add(check);
        check();
      }),
    write: async (b, piece) => {
      if (!piece) {
        socket.write(b);
        return;
      }
      for (let i = 0; i < b.length; i += piece) {
        socket.write(b.subarray(i, i + piece));
        await new Promise((r) => setImmediate(r));
      }
    },
  };
}

/** Collect bytes until the end of an HTTP head; hands over the head's text and the bytes after it. */
function onHttpHead(socket: Socket, done: (head: string, rest: Buffer) => void): void {
  let buf = Buffer.alloc(0);
  const onData = (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    socket.removeListener('data', onData);
    done(buf.subarray(0, end).toString('latin1'), buf.subarray(end + 4));
  };
  socket.on('data', onData);
}

function acceptKey(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

/** A raw WebSocket server: answers any upgrade with 101 and hands each connection over as a RawPeer. */
export async function rawUpstream(): Promise<{ url: string; server: Server; next(): Promise<RawPeer>; close(): Promise<void> }> {
  const queue: RawPeer[] = [];
  const waiters: ((p: RawPeer) => void)[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onHttpHead(socket, (head, rest) => {
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? '';
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
      const p = peer(socket, rest, false);
      const w = waiters.shift();
      if (w) w(p);
      else queue.push(p);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/xiaozhi/v1/`,
    server,
    next: () => new Promise((r) => (queue.length ? r(queue.shift()!) : waiters.push(r))),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A raw WebSocket client: connects to 127.0.0.1:port/path and resolves after the 101. */
export function rawClient(port: number, path: string): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', reject);
    onHttpHead(socket, (head, rest) => {
      const status = head.split('\r\n')[0] ?? '';
      if (!status.includes(' 101 ')) reject(new Error(status));
      else resolve(peer(socket, rest, true));
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}
