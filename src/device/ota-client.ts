/**
 * OTA check (protocol §5.1–5.2): POST the system report, validate the reply with the protocol
 * schema, and turn every failure into a DeviceError whose message says what happened.
 * TLS verification stays on (Node fetch; node:https with the system roots plus `ca` when a private CA is
 * given, since fetch cannot take one); each request times out after 10 s.
 */
import { networkInterfaces } from 'node:os';
import { postJson as postJsonWithCa } from '../node/http-post.ts';
import { parseOtaReply, type OtaReply } from '../protocol/ota.ts';
import { DeviceError } from './errors.ts';
import { DEFAULT_CLIENT_INFO, buildOtaBody, buildOtaHeaders, type ClientInfo, type OtaTarget } from './ota-request.ts';
import type { DeviceProfile } from './profile-store.ts';

/** Per-request HTTP timeout (issue: "HTTP timeouts 10 s"). */
export const HTTP_TIMEOUT_MS = 10_000;
const MAX_BODY_CHARS = 256 * 1024;

export interface OtaOptions {
  /** Cancels the request (error code `XZ_CANCELLED`). */
  signal?: AbortSignal;
  /** Default 10 000. */
  timeoutMs?: number;
  /** Override what we report (app version, board type, language, ip). */
  client?: Partial<ClientInfo>;
  /** Extra trusted CA (PEM) for a self-hosted server, e.g. the gateway's UPSTREAM_CA_FILE. Adds trust, never replaces it. */
  ca?: string;
}

export interface OtaResult {
  reply: OtaReply;
  /** The URL that was called. */
  url: string;
}

/** Accept a stored profile or a bare target. */
export function toOtaTarget(p: DeviceProfile | OtaTarget): OtaTarget {
  if ('server' in p) return { identity: p.identity, otaUrl: p.server.otaUrl, activationVersion: p.server.activationVersion };
  return p;
}

/** Complete ClientInfo: defaults, this host's LAN address, then overrides. */
export function resolveClientInfo(overrides: Partial<ClientInfo> = {}): ClientInfo {
  return { ...DEFAULT_CLIENT_INFO, ip: localIPv4() ?? DEFAULT_CLIENT_INFO.ip, ...overrides };
}

/**
 * Run one OTA check. Resolves with the validated reply (HTTP 200, no `error` / `success:false`);
 * rejects with `XZ_OTA_NETWORK`, `XZ_OTA_TIMEOUT`, `XZ_OTA_HTTP_STATUS`, `XZ_OTA_REJECTED`,
 * `XZ_OTA_BAD_REPLY`, `XZ_OTA_URL_INVALID` or `XZ_CANCELLED`.
 */
export async function runOta(target: DeviceProfile | OtaTarget, opts: OtaOptions = {}): Promise<OtaResult> {
  const t = toOtaTarget(target);
  const client = resolveClientInfo(opts.client);
  const url = checkUrl(t.otaUrl);
  const { status, text } = await postJson(url, buildOtaHeaders(t, client), buildOtaBody(t.identity, client), opts, 'OTA');
  // §5.2: the firmware requires 200; error bodies may still come with 200 and are checked below.
  if (status !== 200) {
    throw new DeviceError('XZ_OTA_HTTP_STATUS', `OTA server answered HTTP ${status}: ${snippet(text)}`, { status });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DeviceError('XZ_OTA_BAD_REPLY', `OTA reply is not JSON: ${snippet(text)}`, { status });
  }
  const parsed = parseOtaReply(json);
  if (!parsed.ok) {
    const code = parsed.code === 'XZ_OTA_ERROR_BODY' ? 'XZ_OTA_REJECTED' : 'XZ_OTA_BAD_REPLY';
    throw new DeviceError(code, `OTA ${code === 'XZ_OTA_REJECTED' ? 'error' : 'reply invalid'}: ${parsed.detail}`, { status });
  }
  return { reply: parsed.reply, url };
}

/** POST a JSON body with the 10 s timeout; maps fetch failures to DeviceErrors. Used for OTA and activate. */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  opts: { signal?: AbortSignal; timeoutMs?: number; ca?: string },
  what: 'OTA' | 'activation',
): Promise<{ status: number; text: string }> {
  if (opts.signal?.aborted) throw new DeviceError('XZ_CANCELLED', `${what} request cancelled`);
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? HTTP_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  try {
    if (opts.ca) {
      // No redirects on this path (like the gateway's OTA relay): a private server answers where it is.
      const res = await postJsonWithCa(new URL(url), headers, body, signal, opts.ca);
      return { status: res.status, text: res.text.length > MAX_BODY_CHARS ? res.text.slice(0, MAX_BODY_CHARS) : res.text };
    }
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal, redirect: 'follow' });
    const text = await res.text();
    return { status: res.status, text: text.length > MAX_BODY_CHARS ? text.slice(0, MAX_BODY_CHARS) : text };
  } catch (err) {
    if (opts.signal?.aborted) throw new DeviceError('XZ_CANCELLED', `${what} request cancelled`, { cause: err });
    if (timeout.aborted) {
      throw new DeviceError('XZ_OTA_TIMEOUT', `${what} request to ${redactUrl(url)} timed out after ${(opts.timeoutMs ?? HTTP_TIMEOUT_MS) / 1000} s`, { cause: err });
    }
    throw new DeviceError('XZ_OTA_NETWORK', `${what} request to ${redactUrl(url)} failed: ${describeNetworkError(err)}`, { cause: err });
  }
}

function checkUrl(otaUrl: string): string {
  let u: URL;
  try {
    u = new URL(otaUrl);
  } catch {
    throw new DeviceError('XZ_OTA_URL_INVALID', `OTA URL is not a URL: ${otaUrl}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new DeviceError('XZ_OTA_URL_INVALID', `OTA URL must be http(s): ${otaUrl}`);
  return u.href;
}

/** Node fetch hides the socket error in `cause` (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED …); node:https does not. */
function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ? e.cause : e.code ? e : undefined;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

/** Query strings may carry tokens on some servers: never echo them. */
function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.search) u.search = '?…';
  u.username = '';
  u.password = '';
  return u.href;
}

function snippet(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine || '(empty body)';
}

function localIPv4(): string | undefined {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}
