/**
 * Credentials of a WebSocket handshake and the three auth modes (xiaozhi-protocol.md §2.2–§2.6).
 * ES semantics: query parameters are used only when the `device-id` header is absent.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_MAX_AGE_S = 2_592_000; // 30 days (§2.4)

export interface Credentials {
  deviceId?: string;
  clientId?: string;
  authorization?: string;
  protocolVersion?: string;
  headersSource: 'header' | 'query';
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** Read Device-Id, Client-Id, Authorization and Protocol-Version from headers, falling back to the query. */
export function readCredentials(req: IncomingMessage): Credentials {
  const h = req.headers;
  const protocolVersion = first(h['protocol-version']);
  const headerDevice = first(h['device-id']);
  if (headerDevice) {
    return { deviceId: headerDevice, clientId: first(h['client-id']), authorization: first(h.authorization), protocolVersion, headersSource: 'header' };
  }
  let q: URLSearchParams;
  try {
    q = new URL(req.url ?? '/', 'http://x').searchParams;
  } catch {
    q = new URLSearchParams();
  }
  return {
    deviceId: q.get('device-id') ?? undefined,
    clientId: q.get('client-id') ?? first(h['client-id']),
    authorization: q.get('authorization') ?? first(h.authorization),
    protocolVersion,
    headersSource: 'query',
  };
}

const sign = (key: string, clientId: string, deviceId: string, ts: number) =>
  createHmac('sha256', key).update(`${clientId}|${deviceId}|${ts}`).digest('base64url');

/** ES token `<base64url sig>.<ts>` over `client-id|device-id|ts` (§2.4). */
export function makeEsToken(key: string, clientId: string, deviceId: string, nowMs = Date.now()): string {
  const ts = Math.floor(nowMs / 1000);
  return `${sign(key, clientId, deviceId, ts)}.${ts}`;
}

/** Constant-time check of an ES token; a missing client id signs as "None" like ES, so it fails. */
export function verifyEsToken(key: string, token: string, clientId: string | undefined, deviceId: string, nowMs = Date.now(), maxAgeS = TOKEN_MAX_AGE_S): boolean {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return false;
  const sig = token.slice(0, dot);
  const ts = Number(token.slice(dot + 1));
  if (!Number.isInteger(ts) || nowMs / 1000 - ts > maxAgeS) return false;
  const want = Buffer.from(sign(key, clientId ?? 'None', deviceId, ts));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got);
}

export type AuthMode = 'open' | 'token' | 'cloud';

export type AuthDecision =
  | { ok: true }
  /** ES-style refusal: text frame, then close 1000 (§2.6). */
  | { ok: false; kind: 'text-close'; text: string; why: string }
  /** Cloud style: answer hello, then close without status (§2.5–§2.6). */
  | { ok: false; kind: 'close-after-hello'; why: string };

export const NO_DEVICE_ID_TEXT = '端口正常，如需测试连接，请启动digital-human测试';
export const AUTH_FAILED_TEXT = '认证失败';

export interface AuthContext {
  mode: AuthMode;
  authKey: string;
  allowedDevices: ReadonlySet<string>;
  isActivated(deviceId: string): boolean;
}

/** Decide whether a connection may proceed. */
export function authorize(ctx: AuthContext, cred: Credentials, nowMs = Date.now()): AuthDecision {
  if (!cred.deviceId) return { ok: false, kind: 'text-close', text: NO_DEVICE_ID_TEXT, why: 'no device id' };
  if (ctx.mode === 'open') return { ok: true };
  if (ctx.mode === 'token') {
    if (ctx.allowedDevices.has(cred.deviceId)) return { ok: true };
    const auth = cred.authorization ?? '';
    if (!auth.startsWith('Bearer ')) return { ok: false, kind: 'text-close', text: AUTH_FAILED_TEXT, why: 'no Bearer authorization' };
    if (!verifyEsToken(ctx.authKey, auth.slice(7), cred.clientId, cred.deviceId, nowMs)) {
      return { ok: false, kind: 'text-close', text: AUTH_FAILED_TEXT, why: 'token invalid or expired' };
    }
    return { ok: true };
  }
  if (!ctx.isActivated(cred.deviceId)) return { ok: false, kind: 'close-after-hello', why: 'device not activated' };
  return { ok: true };
}
