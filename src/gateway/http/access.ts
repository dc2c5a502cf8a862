/**
 * ACCESS_KEY enforcement (required when binding to a non-loopback address). Accepted proofs: header
 * `X-Access-Key`, the `xzw_access` cookie (HttpOnly, SameSite=Strict; set by `POST /api/login` or by a
 * page load with `?access_key=`), or `?access_key=` itself. The cookie holds a derived value, never the
 * key, and comparisons are constant-time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const ACCESS_COOKIE = 'xzw_access';
export const ACCESS_HEADER = 'x-access-key';

export class AccessGuard {
  readonly #keyDigest: Buffer | null;
  readonly #cookieValue: string | null;

  constructor(accessKey: string | null) {
    this.#keyDigest = accessKey === null ? null : sha256(accessKey);
    this.#cookieValue = accessKey === null ? null : createHash('sha256').update(`xiaozhi-web-cookie:${accessKey}`).digest('base64url');
  }

  get required(): boolean {
    return this.#keyDigest !== null;
  }

  /** True when `key` is the access key. */
  matchesKey(key: string | undefined | null): boolean {
    if (this.#keyDigest === null) return true;
    if (typeof key !== 'string' || key.length === 0 || key.length > 1024) return false;
    return timingSafeEqual(sha256(key), this.#keyDigest);
  }

  /** Whether the request proves knowledge of the key (always true when no key is configured). */
  allows(req: IncomingMessage, url: URL): boolean {
    if (this.#keyDigest === null) return true;
    const header = req.headers[ACCESS_HEADER];
    if (typeof header === 'string' && this.matchesKey(header)) return true;
    const cookie = readCookie(req.headers.cookie, ACCESS_COOKIE);
    if (cookie !== null && this.#cookieValue !== null && safeEqual(cookie, this.#cookieValue)) return true;
    return this.matchesKey(url.searchParams.get('access_key'));
  }

  /** `Set-Cookie` value proving the key for later requests. */
  cookieHeader(secure: boolean): string {
    return `${ACCESS_COOKIE}=${this.#cookieValue ?? ''}; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000${secure ? '; Secure' : ''}`;
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** Value of cookie `name` from a Cookie header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
