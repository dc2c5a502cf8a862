/**
 * Opening the upstream leg: the four XiaoZhi headers (xiaozhi-protocol.md §2.2) and nothing from the
 * browser, no compression, TLS verification always on, bounded handshake; failures classified into the
 * catalogue's distinct codes (reliability-performance.md §2.7).
 */
import { rootCertificates } from 'node:tls';
import WebSocket from 'ws';
import type { XzErrorCode } from '../../protocol/errors.ts';
import type { UpstreamTarget } from './index.ts';

/** Our own User-Agent: the browser's is not forwarded (no client headers wholesale, §2.13). */
export const UPSTREAM_USER_AGENT = 'xiaozhi-web-gateway/0.1';

/** Handshake headers for `target`. Authorization is omitted for an empty token (firmware rule §2.2). */
export function upstreamHeaders(target: UpstreamTarget): Record<string, string> {
  const h: Record<string, string> = {
    'Protocol-Version': String(target.protocolVersion),
    'Device-Id': target.deviceId,
    'Client-Id': target.clientId,
    'User-Agent': UPSTREAM_USER_AGENT,
  };
  const token = target.token ?? '';
  // Firmware: prefix "Bearer " only when the stored token has no space (it may already carry a scheme).
  if (token !== '') h.Authorization = token.includes(' ') ? token : `Bearer ${token}`;
  return h;
}

let cachedRoots: string[] | undefined;

/** Node's `ca` option replaces the default roots, so an extra CA is appended to them, never substituted. */
function trustedCas(extra: string | Buffer): (string | Buffer)[] {
  cachedRoots ??= [...rootCertificates];
  return [...cachedRoots, extra];
}

export interface DialOptions {
  maxPayload: number;
  handshakeTimeoutMs: number;
}

/** Start the upstream handshake. Throws synchronously only for an unusable URL or header value. */
export function dialUpstream(target: UpstreamTarget, o: DialOptions): WebSocket {
  return new WebSocket(target.url, {
    headers: upstreamHeaders(target),
    perMessageDeflate: false,
    handshakeTimeout: o.handshakeTimeoutMs,
    maxPayload: o.maxPayload,
    maxFragments: 1024,
    followRedirects: false,
    ...(target.ca ? { ca: trustedCas(target.ca) } : {}),
  });
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_REVOKED', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'HOSTNAME_MISMATCH',
  'ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO',
]);

export interface DialFailure {
  code: XzErrorCode;
  /** HTTP status when the server answered the upgrade with something other than 101. */
  httpStatus?: number;
  /** The underlying error code (ENOTFOUND, DEPTH_ZERO_SELF_SIGNED_CERT, ...), for logs and metrics. */
  cause: string;
}

/** Map a `ws` client error raised before `open` to a catalogue code. */
export function classifyDialError(err: Error & { code?: string }): DialFailure {
  const c = err.code ?? '';
  const m = /Unexpected server response: (\d{3})/.exec(err.message);
  if (m) {
    const status = Number(m[1]);
    const code = status === 401 || status === 403 ? 'XZ_UPSTREAM_AUTH_REJECTED' : 'XZ_UPSTREAM_HTTP_ERROR';
    return { code, httpStatus: status, cause: `HTTP_${status}` };
  }
  if (c === 'ENOTFOUND' || c === 'EAI_AGAIN' || c === 'EAI_FAIL' || c === 'EAI_NONAME' || c === 'EAI_NODATA') {
    return { code: 'XZ_UPSTREAM_DNS', cause: c };
  }
  if (c === 'ECONNREFUSED') return { code: 'XZ_UPSTREAM_REFUSED', cause: c };
  if (TLS_CODES.has(c) || c.startsWith('ERR_SSL_') || c.startsWith('ERR_TLS_') || /certificate|SSL|TLS/i.test(err.message)) {
    return { code: 'XZ_UPSTREAM_TLS', cause: c || 'TLS' };
  }
  if (/handshake has timed out/i.test(err.message) || c === 'ETIMEDOUT') {
    return { code: 'XZ_UPSTREAM_TIMEOUT', cause: c || 'HANDSHAKE_TIMEOUT' };
  }
  return { code: 'XZ_UPSTREAM_UNREACHABLE', cause: c || err.name || 'ERROR' };
}
