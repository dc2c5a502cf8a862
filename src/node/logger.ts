/**
 * Structured logging with secrets kept out (reliability-performance.md §2.15–§2.16): tokens, tickets,
 * Authorization headers and query strings are redacted, device ids are hashed. pino writes
 * asynchronously when given `sync: false` destinations; nothing in the relay logs per frame.
 */
import { createHash } from 'node:crypto';
import { pino, type DestinationStream, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = PinoLogger;

/** Keys whose values never reach a log line, at the top level or one object down. */
const SECRET_KEYS = [
  'authorization', 'Authorization', 'token', 'access_token', 'accessToken', 'ticket', 'cookie',
  'password', 'secret', 'accessKey', 'access_key', 'query',
];

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'headers.authorization', 'headers.cookie', '*.headers.authorization', '*.headers.cookie',
  '*.headers["sec-websocket-protocol"]',
];

/** Query parameters whose values are secrets (everything else in a query is still hidden by default). */
const SAFE_QUERY_KEYS = new Set(['lang', 'v', 'version']);

/** Short, stable, non-reversible label for a device id (sha256, 12 hex chars). */
export function hashDeviceId(deviceId: string | undefined | null): string {
  if (!deviceId) return '-';
  return createHash('sha256').update(deviceId).digest('hex').slice(0, 12);
}

/**
 * A URL safe to log: path kept, every query value replaced by `[REDACTED]` except a few harmless keys,
 * userinfo and fragment dropped. Works on absolute URLs and on request paths like `/ws?token=x`.
 */
export function redactUrl(url: string | undefined | null): string {
  if (!url) return '';
  const q = url.indexOf('?');
  const hashAt = url.indexOf('#');
  let base = q >= 0 ? url.slice(0, q) : hashAt >= 0 ? url.slice(0, hashAt) : url;
  base = base.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1'); // user:pass@host
  if (q < 0) return base;
  const query = url.slice(q + 1, hashAt > q ? hashAt : undefined);
  const parts = query.split('&').filter(Boolean).map((pair) => {
    const eq = pair.indexOf('=');
    const key = eq >= 0 ? pair.slice(0, eq) : pair;
    let name = key;
    try { name = decodeURIComponent(key); } catch { /* keep raw */ }
    if (SAFE_QUERY_KEYS.has(name) && eq >= 0) return pair;
    return `${key}=[REDACTED]`;
  });
  return parts.length ? `${base}?${parts.join('&')}` : base;
}

export interface CreateLoggerOptions {
  level?: LevelWithSilent;
  name?: string;
  /** Where lines go (default stdout). Tests pass a capture stream. */
  destination?: DestinationStream;
}

/** The project's logger: JSON lines, redaction, hashed device ids, redacted URLs. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const opts = {
    level: options.level ?? 'info',
    name: options.name,
    base: undefined,
    redact: { paths: [...REDACT_PATHS], censor: '[REDACTED]' },
    serializers: {
      url: (u: unknown) => (typeof u === 'string' ? redactUrl(u) : u),
      upstreamUrl: (u: unknown) => (typeof u === 'string' ? redactUrl(u) : u),
      deviceId: (d: unknown) => (typeof d === 'string' ? hashDeviceId(d) : d),
      device_id: (d: unknown) => (typeof d === 'string' ? hashDeviceId(d) : d),
      err: pino.stdSerializers.err,
    },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** A logger that discards everything (tests, `logger: false`). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
