/**
 * Origin and CSRF checks (reliability-performance.md §2.12, RFC 6455 §10.2). Allowed: no Origin at all
 * (non-browser clients), an Origin whose host:port equals the request's Host (the gateway's own pages,
 * http or https so TLS-terminating proxies work), or an exact ALLOWED_ORIGINS entry. `null` and any other
 * origin are refused. There is no CORS anywhere, so a foreign page can also never read API replies.
 */
import type { IncomingMessage } from 'node:http';

export type OriginVerdict = 'absent' | 'same' | 'listed' | 'forbidden';

export function checkOrigin(req: IncomingMessage, allowedOrigins: readonly string[]): OriginVerdict {
  const origin = req.headers.origin;
  if (origin === undefined) return 'absent';
  if (origin === 'null' || origin === '') return 'forbidden';
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return 'forbidden';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'forbidden';
  const host = (req.headers.host ?? '').toLowerCase();
  if (host && u.host.toLowerCase() === host) return 'same';
  // localhost / 127.0.0.1 / [::1] on the same port are one origin for our purposes: the original pages
  // hard-code ws://127.0.0.1:8080 and are often opened as http://localhost:8080.
  if (host && isLoopbackHostPort(u.host) && isLoopbackHostPort(host) && portOf(u) === portOf(new URL(`http://${host}`))) return 'same';
  return allowedOrigins.includes(u.origin) ? 'listed' : 'forbidden';
}

/**
 * CSRF defence for state-changing routes: Sec-Fetch-Site (when a browser sends it) must be
 * same-origin or none, and the Origin must pass {@link checkOrigin}.
 */
export function isSameOriginWrite(req: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    // same-site / cross-site: only when the origin is explicitly listed.
    return checkOrigin(req, allowedOrigins) === 'listed';
  }
  return checkOrigin(req, allowedOrigins) !== 'forbidden';
}

function isLoopbackHostPort(hostPort: string): boolean {
  const h = hostPort.toLowerCase().replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function portOf(u: URL): string {
  return u.port || (u.protocol === 'https:' ? '443' : '80');
}
