/**
 * Connection tickets (reliability-performance.md §2.15 option 1): `POST /api/tickets` mints a random,
 * single-use id valid for 60 s and bound server-side to one upstream target (profile identity, token,
 * websocket URL). The browser's WebSocket URL then carries only the ticket, never the device token.
 */
import { randomBytes } from 'node:crypto';
import type { UpstreamTarget } from './relay/index.ts';

export interface TicketStoreOptions {
  ttlMs: number;
  /** Outstanding tickets kept at most; the oldest are dropped first. */
  maxTickets?: number;
  now?: () => number;
}

export class TicketStore {
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #tickets = new Map<string, { target: UpstreamTarget; expiresAt: number }>();
  readonly #timer: NodeJS.Timeout;

  constructor(opts: TicketStoreOptions) {
    this.#ttlMs = opts.ttlMs;
    this.#max = opts.maxTickets ?? 10_000;
    this.#now = opts.now ?? Date.now;
    this.#timer = setInterval(() => this.sweep(), Math.min(this.#ttlMs, 30_000));
    this.#timer.unref();
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  get size(): number {
    return this.#tickets.size;
  }

  /** A new ticket (256 random bits, base64url) for `target`. */
  issue(target: UpstreamTarget): string {
    const ticket = randomBytes(32).toString('base64url');
    this.#tickets.set(ticket, { target, expiresAt: this.#now() + this.#ttlMs });
    while (this.#tickets.size > this.#max) {
      const oldest = this.#tickets.keys().next().value;
      if (oldest === undefined) break;
      this.#tickets.delete(oldest);
    }
    return ticket;
  }

  /** The target of a valid ticket, which is used up by this call; null when unknown, used or expired. */
  consume(ticket: string): UpstreamTarget | null {
    const entry = this.#tickets.get(ticket);
    if (!entry) return null;
    this.#tickets.delete(ticket);
    return entry.expiresAt > this.#now() ? entry.target : null;
  }

  sweep(): void {
    const now = this.#now();
    for (const [t, e] of this.#tickets) if (e.expiresAt <= now) this.#tickets.delete(t);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#tickets.clear();
  }
}
