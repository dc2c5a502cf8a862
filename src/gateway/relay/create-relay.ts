/**
 * The relay: session registry, one shared keepalive timer, one shared backpressure sweeper (running only
 * while some destination is congested), refusals, recent-session records and bounded shutdown.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { XZ_ERRORS, type XzErrorCode } from '../../protocol/errors.ts';
import { catalogueReason } from '../diagnosis.ts';
import { bindHotCounters, MAX_FRAGMENTS, type RelayContext, type ResolvedRelayOptions } from './context.ts';
import type { Pipe } from './backpressure.ts';
import type { Relay, RelayOptions, SessionRecord, UpstreamTarget } from './index.ts';
import { killLeg } from './session-ends.ts';
import { Session } from './session.ts';
import { closeLogFields, snapshot } from './session-record.ts';

const RECENT_LIMIT = 100;
const EMPTY = Buffer.alloc(0);
const WS_KEY_RE = /^[+/0-9A-Za-z]{22}==$/;

export function resolveOptions(o: RelayOptions): ResolvedRelayOptions {
  return {
    maxClientMessageBytes: o.maxClientMessageBytes ?? 64 * 1024,
    maxUpstreamMessageBytes: o.maxUpstreamMessageBytes ?? 1024 * 1024,
    upstreamConnectTimeoutMs: o.upstreamConnectTimeoutMs ?? 10_000,
    keepaliveIntervalMs: o.keepaliveIntervalMs ?? 18_000,
    maxBufferedBytes: o.maxBufferedBytes ?? 64 * 1024,
    hardBufferedBytes: o.hardBufferedBytes ?? 256 * 1024,
    audioDropAfterMs: o.audioDropAfterMs ?? 2_000,
    closeTimeoutMs: o.closeTimeoutMs ?? 5_000,
    helloTimeoutMs: o.helloTimeoutMs ?? 10_000,
    earlyBytes: o.earlyQueue?.bytes ?? 256 * 1024,
    mode: o.mode ?? 'splice',
  };
}

/** True when `req` is a WebSocket upgrade `ws` will accept (checked before dialing anything). */
function isValidUpgrade(req: IncomingMessage): boolean {
  const key = req.headers['sec-websocket-key'];
  const version = req.headers['sec-websocket-version'];
  return (
    req.method === 'GET' &&
    (req.headers.upgrade ?? '').toLowerCase() === 'websocket' &&
    typeof key === 'string' && WS_KEY_RE.test(key.trim()) &&
    (version === '13' || version === '8')
  );
}

/** Plain HTTP refusal on a raw socket (before any upgrade). */
function writeHttpError(socket: Duplex, status: number, code: string, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: code, message });
  const retry = status === 429 || status === 503 ? 'Retry-After: 1\r\n' : '';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${retry}\r\n${body}`,
  );
}

export function createRelay(options: RelayOptions): Relay {
  const o = resolveOptions(options);
  const sessions = new Set<Session>();
  const blocked = new Set<Pipe>();
  const recent: SessionRecord[] = [];
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: o.maxClientMessageBytes,
    maxFragments: MAX_FRAGMENTS, // 200 k empty fragments must not pin memory (reliability §2.4)
  });
  let keepaliveTimer: NodeJS.Timeout | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let shuttingDown = false;
  const shutdownWaiters: (() => void)[] = [];
  const sweepMs = Math.max(10, Math.min(100, o.audioDropAfterMs >>> 2));

  const ctx: RelayContext = {
    o,
    log: options.logger,
    metrics: options.metrics,
    hot: bindHotCounters(options.metrics),
    wss,
    sessions,
    blocked,
    startSweeper() {
      if (sweepTimer) return;
      sweepTimer = setInterval(sweep, sweepMs);
      sweepTimer.unref();
    },
    startKeepalive() {
      if (keepaliveTimer || o.keepaliveIntervalMs <= 0) return;
      keepaliveTimer = setInterval(keepaliveTick, o.keepaliveIntervalMs);
      keepaliveTimer.unref();
    },
    sessionEnded(s: Session) {
      if (!sessions.delete(s)) return;
      options.metrics.sessionsActive.dec();
      recent.push(snapshot(s));
      if (recent.length > RECENT_LIMIT) recent.shift();
      const fields = closeLogFields(s);
      if (s.dialFailure) options.logger.warn(fields, 'session failed: upstream dial');
      else options.logger.info(fields, 'session closed');
      if (sessions.size === 0) {
        if (keepaliveTimer) clearInterval(keepaliveTimer);
        keepaliveTimer = undefined;
        for (const w of shutdownWaiters.splice(0)) w();
      }
    },
  };

  function sweep(): void {
    const now = Date.now();
    for (const p of blocked) p.sweep(ctx, now);
    if (blocked.size === 0 && sweepTimer) {
      clearInterval(sweepTimer);
      sweepTimer = undefined;
    }
  }

  /** One timer for all sessions: ping both legs; a leg with two unanswered pings is dead (§2.5, §2.6). */
  function keepaliveTick(): void {
    for (const s of sessions) {
      if (s.state !== 'open') continue;
      if (s.clientAwait >= 2) killLeg(s, 'client');
      else if (s.upstreamAwait >= 2) killLeg(s, 'upstream');
      else {
        ping(s.client);
        ping(s.upstream);
        s.clientAwait++;
        s.upstreamAwait++;
      }
    }
  }

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: UpstreamTarget): void {
      if (shuttingDown) return this.rejectUpgrade(socket, 'XZ_SHUTTING_DOWN', req);
      if (!isValidUpgrade(req)) {
        options.metrics.rejectedConnections.inc({ reason: 'bad_upgrade' });
        socket.on('error', noop);
        writeHttpError(socket, 400, 'XZ_BAD_PARAMETER', 'Not a valid WebSocket upgrade request.');
        return;
      }
      const s = new Session(ctx, target, req, socket, head);
      sessions.add(s);
      options.metrics.sessionsActive.inc();
      options.metrics.sessionsTotal.inc();
      ctx.startKeepalive();
      s.start(target);
    },

    rejectUpgrade(socket: Duplex, code: XzErrorCode, req?: IncomingMessage): void {
      const e = XZ_ERRORS[code];
      options.metrics.rejectedConnections.inc({ reason: code });
      socket.on('error', noop);
      if (req && e.closeCode !== undefined && isValidUpgrade(req) && socket.writable) {
        wss.handleUpgrade(req, socket, EMPTY, (ws) => {
          ws.on('error', noop);
          ws.close(e.closeCode, catalogueReason(code));
          setTimeout(() => ws.terminate(), o.closeTimeoutMs).unref();
        });
        return;
      }
      writeHttpError(socket, e.httpStatus ?? (e.closeCode === 1012 ? 503 : 400), code, e.en);
    },

    sessionCount: () => sessions.size,

    recentSessions(): SessionRecord[] {
      const open = [...sessions].map(snapshot);
      return [...recent, ...open].slice(-RECENT_LIMIT);
    },

    async shutdown(deadlineMs = 5_000): Promise<void> {
      shuttingDown = true;
      for (const s of [...sessions]) s.shutdown();
      if (sessions.size > 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, deadlineMs);
          shutdownWaiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      for (const s of [...sessions]) s.terminateAll();
      // terminate() emits 'close' asynchronously; give the sockets one turn to report.
      if (sessions.size > 0) await new Promise((r) => setTimeout(r, 50));
      if (keepaliveTimer) clearInterval(keepaliveTimer);
      if (sweepTimer) clearInterval(sweepTimer);
      keepaliveTimer = sweepTimer = undefined;
    },
  };
}

function ping(ws: WebSocket | null): void {
  if (ws && ws.readyState === WebSocket.OPEN) ws.ping();
}

function noop(): void {}
