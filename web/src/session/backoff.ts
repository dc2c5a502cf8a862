/**
 * Reconnect delays: exponential backoff with full jitter ("decorrelated" enough for a browser),
 * used only after network drops — never after authentication/activation/configuration failures
 * (see session.ts and src/protocol/errors.ts).
 */
export interface BackoffOptions {
  /** First delay ceiling, ms. Default 500. */
  baseMs?: number;
  /** Largest delay, ms. Default 30 000. */
  maxMs?: number;
  /** Give up after this many attempts. Default 10. */
  maxAttempts?: number;
  /** Random source in [0, 1); injectable for tests. */
  random?: () => number;
}

export class Backoff {
  private readonly baseMs: number;
  private readonly maxMs: number;
  readonly maxAttempts: number;
  private readonly random: () => number;
  private n = 0;

  constructor(o: BackoffOptions = {}) {
    this.baseMs = o.baseMs ?? 500;
    this.maxMs = o.maxMs ?? 30_000;
    this.maxAttempts = o.maxAttempts ?? 10;
    this.random = o.random ?? Math.random;
  }

  /** Attempts made since the last reset. */
  get attempts(): number {
    return this.n;
  }

  /** Next delay in ms, or null when attempts are exhausted. Half fixed, half random. */
  next(): number | null {
    if (this.n >= this.maxAttempts) return null;
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** this.n);
    this.n++;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  /** A session reached `ready`: start over. */
  reset(): void {
    this.n = 0;
  }
}
