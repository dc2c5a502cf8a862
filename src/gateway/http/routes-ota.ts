/**
 * Same-origin OTA and activation relay (protocol §5.1–5.3, reliability §2.17). Browsers cannot send
 * Device-Id / Client-Id / Activation-Version / User-Agent cross-origin, so the page posts here and the
 * gateway calls the configured OTA URL (or a stored profile's) — fixed paths only: `<ota>` and
 * `<ota>/activate`. Two request forms:
 *   raw:     {deviceId, clientId, activationVersion?, userAgent?, acceptLanguage?, payload?}
 *   profile: {profile, challenge?}  (headers, body and HMAC built server-side; token never returned)
 * Rate limit: token bucket per client IP + Device-Id (OTA_REQUESTS_PER_MIN, OTA_BURST) plus a gateway-wide
 * bucket (20× those) → 429 + Retry-After.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { buildActivationBody, buildOtaBody, buildOtaHeaders, DEFAULT_CLIENT_INFO } from '../../device/ota-request.ts';
import { isDeviceError } from '../../device/errors.ts';
import type { ProfileStore } from '../../device/profile-store.ts';
import { isSafeHeaderValue } from '../../protocol/identity-format.ts';
import { activationUrl, parseOtaReply } from '../../protocol/ota.ts';
import type { Logger } from '../../node/logger.ts';
import type { GatewayConfig } from '../config.ts';
import { Counter, type GatewayMetrics } from '../metrics.ts';
import { TokenBuckets } from '../limits.ts';
import { clientIp } from './client-ip.ts';
import { OtaUpstreamError, postUpstream } from './ota-upstream.ts';
import { tokenHint } from '../../protocol/token-hint.ts';
import { sendError } from './reply-error.ts';
import { sendDeviceError } from './routes-profiles.ts';

export const OTA_BODY_LIMIT_BYTES = 16 * 1024;
/** The gateway-wide OTA budget is this many devices' worth of the per-device budget. */
export const OTA_GLOBAL_FACTOR = 20;

interface Prepared {
  otaUrl: string;
  deviceId: string;
  headers: Record<string, string>;
  body: unknown;
  profileName?: string;
}

export function registerOtaRoutes(
  app: FastifyInstance,
  deps: { config: GatewayConfig; store: ProfileStore; buckets: TokenBuckets; logger: Logger; metrics: GatewayMetrics },
): void {
  const { config, store, buckets, logger } = deps;
  const requests = deps.metrics.registry.register(
    new Counter('xiaozhi_gateway_ota_relay_requests_total', 'OTA relay requests by route and outcome.', ['route', 'outcome']),
  );
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url;
    if (route === '/api/ota' || route === '/api/ota/activate') requests.inc({ route, outcome: String(reply.statusCode) });
  });

  const prepare = async (req: FastifyRequest, reply: FastifyReply, kind: 'ota' | 'activate'): Promise<Prepared | null> => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (typeof b !== 'object' || Array.isArray(b)) {
      sendError(reply, 400, 'XZ_BAD_PARAMETER', 'send a JSON object');
      return null;
    }
    if (b['profile'] !== undefined) {
      if (typeof b['profile'] !== 'string') {
        sendError(reply, 400, 'XZ_BAD_PARAMETER', 'profile must be a profile name');
        return null;
      }
      try {
        const p = await store.get(b['profile']);
        const target = { identity: p.identity, otaUrl: p.server.otaUrl, activationVersion: p.server.activationVersion };
        const headers = buildOtaHeaders(target, DEFAULT_CLIENT_INFO);
        let body: unknown = buildOtaBody(p.identity, DEFAULT_CLIENT_INFO);
        if (kind === 'activate') {
          const challenge = b['challenge'];
          if (typeof challenge !== 'string' || challenge.length > 512) {
            sendError(reply, 400, 'XZ_BAD_PARAMETER', 'challenge (from the OTA reply) is required, at most 512 characters');
            return null;
          }
          body = buildActivationBody(p.identity, challenge);
        }
        return { otaUrl: p.server.otaUrl, deviceId: p.identity.deviceId, headers, body, profileName: p.name };
      } catch (err) {
        if (isDeviceError(err)) sendDeviceError(reply, err);
        else throw err;
        return null;
      }
    }
    const deviceId = b['deviceId'];
    const clientId = b['clientId'];
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    const fields: [string, unknown, string, number][] = [
      ['Device-Id', deviceId, 'deviceId', 64],
      ['Client-Id', clientId, 'clientId', 64],
      ['Activation-Version', b['activationVersion'], 'activationVersion', 32],
      ['User-Agent', b['userAgent'] ?? `${DEFAULT_CLIENT_INFO.boardType}/${DEFAULT_CLIENT_INFO.appName}-${DEFAULT_CLIENT_INFO.appVersion}`, 'userAgent', 128],
      ['Accept-Language', b['acceptLanguage'] ?? DEFAULT_CLIENT_INFO.language, 'acceptLanguage', 32],
      ['Serial-Number', b['serialNumber'], 'serialNumber', 128],
    ];
    for (const [header, value, name, max] of fields) {
      if (value === undefined && name !== 'deviceId' && name !== 'clientId') continue;
      if (typeof value !== 'string' || !isSafeHeaderValue(value, max)) {
        sendError(reply, 400, 'XZ_BAD_PARAMETER', `${name} must be printable ASCII without CR/LF, 1-${max} characters`);
        return null;
      }
      headers[header] = value;
    }
    const payload = b['payload'] ?? (kind === 'ota' ? { application: { version: DEFAULT_CLIENT_INFO.appVersion, elf_sha256: '' }, board: { type: DEFAULT_CLIENT_INFO.boardType, name: DEFAULT_CLIENT_INFO.appName, ip: '0.0.0.0', mac: deviceId } } : {});
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      sendError(reply, 400, 'XZ_BAD_PARAMETER', 'payload must be a JSON object');
      return null;
    }
    return { otaUrl: config.otaUrl, deviceId: deviceId as string, headers, body: payload };
  };

  // All users share the gateway's egress address, so one global bucket also protects it upstream (§2.17).
  const global = new TokenBuckets({ perMinute: config.otaRequestsPerMin * OTA_GLOBAL_FACTOR, burst: config.otaBurst * OTA_GLOBAL_FACTOR });
  const limited = (req: FastifyRequest, reply: FastifyReply, deviceId: string): boolean => {
    let r = buckets.take(`${clientIp(req.raw, config.trustProxy)}|${deviceId}`);
    if (r.ok) r = global.take('*');
    if (r.ok) return false;
    reply.header('retry-after', String(r.retryAfterSec));
    sendError(reply, 429, 'XZ_RATE_LIMITED', `OTA relay allows ${config.otaRequestsPerMin} requests per minute per device and address`);
    return true;
  };

  const call = async (reply: FastifyReply, url: string, p: Prepared) => {
    try {
      return await postUpstream(url, p.headers, JSON.stringify(p.body), { timeoutMs: config.otaTimeoutMs, ca: config.upstreamCa });
    } catch (err) {
      if (!(err instanceof OtaUpstreamError)) throw err;
      logger.warn({ event: 'ota_relay_failed', code: err.code }, 'OTA relay: upstream failed');
      sendError(reply, err.code === 'XZ_OTA_TIMEOUT' ? 504 : 502, err.code, err.message);
      return null;
    }
  };

  app.post('/api/ota', { bodyLimit: OTA_BODY_LIMIT_BYTES }, async (req, reply) => {
    const p = await prepare(req, reply, 'ota');
    if (!p || limited(req, reply, p.deviceId)) return reply;
    const res = await call(reply, p.otaUrl, p);
    if (!res) return reply;
    if (res.status !== 200) return sendError(reply, 502, 'XZ_OTA_HTTP_STATUS', `OTA server answered HTTP ${res.status}`);
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      return sendError(reply, 502, 'XZ_OTA_INVALID_REPLY', 'OTA reply is not JSON');
    }
    const parsed = parseOtaReply(json); // error bodies inside HTTP 200 are failures (§5.2)
    if (!parsed.ok) return sendError(reply, 502, parsed.code, parsed.detail.slice(0, 300));
    if (!p.profileName) return parsed.reply;
    const updated = await store.recordOta(p.profileName, parsed.reply);
    const shown = structuredClone(parsed.reply);
    if (shown.websocket?.token !== undefined) shown.websocket.token = tokenHint(shown.websocket.token) ?? '';
    if (shown.mqtt) shown.mqtt.password = '…';
    return { ...shown, profile: updated.name, activated: updated.activated };
  });

  app.post('/api/ota/activate', { bodyLimit: OTA_BODY_LIMIT_BYTES }, async (req, reply) => {
    const p = await prepare(req, reply, 'activate');
    if (!p || limited(req, reply, p.deviceId)) return reply;
    const res = await call(reply, activationUrl(p.otaUrl), p);
    if (!res) return reply;
    let json: unknown = null;
    try {
      json = res.text ? JSON.parse(res.text) : null;
    } catch {
      json = null;
    }
    const errBody = json && typeof json === 'object' ? (json as Record<string, unknown>) : null;
    // An error body is a failure only on 200 (manager-api / ES style); 202 bodies may say success:false while waiting.
    if (res.status === 200 && errBody && ((typeof errBody['error'] === 'string' && errBody['error']) || errBody['success'] === false)) {
      const detail = String(errBody['error'] || errBody['message'] || 'success:false').slice(0, 300);
      return sendError(reply, 502, 'XZ_OTA_ERROR_BODY', detail);
    }
    if (res.status === 200) return reply.code(200).send({ status: 'activated', upstreamStatus: 200 });
    if (res.status === 202) return reply.code(202).send({ status: 'waiting', upstreamStatus: 202 });
    return sendError(reply, 502, 'XZ_ACTIVATION_HTTP_STATUS', `activation endpoint answered HTTP ${res.status}`);
  });
}
