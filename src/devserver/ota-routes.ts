/**
 * OTA and activation (xiaozhi-protocol.md §5.1–§5.3). Errors: HTTP 400 with
 * `{success:false, error, message}` so both reader styles (manager-api `error`, ES `success:false`) see a failure.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { isMacShaped, isSafeHeaderValue, OTA_PLACEHOLDER_TOKEN } from '../protocol/identity-format.ts';
import type { AuthMode } from './auth.ts';
import { header, isObject, readJson, sendJson } from './http-util.ts';
import type { Registry } from './registry.ts';

export interface OtaContext {
  registry: Registry;
  mode: AuthMode;
  autoApprove: boolean;
  allowedDevices: ReadonlySet<string>;
  makeToken(clientId: string, deviceId: string): string;
  /** ws(s)://host/xiaozhi/v1/ and http(s)://host for the request's Host header. */
  urlsFor(req: IncomingMessage): { wsUrl: string; baseUrl: string };
  log: Logger;
}

const fail = (res: ServerResponse, status: number, message: string) => sendJson(res, status, { success: false, error: message, message });

/** POST /xiaozhi/ota/ */
export async function handleOta(ctx: OtaContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req);
  if (!body.ok) return fail(res, body.status, body.error);
  const deviceId = header(req, 'device-id');
  const clientId = header(req, 'client-id');
  if (!deviceId || !clientId) return fail(res, 400, 'Device-Id and Client-Id headers are required');
  if (!isMacShaped(deviceId)) return fail(res, 400, `Device-Id must be a MAC address (aa:bb:cc:dd:ee:ff), got ${JSON.stringify(deviceId.slice(0, 40))}`);
  if (!isSafeHeaderValue(clientId)) return fail(res, 400, 'Client-Id has invalid characters');
  const b = isObject(body.value) ? body.value : {};
  const app = isObject(b.application) ? b.application : {};
  const board = isObject(b.board) ? b.board : {};
  const str = (x: unknown) => (typeof x === 'string' && x.length <= 256 ? x : undefined);
  const rec = ctx.registry.touch(deviceId, {
    clientId,
    serialNumber: header(req, 'serial-number'),
    hmacKey: str(app.elf_sha256),
    appVersion: str(app.version),
    board: str(board.type) ?? str(b.model) ?? str(b.chip_model_name),
  });

  const { wsUrl, baseUrl } = ctx.urlsFor(req);
  let token = OTA_PLACEHOLDER_TOKEN;
  if (ctx.mode === 'token') token = ctx.allowedDevices.has(deviceId) ? '' : ctx.makeToken(clientId, deviceId);
  const reply: Record<string, unknown> = {
    server_time: { timestamp: Date.now(), timezone_offset: -new Date().getTimezoneOffset() },
    firmware: { version: str(app.version) ?? '1.0.0', url: '' },
    websocket: { url: wsUrl, token },
  };
  if (ctx.mode === 'cloud' && !rec.activated) {
    const p = ctx.registry.pendingFor(deviceId, ctx.autoApprove);
    reply.activation = {
      code: p.code,
      message: `${baseUrl}/xiaozhi/devserver/\n${p.code}`,
      challenge: p.challenge,
      timeout_ms: Math.max(0, p.expiresAt - Date.now()),
    };
  }
  ctx.log.info({ deviceId: rec.deviceId, activation: reply.activation !== undefined }, 'ota');
  sendJson(res, 200, reply);
}

/** POST /xiaozhi/ota/activate — 202 until the code is entered, then 200 (§5.3). */
export async function handleActivate(ctx: OtaContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req);
  if (!body.ok) return fail(res, body.status, body.error);
  const raw = isObject(body.value) ? body.value : {};
  // py-xiaozhi wraps the firmware shape in {Payload: …} (§5.3).
  const payload = isObject(raw.Payload) ? raw.Payload : raw;
  const challenge = typeof payload.challenge === 'string' ? payload.challenge : undefined;
  const hmac = typeof payload.hmac === 'string' ? payload.hmac : undefined;
  const deviceId = header(req, 'device-id');

  const pending = challenge ? ctx.registry.byChallenge(challenge) : deviceId ? ctx.registry.byDevice(deviceId) : undefined;
  if (!pending) {
    if (deviceId && ctx.registry.isActivated(deviceId)) return sendJson(res, 200, { success: true, message: 'already activated' });
    return sendJson(res, 404, { success: false, error: challenge ? 'unknown challenge: run OTA first' : 'no pending activation for this device: run OTA first' });
  }
  if (deviceId && ctx.registry.get(deviceId)?.deviceId !== pending.deviceId) {
    return sendJson(res, 403, { success: false, error: 'challenge belongs to another device' });
  }
  if (pending.expiresAt <= Date.now()) {
    ctx.registry.expire(pending);
    return sendJson(res, 410, { success: false, error: 'activation code expired: run OTA again for a new code' });
  }
  const rec = ctx.registry.get(pending.deviceId);
  if (typeof payload.serial_number === 'string' && rec) rec.serialNumber = payload.serial_number;
  if (rec?.hmacKey) {
    // py-xiaozhi scheme: key = the hex STRING's UTF-8 bytes, hex output (§5.4).
    const want = createHmac('sha256', Buffer.from(rec.hmacKey, 'utf8')).update(pending.challenge, 'utf8').digest('hex');
    const got = Buffer.from((hmac ?? '').toLowerCase());
    if (got.length !== want.length || !timingSafeEqual(got, Buffer.from(want))) {
      ctx.log.warn({ deviceId: pending.deviceId }, 'activation hmac mismatch');
      return sendJson(res, 401, { success: false, error: 'HMAC does not match the key reported at OTA (application.elf_sha256)' });
    }
  }
  if (!pending.approved) return sendJson(res, 202, { success: false, message: 'waiting for the code to be entered', code: pending.code });
  ctx.registry.complete(pending);
  ctx.log.info({ deviceId: pending.deviceId }, 'device activated');
  sendJson(res, 200, { success: true, message: 'activated' });
}
