/**
 * Admission limits checked BEFORE a WebSocket upgrade (reliability-performance.md §2.11): a global
 * session cap (503), per-IP concurrent sessions and per-IP new sessions per second (429); plus the
 * token bucket used by the OTA/activation relay and the login route (§2.17).
 */

export type Admission =
  | { ok: true; release: () => void }
  | { ok: false; reason: 'XZ_CAPACITY' | 'XZ_RATE_LIMITED'; detail: string; retryAfterSec: number };

export interface SessionLimitsOptions {
  maxSessions: number;
  maxSessionsPerIp: number;
  maxNewSessionsPerIpPerSec: number;
  now?: () => number;
}

/** Counts admitted sessions per client IP; `release()` (idempotent) must run when the socket closes. */
export class SessionLimits {
  readonly #opts: SessionLimitsOptions;
  readonly #now: () => number;
  #total = 0;
  readonly #perIp = new Map<string, number>();
  /** Start times of the last second's admissions per IP. */
  readonly #recent = new Map<string, number[]>();

  constructor(opts: SessionLimitsOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  get total(): number {
    return this.#total;
  }

  /** Try to admit one session from `ip`. */
  admit(ip: string): Admission {
    const now = this.#now();
    if (this.#total >= this.#opts.maxSessions) {
      return { ok: false, reason: 'XZ_CAPACITY', detail: `gateway session limit ${this.#opts.maxSessions} reached`, retryAfterSec: 5 };
    }
    const current = this.#perIp.get(ip) ?? 0;
    if (current >= this.#opts.maxSessionsPerIp) {
      return { ok: false, reason: 'XZ_RATE_LIMITED', detail: `at most ${this.#opts.maxSessionsPerIp} sessions per address`, retryAfterSec: 5 };
    }
    const recent = (this.#recent.get(ip) ?? []).filter((t) => now - t < 1000);
    if (recent.length >= this.#opts.maxNewSessionsPerIpPerSec) {
      this.#recent.set(ip, recent);
      return { ok: false, reason: 'XZ_RATE_LIMITED', detail: `at most ${this.#opts.maxNewSessionsPerIpPerSec} new sessions per second per address`, retryAfterSec: 1 };
    }
    recent.push(now);
    this.#recent.set(ip, recent);
    this.#perIp.set(ip, current + 1);
    this.#total++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#total--;
        const n = (this.#perIp.get(ip) ?? 1) - 1;
        if (n <= 0) this.#perIp.delete(ip);
        else this.#perIp.set(ip, n);
      },
    };
  }

  /** Forget rate-window entries older than a second (called from a timer so idle IPs do not pile up). */
  sweep(): void {
    const now = this.#now();
    for (const [ip, times] of this.#recent) {
      const keep = times.filter((t) => now - t < 1000);
      if (keep.length === 0) this.#recent.delete(ip);
      else this.#recent.set(ip, keep);
    }
  }
}

export interface TokenBucketOptions {
  /** Sustained rate. */
  perMinute: number;
  burst: number;
  /** Buckets kept at most (oldest evicted first) so random keys cannot exhaust memory. */
  maxKeys?: number;
  now?: () => number;
}

/** Keyed token buckets: `take(key)` spends one token or says how long to wait. */
export class TokenBuckets {
  readonly #opts: Required<Omit<TokenBucketOptions, 'now'>>;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(opts: TokenBucketOptions) {
    this.#opts = { perMinute: opts.perMinute, burst: opts.burst, maxKeys: opts.maxKeys ?? 10_000 };
    this.#now = opts.now ?? Date.now;
  }

  take(key: string): { ok: true } | { ok: false; retryAfterSec: number } {
    const now = this.#now();
    const ratePerMs = this.#opts.perMinute / 60_000;
    let b = this.#buckets.get(key);
    if (b) {
      b.tokens = Math.min(this.#opts.burst, b.tokens + (now - b.at) * ratePerMs);
      b.at = now;
      this.#buckets.delete(key); // re-insert: Map order = least recently used first
    } else {
      b = { tokens: this.#opts.burst, at: now };
    }
    this.#buckets.set(key, b);
    if (this.#buckets.size > this.#opts.maxKeys) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - b.tokens) / ratePerMs / 1000)) };
  }
}
