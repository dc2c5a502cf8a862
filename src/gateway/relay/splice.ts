/**
 * Splice mode: once both legs are open, data frames are relayed as the exact bytes that arrived. A
 * browser's frames are masked client frames and so are the ones a client sends upstream; the server's are
 * unmasked server frames both ways; no extension is negotiated on either leg. So no frame needs
 * unmasking, re-masking, reassembly or re-framing: one read, a walk over the frame headers, one write.
 * That is what nginx does after the 101, and what keeps the gateway's CPU per voice frame low
 * (docs/benchmarks.md has before/after figures).
 *
 * What framed mode guaranteed still holds, because the walk checks every header:
 * - only whole frames are written, so pings, pongs and closes that `ws` sends itself never land inside a
 *   relayed frame;
 * - control frames (ping, pong, close) go to the source leg's own `ws` receiver, so keepalive, autopong and
 *   the closing handshake with its diagnosis work exactly as before;
 * - the protocol rules `ws` enforces (RSV bits, opcodes, masking, control-frame limits, fragment order, the
 *   per-message size cap, the fragment cap, UTF-8 in text) fail the leg with the same code and error that
 *   `ws` would raise, through `ws`'s own error path;
 * - text messages are unmasked (a copy; text is rare) to validate UTF-8 and to watch the hello exchange.
 *
 * Anything unusual (a leg that is no longer OPEN, `ws` internals not as expected) hands the bytes back to
 * `ws`'s receiver, i.e. framed mode. `ws` is pinned to an exact version; test/gateway/relay-splice.test.ts
 * fails if splicing stops engaging.
 */
import { isUtf8 } from 'node:buffer';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import type { Pipe } from './backpressure.ts';
import { MAX_FRAGMENTS } from './context.ts';
import { noteDown, noteUp } from './session-handlers.ts';
import type { Session } from './session.ts';

/** The parts of a `ws` WebSocket splice mode uses (ws 8.x internals, pinned in package.json). */
interface WsInternals {
  _socket?: Duplex & { listeners(e: 'data'): ((...a: unknown[]) => void)[] };
  _receiver?: {
    write(b: Buffer): boolean;
    destroy(err: Error): void;
    createError(ctor: RangeErrorConstructor, message: string, prefix: boolean, status: number, code: string): Error;
    _state: number;
    _bufferedBytes: number;
    _fragmented: number;
  };
}

const kScanner = Symbol('xiaozhi.splice');
type SplicedSocket = Duplex & { [kScanner]?: FrameScanner };

/** The socket and receiver of `ws`, when they are in the state splicing needs (fresh, at a frame boundary). */
function internals(ws: WebSocket): Required<WsInternals> | null {
  const w = ws as unknown as WsInternals;
  const sock = w._socket;
  const r = w._receiver;
  if (!sock || !r || typeof r.write !== 'function' || typeof r.createError !== 'function') return null;
  if (r._state !== 0 || r._bufferedBytes !== 0 || r._fragmented !== 0) return null; // 0 = GET_INFO
  return { _socket: sock, _receiver: r };
}

/**
 * Switch a freshly opened session to splice mode. Returns false (and changes nothing) when either leg is
 * not in the expected state; the session then stays in framed mode.
 */
export function startSplice(s: Session): boolean {
  const client = s.client;
  const upstream = s.upstream;
  if (!client || !upstream || client.readyState !== WebSocket.OPEN || upstream.readyState !== WebSocket.OPEN) return false;
  const c = internals(client);
  const u = internals(upstream);
  if (!c || !u) return false;
  const cData = wsDataListener(c._socket);
  const uData = wsDataListener(u._socket);
  if (!cData || !uData) return false;
  install(c._socket, cData, new FrameScanner(s, s.up, client, c, true, s.ctx.o.maxClientMessageBytes));
  install(u._socket, uData, new FrameScanner(s, s.down, upstream, u, false, s.ctx.o.maxUpstreamMessageBytes));
  s.up.rawDest = u._socket;
  s.down.rawDest = c._socket;
  return true;
}

/** `ws`'s own 'data' listener on its socket (it feeds the receiver); exactly one is expected. */
function wsDataListener(sock: Duplex): ((...a: unknown[]) => void) | null {
  const ls = sock.listeners('data') as ((...a: unknown[]) => void)[];
  return ls.length === 1 && ls[0]!.name === 'socketOnData' ? ls[0]! : null;
}

function install(sock: SplicedSocket, wsListener: (...a: unknown[]) => void, scanner: FrameScanner): void {
  sock[kScanner] = scanner;
  sock.removeListener('data', wsListener);
  sock.on('data', onSplicedData);
}

function onSplicedData(this: SplicedSocket, chunk: Buffer): void {
  this[kScanner]!.push(chunk);
}

/** One direction of a spliced session: walks the frames arriving on `src` and relays them through `pipe`. */
class FrameScanner {
  /** Bytes of an incomplete frame (kept until it is whole, so only whole frames are written). */
  private partial: Buffer[] | null = null;
  private partialBytes = 0;
  /** Bytes needed before the partial frame can be parsed again. */
  private need = 0;
  /** Opcode (1 or 2) of the fragmented message in progress, 0 when none. */
  private msgOpcode = 0;
  private msgBytes = 0;
  private msgFrames = 0;
  /** Unmasked text of a fragmented text message, for UTF-8 validation and the hello watch. */
  private text: Buffer[] | null = null;
  /** Handing bytes back to `ws` (a leg is closing): framed mode from here on. */
  private handedBack = false;
  /** A protocol error or a close frame ended this direction: later bytes are ignored, as `ws` does. */
  private done = false;

  constructor(
    private readonly s: Session,
    private readonly pipe: Pipe,
    private readonly src: WebSocket,
    private readonly ws: Required<WsInternals>,
    /** Browser → server: frames must be masked. Server → browser: they must not be. */
    private readonly fromClient: boolean,
    private readonly maxPayload: number,
  ) {}

  push(chunk: Buffer): void {
    if (this.done) return;
    if (this.handedBack || !this.live()) return this.handBack(chunk);
    let buf = chunk;
    if (this.partial !== null) {
      this.partial.push(chunk);
      this.partialBytes += chunk.length;
      if (this.partialBytes < this.need) return;
      buf = Buffer.concat(this.partial, this.partialBytes);
      this.partial = null;
      this.partialBytes = 0;
    }
    this.scan(buf);
  }

  /** Both legs open: relaying makes sense. */
  private live(): boolean {
    const dest = this.fromClient ? this.s.upstream : this.s.client;
    return this.src.readyState === WebSocket.OPEN && dest !== null && dest.readyState === WebSocket.OPEN;
  }

  /** Framed mode from now on: `ws`'s receiver gets the bytes (closing handshakes, late messages). */
  private handBack(chunk: Buffer): void {
    if (!this.handedBack) {
      this.handedBack = true;
      if (this.partial !== null) {
        this.partial.push(chunk);
        chunk = Buffer.concat(this.partial, this.partialBytes + chunk.length);
        this.partial = null;
      }
    }
    if (!this.ws._receiver.write(chunk)) this.ws._socket.pause(); // as ws's own socketOnData does
  }

  private scan(buf: Buffer): void {
    const len = buf.length;
    this.need = 0;
    let pos = 0;
    let run = 0; // start of the run of data frames not yet written
    while (pos < len) {
      const avail = len - pos;
      if (avail < 2) break;
      const b0 = buf[pos]!;
      const b1 = buf[pos + 1]!;
      let size = b1 & 0x7f;
      let hdr = 2;
      if (size === 126) {
        if (avail < 4) break;
        size = buf.readUInt16BE(pos + 2);
        hdr = 4;
      } else if (size === 127) {
        if (avail < 10) break;
        const hi = buf.readUInt32BE(pos + 2);
        if (hi > 0x1fffff) {
          this.fail('Unsupported WebSocket frame: payload length > 2^53 - 1', false, 1009, 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH');
          break;
        }
        size = hi * 0x100000000 + buf.readUInt32BE(pos + 6);
        hdr = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      if (masked) hdr += 4;
      const opcode = b0 & 0x0f;
      const fin = (b0 & 0x80) !== 0;
      // Refuse a bad header before waiting for its payload (a 2 GB length must not be buffered).
      if (!this.checkHeader(b0, opcode, fin, masked, size)) break;
      const total = hdr + size;
      if (avail < total) {
        this.need = total;
        break;
      }
      if (opcode >= 0x08) {
        // Control frame: `ws` handles it on the source leg (pong, keepalive, closing handshake).
        if (pos > run) this.relay(buf, run, pos);
        this.ws._receiver.write(buf.subarray(pos, pos + total));
        pos += total;
        run = pos;
        if (opcode === 0x08) {
          this.done = true; // `ws` ignores anything after a close frame; so do we
          return;
        }
        continue;
      }
      const kind = opcode === 0 ? this.msgOpcode : opcode;
      let text: Buffer | null = null;
      if (kind === 1) {
        const payload = masked ? unmask(buf, pos + hdr - 4, size) : buf.subarray(pos + hdr, pos + total);
        if (!fin || this.text !== null) {
          (this.text ??= []).push(payload);
          if (fin) {
            text = Buffer.concat(this.text);
            this.text = null;
          }
        } else text = payload;
        if (text !== null && !isUtf8(text)) {
          this.fail('invalid UTF-8 sequence', true, 1007, 'WS_ERR_INVALID_UTF8');
          break;
        }
      }
      if (this.pipe.queue !== null) {
        // Shedding (backpressure step 2): frames are queued one by one so audio can be dropped alone.
        if (pos > run) this.relay(buf, run, pos);
        this.pipe.forwardRaw(this.s.ctx, Buffer.from(buf.subarray(pos, pos + total)), kind === 2 && fin && this.msgOpcode === 0);
        run = pos + total;
      }
      if (fin) {
        const bytes = this.msgBytes + size;
        this.msgOpcode = 0;
        this.msgBytes = 0;
        this.msgFrames = 0;
        if (this.fromClient) noteUp(this.s, bytes, text);
        else noteDown(this.s, bytes, text);
      } else {
        this.msgOpcode = kind;
        this.msgBytes += size;
        this.msgFrames++;
      }
      pos += total;
    }
    // Whole frames before a bad one still go through, as ws delivers the messages it parsed before an error.
    if (pos > run) this.relay(buf, run, pos);
    if (this.done) return;
    if (pos < len) {
      this.partial = [buf.subarray(pos)];
      this.partialBytes = len - pos;
      if (this.need === 0) this.need = this.partialBytes + 1; // the header itself is incomplete
    }
  }

  /** Write buf[from, to) (whole data frames) to the destination. */
  private relay(buf: Buffer, from: number, to: number): void {
    this.pipe.forwardRaw(this.s.ctx, from === 0 && to === buf.length ? buf : buf.subarray(from, to), false);
  }

  /** The checks `ws`'s receiver makes on a frame header, with its codes and messages. */
  private checkHeader(b0: number, opcode: number, fin: boolean, masked: boolean, size: number): boolean {
    if ((b0 & 0x30) !== 0) return this.fail('RSV2 and RSV3 must be clear', true, 1002, 'WS_ERR_UNEXPECTED_RSV_2_3');
    if ((b0 & 0x40) !== 0) return this.fail('RSV1 must be clear', true, 1002, 'WS_ERR_UNEXPECTED_RSV_1');
    if (opcode === 0x00) {
      if (this.msgOpcode === 0) return this.fail('invalid opcode 0', true, 1002, 'WS_ERR_INVALID_OPCODE');
    } else if (opcode === 0x01 || opcode === 0x02) {
      if (this.msgOpcode !== 0) return this.fail(`invalid opcode ${opcode}`, true, 1002, 'WS_ERR_INVALID_OPCODE');
    } else if (opcode >= 0x08 && opcode <= 0x0a) {
      if (!fin) return this.fail('FIN must be set', true, 1002, 'WS_ERR_EXPECTED_FIN');
      if (size > 0x7d || (opcode === 0x08 && size === 1)) {
        return this.fail(`invalid payload length ${size}`, true, 1002, 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH');
      }
    } else {
      return this.fail(`invalid opcode ${opcode}`, true, 1002, 'WS_ERR_INVALID_OPCODE');
    }
    if (this.fromClient && !masked) return this.fail('MASK must be set', true, 1002, 'WS_ERR_EXPECTED_MASK');
    if (!this.fromClient && masked) return this.fail('MASK must be clear', true, 1002, 'WS_ERR_UNEXPECTED_MASK');
    if (opcode < 0x08) {
      if (this.msgBytes + size > this.maxPayload) return this.fail('Max payload size exceeded', false, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
      if (this.msgFrames + 1 > MAX_FRAGMENTS) return this.fail('Too many message fragments', false, 1008, 'WS_ERR_TOO_MANY_BUFFERED_PARTS');
    }
    return true;
  }

  /** Fail the source leg the way `ws` fails it on a protocol error: its error event, then a close frame. */
  private fail(message: string, prefixed: boolean, status: number, code: string): false {
    this.done = true;
    this.partial = null;
    this.text = null;
    const r = this.ws._receiver;
    // createError() stamps ws's private status symbol that its error handler closes with.
    const err = r.createError(RangeError, message, prefixed, status, code);
    r.destroy(err);
    return false;
  }
}

/** Unmasked copy of a masked payload; `keyAt` is the offset of the 4-byte masking key. */
function unmask(buf: Buffer, keyAt: number, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  const k0 = buf[keyAt]!;
  const k1 = buf[keyAt + 1]!;
  const k2 = buf[keyAt + 2]!;
  const k3 = buf[keyAt + 3]!;
  const at = keyAt + 4;
  for (let i = 0; i < size; i++) {
    const m = (i & 3) === 0 ? k0 : (i & 3) === 1 ? k1 : (i & 3) === 2 ? k2 : k3;
    out[i] = buf[at + i]! ^ m;
  }
  return out;
}
