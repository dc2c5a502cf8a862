/**
 * Event handlers shared by every session (module-level functions, `this` = the socket). The message
 * handlers are the hot path: count, forward, and look at a text frame only until the hello exchange is
 * seen — a substring test before any JSON.parse; binary frames are never inspected.
 */
import type WebSocket from 'ws';
import { diagnosisOf, diagnosisReason } from '../diagnosis.ts';
import type { Session } from './session.ts';

export const kSession = Symbol('xiaozhi.session');
export type Leg = WebSocket & { [kSession]?: Session };

const HELLO = Buffer.from('"hello"');
/** Hello messages are small; anything bigger is not inspected. */
const MAX_INSPECT_BYTES = 16 * 1024;

function helloType(data: Buffer): Record<string, unknown> | null {
  if (data.length > MAX_INSPECT_BYTES || data.indexOf(HELLO) < 0) return null;
  try {
    const v: unknown = JSON.parse(data.toString('utf8'));
    if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'hello') return v as Record<string, unknown>;
  } catch {
    // not JSON: the server decides what to do with it; we only relay
  }
  return null;
}

/**
 * Count one browser → server message and watch for the client hello (framed and splice mode alike).
 * `text` is the whole message of a text frame and null for binary, whose payload is never looked at.
 */
export function noteUp(s: Session, bytes: number, text: Buffer | null): void {
  const hot = s.ctx.hot;
  s.framesUp++;
  s.bytesUp += bytes;
  hot.bytesUp.inc(bytes);
  if (text === null) hot.framesUpBinary.inc();
  else {
    hot.framesUpText.inc();
    if (!s.helloSent && helloType(text) !== null) {
      s.helloSent = true;
      s.clientHelloAt = Date.now();
      s.armHelloTimer();
    }
  }
}

/** Count one server → browser message and watch for the server hello. */
export function noteDown(s: Session, bytes: number, text: Buffer | null): void {
  const hot = s.ctx.hot;
  s.framesDown++;
  s.bytesDown += bytes;
  hot.bytesDown.inc(bytes);
  if (text === null) hot.framesDownBinary.inc();
  else {
    hot.framesDownText.inc();
    if (!s.helloAnswered) {
      const hello = helloType(text);
      if (hello !== null) {
        s.helloAnswered = true;
        s.serverHelloAt = Date.now();
        s.clearHelloTimer();
        s.sessionIdSeen = typeof hello.session_id === 'string' && hello.session_id !== '';
        if (s.clientHelloAt) s.ctx.metrics.helloRoundTripSeconds.observe((s.serverHelloAt - s.clientHelloAt) / 1000);
      }
    }
  }
}

function onClientMessage(this: Leg, data: Buffer, isBinary: boolean): void {
  const s = this[kSession]!;
  noteUp(s, data.length, isBinary ? null : data);
  s.up.forward(s.ctx, data, isBinary);
}

function onUpstreamMessage(this: Leg, data: Buffer, isBinary: boolean): void {
  const s = this[kSession]!;
  noteDown(s, data.length, isBinary ? null : data);
  s.down.forward(s.ctx, data, isBinary);
}

function onClientClose(this: Leg, code: number, reason: Buffer): void {
  this[kSession]!.clientClosed(code, reason.toString('utf8'));
}

function onUpstreamClose(this: Leg, code: number, reason: Buffer): void {
  this[kSession]!.upstreamClosed(code, reason.toString('utf8'));
}

/** ws error codes raised by the receiver → the close code ws sends for them. */
function receiverCloseCode(err: Error & { code?: string }): number {
  switch (err.code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
      return 1009;
    case 'WS_ERR_INVALID_UTF8':
      return 1007;
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS':
      return 1008;
    default:
      return 1002;
  }
}

function onClientError(this: Leg, err: Error & { code?: string }): void {
  const s = this[kSession]!;
  if (!err.code?.startsWith('WS_ERR_')) return; // socket errors end in 'close' (1006)
  // ws closes the browser leg itself (1009 for >64 KiB, 1007, 1002); record it and close the other leg.
  const code = receiverCloseCode(err);
  if (code === 1009) s.diagnosis ??= diagnosisOf('XZ_FRAME_TOO_LARGE');
  if (!s.clientClose) {
    s.clientClose = { code, reason: err.message.slice(0, 123), by: 'gateway' };
    s.ctx.metrics.closeCodes.inc({ side: 'client', direction: 'sent', code });
  }
  if (s.state === 'open') s.state = 'closing';
  s.closeUpstream(1001, 'client protocol error');
}

function onUpstreamError(this: Leg, err: Error & { code?: string }): void {
  const s = this[kSession]!;
  if (s.state === 'dialing') {
    s.dialError(err);
    return;
  }
  if (!err.code?.startsWith('WS_ERR_')) return; // reset mid-session → 'close' 1006 → 1014 to the browser
  const code = receiverCloseCode(err);
  if (!s.upstreamClose) {
    s.upstreamClose = { code, reason: err.message.slice(0, 123), by: 'gateway' };
    s.ctx.metrics.closeCodes.inc({ side: 'upstream', direction: 'sent', code });
  }
  if (s.state === 'open') s.state = 'closing';
  s.closeClient(1011, diagnosisReason(diagnosisOf('XZ_UPSTREAM_PROTOCOL')));
}

function onUpstreamOpen(this: Leg): void {
  this[kSession]!.upstreamOpened();
}

function onClientPong(this: Leg): void {
  this[kSession]!.clientAwait = 0;
}

function onUpstreamPong(this: Leg): void {
  this[kSession]!.upstreamAwait = 0;
}

export const clientHandlers = {
  message: onClientMessage,
  close: onClientClose,
  error: onClientError,
  pong: onClientPong,
} as const;

export const upstreamHandlers = {
  open: onUpstreamOpen,
  message: onUpstreamMessage,
  close: onUpstreamClose,
  error: onUpstreamError,
  pong: onUpstreamPong,
} as const;
