/**
 * Bytes → kbps over a sliding window, plus a bounded history for the stats sparkline.
 * Pure (caller passes the clock), unit-tested.
 */
export class RateMeter {
  private readonly events: { t: number; bytes: number }[] = [];
  private total = 0;
  readonly history: number[] = [];

  constructor(private readonly windowMs = 2000, private readonly historyLen = 60) {}

  add(bytes: number, nowMs: number): void {
    this.events.push({ t: nowMs, bytes });
    this.total += bytes;
    this.trim(nowMs);
  }

  /** Average rate over the window ending at `nowMs`, kbit/s. */
  kbps(nowMs: number): number {
    this.trim(nowMs);
    let sum = 0;
    for (const e of this.events) sum += e.bytes;
    return (sum * 8) / this.windowMs;
  }

  /** Appends the current rate to the history (call once per sampling tick). */
  sample(nowMs: number): number {
    const k = this.kbps(nowMs);
    this.history.push(k);
    if (this.history.length > this.historyLen) this.history.shift();
    return k;
  }

  get totalBytes(): number {
    return this.total;
  }

  private trim(nowMs: number): void {
    while (this.events.length && (this.events[0] as { t: number }).t <= nowMs - this.windowMs) this.events.shift();
  }
}
