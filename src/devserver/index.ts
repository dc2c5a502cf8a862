/**
 * Local XiaoZhi-compatible server: WebSocket sessions, OTA + activation, control API, on one port
 * (docs/devserver.md; xiaozhi-protocol.md §2–§5, §7). Tolerant like xiaozhi-esp32-server.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseProtocolVersion } from '../protocol/binary-frame.ts';
import { isSafeHeaderValue } from '../protocol/identity-format.ts';
import { createLogger } from '../node/logger.ts';
import { authorize, makeEsToken, readCredentials, type AuthMode } from './auth.ts';
import { CONTROL_PREFIX, handleControl } from './control-routes.ts';
import { CORS_HEADERS, header, sendJson, sendText } from './http-util.ts';
import { handleActivate, handleOta, type OtaContext } from './ota-routes.ts';
import { deviceKey, Registry } from './registry.ts';
import { Session } from './session.ts';
import { NO_FAULTS, type DevServer, type DevServerEventMap, type DevServerOptions, type Faults, type McpCallOutcome } from './types.ts';

export * from './types.ts';
export { makeEsToken, verifyEsToken } from './auth.ts';

/** Frames above this close the connection with 1009 (ws does it). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
export const WS_PATH = '/xiaozhi/v1/';
export const OTA_PATH = '/xiaozhi/ota/';
const VISION_PATH = '/mcp/vision/explain';

/** Start the devserver; resolves once it listens. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const mode: AuthMode = options.auth ?? 'cloud';
  const authKey = options.authKey ?? randomUUID().replace(/-/g, '');
  const allowedDevices = new Set((options.allowedDevices ?? []).flatMap((d) => [d, deviceKey(d)]));
  const helloTimeoutMs = options.helloTimeoutMs ?? 10_000;
  const log: Logger =
    options.logger === false ? pino({ level: 'silent' }) : options.logger ?? createLogger({ name: 'devserver', destination: pino.destination({ fd: 2, sync: false }) });
  const registry = new Registry(options.codeTtlMs ?? 600_000, options.dataFile);
  let faults: Faults = { ...NO_FAULTS, ...options.faults };
  const events = new EventEmitter<DevServerEventMap>();
  const sessions = new Map<string, { session: Session; deviceId?: string; protocolVersion: number; ws: WebSocket }>();
  const visionToken = randomBytes(16).toString('hex');
  const scheme = options.tls ? 'https' : 'http';
  let connSeq = 0;

  const makeToken = (clientId: string, deviceId: string) => makeEsToken(authKey, clientId, deviceId);
  const isActivated = (id: string) => registry.isActivated(id);

  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }) : createHttpServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_PAYLOAD_BYTES });
  let baseUrl = '';

  const urlsFor = (req: IncomingMessage) => {
    const host = header(req, 'host');
    const base = host && isSafeHeaderValue(host, 255) && /^[\w.:[\]-]+$/.test(host) ? `${scheme}://${host}` : baseUrl;
    return { baseUrl: base, wsUrl: `${base.replace(/^http/, 'ws')}${WS_PATH}` };
  };
  const otaCtx: OtaContext = { registry, mode, autoApprove: options.autoApprove === true, allowedDevices, makeToken, urlsFor, log };

  const setFaults = (f: Partial<Faults>) => {
    faults = { ...faults, ...f };
    log.info({ faults }, 'faults set');
    if (f.stopReading !== undefined) for (const s of sessions.values()) s.session.applyStopReading(f.stopReading);
  };

  async function callTool(name: string, args: Record<string, unknown>, connectionId?: string): Promise<McpCallOutcome[]> {
    const targets = [...sessions.values()].filter((s) => s.session.mcp && (!connectionId || s.session.id === connectionId));
    return Promise.all(targets.map(async (s) => {
      const r = await s.session.callTool(name, args);
      return r.ok ? { connectionId: s.session.id, ok: true, result: r.result } : { connectionId: s.session.id, ok: false, error: r.error };
    }));
  }

  const enterCode = (code: string) => {
    const p = registry.enterCode(code);
    if (p) log.info({ deviceId: p.deviceId }, 'code entered');
    return p !== null;
  };

  const state = () => ({
    auth: mode,
    faults,
    devices: [...registry.devices.values()].map(({ hmacKey: _k, ...d }) => d),
    pending: registry.pending().map((p) => ({ code: p.code, deviceId: p.deviceId, approved: p.approved, expiresAt: p.expiresAt })),
    connections: [...sessions.values()].map((s) => ({ id: s.session.id, deviceId: s.deviceId, protocolVersion: s.protocolVersion, state: s.session.state })),
  });

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    if (path === OTA_PATH || path === '/xiaozhi/ota' || path === `${OTA_PATH}activate` || path === `${OTA_PATH}activate/`) {
      if (method === 'OPTIONS') { res.writeHead(204, CORS_HEADERS); res.end(); return; }
      const isActivate = path.includes('/activate');
      if (method === 'POST') return isActivate ? handleActivate(otaCtx, req, res) : handleOta(otaCtx, req, res);
      if (method === 'GET' && !isActivate) return sendText(res, 200, 'OTA interface is running; POST the device report here.\n');
      return sendJson(res, 405, { success: false, error: `${method} not allowed here` });
    }
    if (path.startsWith(CONTROL_PREFIX) || path === CONTROL_PREFIX.slice(0, -1)) {
      if (path === CONTROL_PREFIX.slice(0, -1)) { res.writeHead(301, { location: CONTROL_PREFIX }); res.end(); return; }
      if (await handleControl({ registry, enterCode, setFaults, faults: () => faults, callTool, state }, req, res, path)) return;
    }
    if (path === VISION_PATH && method === 'POST') {
      if (header(req, 'authorization') !== `Bearer ${visionToken}`) return sendJson(res, 401, { success: false, message: 'invalid vision token' });
      // ES limits camera uploads to 5 MB (§7.7).
      let size = 0;
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > 5 * 1024 * 1024) return sendJson(res, 413, { success: false, message: 'image larger than 5 MB' });
      }
      return sendJson(res, 200, { success: true, action: 'RESPONSE', response: `I received an image upload of ${size} bytes.` });
    }
    // ES answers a plain GET on its WebSocket port with 200 (§2.1).
    if (method === 'GET' && (path === '/' || path.startsWith('/xiaozhi/v1'))) return sendText(res, 200, 'devserver running\n');
    sendJson(res, 404, { error: `no route for ${method} ${path}` });
  }

  server.on('request', (req, res) => {
    onRequest(req, res).catch((err: Error) => {
      log.error({ err }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const f = faults;
    if (f.rejectUpgrade) {
      const body = `devserver fault: upgrade refused with ${f.rejectUpgrade}\n`;
      socket.end(`HTTP/1.1 ${f.rejectUpgrade} Refused\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    const cred = readCredentials(req);
    const version = parseProtocolVersion(cred.protocolVersion);
    if (version === null) {
      const body = 'Protocol-Version must be 1, 2 or 3\n';
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    const go = () => {
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => {
        try {
          onConnection(ws, cred, version);
        } catch (err) {
          log.error({ err }, 'connection setup failed');
          ws.terminate();
        }
      });
    };
    if (f.handshakeDelayMs > 0) setTimeout(go, f.handshakeDelayMs); else go();
  });

  function onConnection(ws: WebSocket, cred: ReturnType<typeof readCredentials>, version: 1 | 2 | 3): void {
    const id = `c${++connSeq}`;
    const opened = Date.now();
    ws.on('error', (err) => log.debug({ conn: id, err: err.message }, 'socket error'));
    events.emit('connection', { id, deviceId: cred.deviceId, clientId: cred.clientId, protocolVersion: version, headersSource: cred.headersSource });
    const decision = authorize({ mode, authKey, allowedDevices, isActivated }, cred);
    log.info({ conn: id, deviceId: cred.deviceId, protocolVersion: version, headersSource: cred.headersSource, accepted: decision.ok, why: decision.ok ? undefined : decision.why }, 'connection open');
    if (!decision.ok && decision.kind === 'text-close') {
      ws.send(decision.text);
      ws.close(1000);
      ws.on('close', (code) => {
        log.info({ conn: id, code, ms: Date.now() - opened }, 'connection closed');
        events.emit('closed', { id, code });
      });
      return;
    }
    const session = new Session({
      id, ws, version, log, events, helloTimeoutMs,
      refuseAfterHello: decision.ok ? null : decision.why,
      faults: () => faults,
      vision: { url: `${baseUrl}${VISION_PATH}`, token: visionToken },
      ...(options.ttsCommand ? { ttsCommand: options.ttsCommand } : {}),
    });
    sessions.set(id, { session, deviceId: cred.deviceId, protocolVersion: version, ws });
    ws.on('close', (code) => {
      sessions.delete(id);
      session.closed();
      log.info({ conn: id, code, ms: Date.now() - opened }, 'connection closed');
      events.emit('closed', { id, code });
    });
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8765, host, () => { server.off('error', reject); resolve(); });
  });
  server.on('error', (err) => log.error({ err }, 'server error'));
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  baseUrl = `${scheme}://${urlHost}:${port}`;
  const wsUrl = `${scheme === 'https' ? 'wss' : 'ws'}://${urlHost}:${port}${WS_PATH}`;
  log.info({ wsUrl, auth: mode }, 'devserver listening');

  let closing: Promise<void> | null = null;
  return {
    port, wsUrl, otaUrl: `${baseUrl}${OTA_PATH}`, baseUrl,
    setFaults, faults: () => ({ ...faults }), enterCode,
    activateDevice: (deviceId) => registry.activate(deviceId),
    makeToken, callTool, events,
    connectionCount: () => wss.clients.size,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        for (const s of sessions.values()) s.session.closed();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
