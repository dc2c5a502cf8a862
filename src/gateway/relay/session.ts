/**
 * One relayed session: browser leg + upstream leg in one object. Event handlers are shared module-level
 * functions that find their session through a symbol on the socket, so a session allocates no closures
 * for its frames (performance budget: reliability-performance.md §3).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { isSendableCloseCode, mapUpstreamClose, truncateUtf8 } from '../../protocol/close-codes.ts';
import { XZ_ERRORS } from '../../protocol/errors.ts';
import { hashDeviceId, redactUrl } from '../../node/logger.ts';
import {
  catalogueReason, diagnoseUpstreamClose, diagnosisOf, diagnosisReason, isPlaceholderDeviceId,
  isPlaceholderToken, type Diagnosis,
} from '../diagnosis.ts';
import { Pipe } from './backpressure.ts';
import { helloTimedOut } from './session-ends.ts';
import type { RelayContext } from './context.ts';
import type { UpstreamTarget } from './index.ts';
import { clientHandlers, upstreamHandlers, kSession, type Leg } from './session-handlers.ts';
import { startSplice } from './splice.ts';
import { classifyDialError, dialUpstream, type DialFailure } from './upstream-dial.ts';

export interface LegClose {
  code: number;
  reason: string;
  by: 'client' | 'upstream' | 'gateway';
}

const EMPTY = Buffer.alloc(0);
let seq = 0;
const bootId = Date.now().toString(36).slice(-5);

export class Session {
  readonly id = `${bootId}-${(++seq).toString(36)}`;
  state: 'dialing' | 'open' | 'closing' | 'closed' = 'dialing';
  client: WebSocket | null = null;
  upstream: WebSocket | null = null;
  readonly up: Pipe;
  readonly down: Pipe;
  // Facts for logs and diagnosis (never the token itself).
  readonly deviceIdHash: string;
  readonly devicePlaceholder: boolean;
  readonly tokenPlaceholder: boolean;
  readonly via: UpstreamTarget['context']['via'];
  readonly profileName: string | undefined;
  readonly deviceActivated: boolean | undefined;
  readonly upstreamUrl: string;
  readonly startedAt = Date.now();
  upstreamOpenAt = 0;
  clientHelloAt = 0;
  serverHelloAt = 0;
  closedAt = 0;
  helloSent = false;
  helloAnswered = false;
  sessionIdSeen = false;
  /** Set once both legs are open. */
  relayMode: 'splice' | 'framed' | undefined;
  framesUp = 0;
  framesDown = 0;
  bytesUp = 0;
  bytesDown = 0;
  /** Keepalive: pings sent since the last pong, per leg. */
  clientAwait = 0;
  upstreamAwait = 0;
  clientClose: LegClose | undefined;
  upstreamClose: LegClose | undefined;
  diagnosis: Diagnosis | undefined;
  dialFailure: DialFailure | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  /** Runs only between the client hello and the server hello. */
  private helloTimer: NodeJS.Timeout | undefined;
  // Held only while dialing.
  private pending: { req: IncomingMessage; socket: Duplex; head: Buffer } | undefined;

  constructor(readonly ctx: RelayContext, target: UpstreamTarget, req: IncomingMessage, socket: Duplex, head: Buffer) {
    this.up = new Pipe(this, 'up', ctx.hot.droppedUp, ctx.hot.pausesUp);
    this.down = new Pipe(this, 'down', ctx.hot.droppedDown, ctx.hot.pausesDown);
    this.deviceIdHash = hashDeviceId(target.deviceId);
    this.devicePlaceholder = isPlaceholderDeviceId(target.deviceId);
    this.tokenPlaceholder = isPlaceholderToken(target.token);
    this.via = target.context.via;
    this.profileName = target.context.profileName;
    this.deviceActivated = target.context.deviceActivated;
    this.upstreamUrl = target.url;
    this.pending = { req, socket, head };
    socket.on('error', onRawSocketError);
    socket.once('close', this.onRawSocketClose);
    socket.once('end', this.onRawSocketClose); // the HTTP server allows half-open sockets: FIN ≠ close
    // Read while dialing so a browser that leaves is noticed at once (a paused socket never sees FIN);
    // bytes a non-browser client sends early are kept, bounded, and handed to ws in order.
    socket.on('data', this.onEarlyData);
  }

  /** Dial the upstream (call after registering the session: a synchronous failure finishes it at once). */
  start(target: UpstreamTarget): void {
    let up: WebSocket;
    try {
      up = dialUpstream(target, {
        maxPayload: this.ctx.o.maxUpstreamMessageBytes,
        handshakeTimeoutMs: this.ctx.o.upstreamConnectTimeoutMs,
      });
    } catch (err) {
      // Unusable URL or header value: configuration or validation gap upstream of the relay.
      this.ctx.log.error({ evt: 'relay_dial_invalid', sid: this.id, err: (err as Error).message }, 'upstream dial rejected');
      this.failDial({ code: 'XZ_INTERNAL', cause: (err as Error).name });
      return;
    }
    this.upstream = up;
    (up as Leg)[kSession] = this;
    up.on('open', upstreamHandlers.open);
    up.on('error', upstreamHandlers.error);
    up.on('close', upstreamHandlers.close);
    up.on('message', upstreamHandlers.message);
    up.on('pong', upstreamHandlers.pong);
  }

  private readonly onEarlyData = (chunk: Buffer): void => {
    const p = this.pending;
    if (!p) return;
    p.head = p.head.length === 0 ? chunk : Buffer.concat([p.head, chunk]);
    if (p.head.length > this.ctx.o.earlyBytes) this.earlyOverflow();
  };

  /** More than the early-queue bound arrived before the upstream opened: close 1013 (§2.2). */
  private earlyOverflow(): void {
    if (this.state !== 'dialing' || !this.pending) return;
    this.state = 'closing';
    this.diagnosis = diagnosisOf('XZ_OVERLOADED');
    this.upstreamClose = { code: 1006, reason: 'early queue overflow', by: 'gateway' };
    this.upstream?.terminate();
    this.pending.head = EMPTY;
    if (this.acceptClient()) this.closeClient(1013, catalogueReason('XZ_OVERLOADED', 'early frames'));
    this.maybeFinish();
  }

  /** The browser's raw socket went away while we were still dialing: abandon the upstream. */
  private readonly onRawSocketClose = (): void => {
    if (this.state !== 'dialing') return;
    this.clientClose ??= { code: 1006, reason: 'client left during upstream dial', by: 'client' };
    this.state = 'closing';
    this.pending?.socket.destroy();
    this.pending = undefined;
    this.upstream?.terminate();
    this.maybeFinish();
  };

  /** Upstream handshake completed: now, and only now, complete the browser's upgrade (§2.2 option a). */
  upstreamOpened(): void {
    if (this.state !== 'dialing' || !this.pending) return;
    this.upstreamOpenAt = Date.now();
    this.ctx.metrics.upstreamConnectSeconds.observe((this.upstreamOpenAt - this.startedAt) / 1000, { outcome: 'ok' });
    this.state = 'open';
    if (!this.acceptClient()) {
      this.clientClose ??= { code: 1006, reason: 'client left before the upgrade completed', by: 'client' };
      this.closeUpstream(1001, 'client went away');
      return;
    }
    this.relayMode = this.ctx.o.mode === 'splice' && startSplice(this) ? 'splice' : 'framed';
    this.ctx.log.info({
      evt: 'relay_open', sid: this.id, device: this.deviceIdHash, via: this.via, profile: this.profileName,
      upstream: redactUrl(this.upstreamUrl), connectMs: this.upstreamOpenAt - this.startedAt,
    }, 'session open');
  }

  /** Complete the browser handshake (also used to deliver dial failures as a 4xxx close). */
  private acceptClient(): boolean {
    const p = this.pending;
    this.pending = undefined;
    if (!p) return false;
    p.socket.removeListener('close', this.onRawSocketClose);
    p.socket.removeListener('end', this.onRawSocketClose);
    p.socket.removeListener('data', this.onEarlyData);
    p.socket.pause(); // ws takes over reading (resumed below, after it attached its listener)
    let accepted = false;
    try {
      this.ctx.wss.handleUpgrade(p.req, p.socket, p.head, (ws) => {
        accepted = true;
        this.client = ws;
        (ws as Leg)[kSession] = this;
        ws.on('error', clientHandlers.error);
        ws.on('close', clientHandlers.close);
        ws.on('message', clientHandlers.message);
        ws.on('pong', clientHandlers.pong);
      });
      if (accepted) p.socket.resume();
    } catch (err) {
      this.ctx.log.warn({ evt: 'relay_accept_failed', sid: this.id, err: (err as Error).message }, 'browser upgrade failed');
      p.socket.destroy();
    }
    return accepted;
  }

  /** The upstream dial failed: tell the browser with the catalogue's 4xxx code and plain words. */
  failDial(f: DialFailure): void {
    if (this.state !== 'dialing') return;
    this.state = 'closing';
    this.dialFailure = f;
    this.diagnosis = diagnosisOf(f.code);
    this.upstreamClose = { code: 1006, reason: f.cause, by: 'upstream' };
    this.ctx.metrics.upstreamFailures.inc({ code: f.code });
    this.ctx.metrics.upstreamConnectSeconds.observe((Date.now() - this.startedAt) / 1000, { outcome: f.code });
    const closeCode = XZ_ERRORS[f.code].closeCode ?? 1011;
    const reason = catalogueReason(f.code, f.httpStatus ? `HTTP ${f.httpStatus}` : undefined);
    if (this.acceptClient()) this.closeClient(closeCode, reason);
    else this.clientClose ??= { code: 1006, reason: 'client left during upstream dial', by: 'client' };
    this.maybeFinish();
  }

  dialError(err: Error): void {
    if (this.state === 'dialing') this.failDial(classifyDialError(err));
  }

  /** Send a close to the browser once (the first decision wins). */
  closeClient(code: number, reason: string): void {
    if (this.clientClose) return;
    this.clientClose = { code, reason, by: 'gateway' };
    this.ctx.metrics.closeCodes.inc({ side: 'client', direction: 'sent', code });
    // A congested browser still gets the Close frame queued (a slow reader may read it); the close
    // timer terminates it otherwise.
    closeLeg(this, this.client, code, reason, false);
  }

  closeUpstream(code: number, reason: string): void {
    if (this.upstreamClose) return;
    this.upstreamClose = { code, reason, by: 'gateway' };
    this.ctx.metrics.closeCodes.inc({ side: 'upstream', direction: 'sent', code });
    closeLeg(this, this.upstream, code, reason, this.up.blockedSince !== 0); // a stalled server: terminate
  }

  /** Browser leg closed (close frame or TCP end). */
  clientClosed(code: number, reason: string): void {
    if (!this.clientClose) {
      this.clientClose = { code, reason, by: 'client' };
      this.ctx.metrics.closeCodes.inc({ side: 'client', direction: 'received', code });
    }
    if (this.state === 'open') this.state = 'closing';
    // Browser close → upstream close with a valid code (§2.7): its own sendable code, else 1000/1001.
    if (isSendableCloseCode(code)) this.closeUpstream(code, truncateUtf8(reason));
    else this.closeUpstream(code === 1005 ? 1000 : 1001, code === 1005 ? '' : 'client went away');
    this.maybeFinish();
  }

  /** Upstream leg closed: forward with mapUpstreamClose, explaining silent closes. */
  upstreamClosed(code: number, reason: string): void {
    if (this.state === 'dialing') {
      // Closed without an error event (e.g. terminated because the browser left): nothing to deliver.
      this.state = 'closing';
      this.maybeFinish();
      return;
    }
    if (!this.upstreamClose) {
      this.upstreamClose = { code, reason, by: 'upstream' };
      this.ctx.metrics.closeCodes.inc({ side: 'upstream', direction: 'received', code });
      const now = Date.now();
      const d = diagnoseUpstreamClose({
        upstreamCode: code, upstreamReason: reason, helloSent: this.helloSent, helloAnswered: this.helloAnswered,
        msOpen: now - this.upstreamOpenAt, msSinceServerHello: this.serverHelloAt ? now - this.serverHelloAt : undefined,
        devicePlaceholder: this.devicePlaceholder, deviceActivated: this.deviceActivated,
      });
      if (d) this.diagnosis ??= d;
      const out = mapUpstreamClose(code, reason, d ? diagnosisReason(d) : undefined);
      if (this.state === 'open') this.state = 'closing';
      this.closeClient(out.code, out.reason);
    } else if (this.state === 'open') {
      this.state = 'closing';
      this.closeClient(1011, catalogueReason('XZ_INTERNAL'));
    }
    this.maybeFinish();
  }

  /** Graceful shutdown: browsers get 1012, upstreams 1001. */
  shutdown(): void {
    this.diagnosis ??= diagnosisOf('XZ_SHUTTING_DOWN');
    if (this.state === 'dialing') {
      this.state = 'closing';
      this.upstreamClose = { code: 1006, reason: 'gateway shutting down', by: 'gateway' };
      this.upstream?.terminate();
      if (this.acceptClient()) this.closeClient(1012, catalogueReason('XZ_SHUTTING_DOWN'));
      this.maybeFinish();
      return;
    }
    if (this.state === 'open') this.state = 'closing';
    this.closeClient(1012, catalogueReason('XZ_SHUTTING_DOWN'));
    this.closeUpstream(1001, 'gateway shutting down');
  }

  /** Leftovers at a deadline (close handshakes that never completed). */
  terminateAll(): void {
    this.client?.terminate();
    this.upstream?.terminate();
    if (this.pending) this.pending.socket.destroy();
  }

  armHelloTimer(): void {
    if (this.helloAnswered || this.ctx.o.helloTimeoutMs <= 0 || this.helloTimer) return;
    this.helloTimer = setTimeout(helloTimedOut, this.ctx.o.helloTimeoutMs, this);
    this.helloTimer.unref();
  }

  clearHelloTimer(): void {
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
  }

  armCloseTimer(): void {
    if (this.closeTimer) return;
    this.closeTimer = setTimeout(terminateSession, this.ctx.o.closeTimeoutMs, this);
    this.closeTimer.unref();
  }

  maybeFinish(): void {
    if (this.state === 'closed') return;
    const c = this.client;
    const u = this.upstream;
    if (this.pending) return;
    if (c && c.readyState !== WebSocket.CLOSED) return;
    if (u && u.readyState !== WebSocket.CLOSED) return;
    this.state = 'closed';
    this.closedAt = Date.now();
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.clearHelloTimer();
    this.up.release(this.ctx);
    this.down.release(this.ctx);
    this.ctx.sessionEnded(this);
  }
}

function terminateSession(s: Session): void {
  s.terminateAll();
}

function onRawSocketError(): void {
  // Errors on the raw browser socket before/while upgrading end in 'close'; nothing else to do (§1.2).
}

/** Close a leg; one we cannot write to (congested) would never see the Close frame: terminate it. */
function closeLeg(s: Session, ws: WebSocket | null, code: number, reason: string, congested: boolean): void {
  if (!ws) return;
  if (ws.readyState === WebSocket.OPEN && congested) {
    ws.terminate();
  } else if (ws.readyState === WebSocket.OPEN) {
    try {
      ws.close(code, truncateUtf8(reason));
    } catch {
      ws.terminate(); // never let a close argument take the process down (§1.2)
    }
    s.armCloseTimer();
  } else if (ws.readyState === WebSocket.CONNECTING) {
    ws.terminate();
  }
}

