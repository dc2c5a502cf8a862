/**
 * The HTTP server's `upgrade` handler: every check happens BEFORE the relay dials anything —
 * path, shutdown (503), access key (401), Origin (403), admission limits (429/503), then credentials
 * (legacy query or ticket; failures are accepted and closed 4000/4001/4002 so a browser can read why).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { XZ_ERRORS, type XzErrorCode } from '../../protocol/errors.ts';
import { truncateUtf8 } from '../../protocol/close-codes.ts';
import type { Logger } from '../../node/logger.ts';
import type { GatewayConfig } from '../config.ts';
import type { SessionLimits } from '../limits.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { Relay, UpstreamTarget } from '../relay/index.ts';
import type { TicketStore } from '../tickets.ts';
import type { AccessGuard } from './access.ts';
import { clientIp } from './client-ip.ts';
import { parseLegacyQuery } from './legacy-query.ts';
import { checkOrigin } from './origin.ts';
import { rejectSocket } from './reply-error.ts';

export const LEGACY_WS_PATH = '/api/ws-proxy';
export const TICKET_WS_PATH = '/api/ws';

export interface UpgradeDeps {
  config: GatewayConfig;
  relay: Relay;
  limits: SessionLimits;
  tickets: TicketStore;
  access: AccessGuard;
  logger: Logger;
  metrics: GatewayMetrics;
  isShuttingDown: () => boolean;
}

const TICKET_RE = /^[A-Za-z0-9_-]{20,100}$/;

export function createUpgradeHandler(deps: UpgradeDeps): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const { config, relay, limits, tickets, access, logger, metrics } = deps;
  // Only used to complete a handshake that is then closed with a 4xxx code (no upstream involved).
  const closer = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 });

  const refuse = (socket: Duplex, reason: string, status: number, code: XzErrorCode, detail?: string, headers?: Record<string, string>) => {
    metrics.rejectedConnections.inc({ reason: code });
    // Floods (429/503) are counted in /metrics; logging each one would turn a storm into disk I/O (§2.16).
    const level = status === 429 || status === 503 ? 'debug' : 'info';
    logger[level]({ event: 'ws_rejected', status, code, reason }, 'websocket refused before upgrade');
    rejectSocket(socket, status, code, detail, headers);
  };

  const closeWith = (req: IncomingMessage, socket: Duplex, head: Buffer, code: XzErrorCode, reason: string) => {
    metrics.rejectedConnections.inc({ reason: code });
    logger.info({ event: 'ws_rejected', code, reason }, 'websocket closed before relaying');
    const closeCode = XZ_ERRORS[code].closeCode ?? 1008;
    closer.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => {});
      ws.close(closeCode, truncateUtf8(`${reason} (${code})`));
      setTimeout(() => ws.terminate(), 2000).unref();
    });
  };

  return (req, socket, head) => {
    socket.on('error', () => {}); // a reset during the checks must never reach the process
    try {
      const url = new URL(req.url ?? '/', 'http://gateway.invalid');
      const path = url.pathname.replace(/\/+$/, '');
      if (path !== LEGACY_WS_PATH && path !== TICKET_WS_PATH) {
        rejectSocket(socket, 404, 'XZ_NOT_FOUND', `no WebSocket endpoint at ${path || '/'}`);
        return;
      }
      if (deps.isShuttingDown()) {
        refuse(socket, 'shutting down', 503, 'XZ_SHUTTING_DOWN', 'the gateway is shutting down', { 'Retry-After': '5' });
        return;
      }
      if (!access.allows(req, url)) return refuse(socket, 'access key', 401, 'XZ_ACCESS_KEY_REQUIRED');
      if (checkOrigin(req, config.allowedOrigins) === 'forbidden') {
        return refuse(socket, 'origin', 403, 'XZ_ORIGIN_FORBIDDEN', 'origin not allowed');
      }
      const ip = clientIp(req, config.trustProxy);
      const admission = limits.admit(ip);
      if (!admission.ok) {
        const status = XZ_ERRORS[admission.reason].httpStatus ?? 429;
        return refuse(socket, admission.detail, status, admission.reason, admission.detail, { 'Retry-After': String(admission.retryAfterSec) });
      }
      socket.once('close', admission.release);

      let target: UpstreamTarget;
      const ticket = url.searchParams.get('ticket');
      if (ticket !== null || path === TICKET_WS_PATH) {
        if (ticket === null) return closeWith(req, socket, head, 'XZ_MISSING_CREDENTIALS', 'Missing ticket parameter');
        const found = TICKET_RE.test(ticket) ? tickets.consume(ticket) : null;
        if (!found) return closeWith(req, socket, head, 'XZ_TICKET_INVALID', 'Ticket unknown, expired or already used');
        target = found;
      } else {
        const cred = parseLegacyQuery(url.searchParams);
        if (!cred.ok) return closeWith(req, socket, head, cred.code, cred.reason);
        target = {
          url: config.backendWsUrl,
          token: cred.token,
          deviceId: cred.deviceId,
          clientId: cred.clientId,
          protocolVersion: config.protocolVersion,
          context: { via: 'legacy-query' },
        };
        if (config.upstreamCa) target.ca = config.upstreamCa;
      }
      relay.handleUpgrade(req, socket, head, target);
    } catch (err) {
      logger.error({ err }, 'upgrade handler failed');
      rejectSocket(socket, 500, 'XZ_INTERNAL');
    }
  };
}
