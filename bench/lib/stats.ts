/** Sample collection and order statistics for the bench (exact percentiles over every sample). */

/** Growable Float64 sample buffer: millions of latencies without per-sample objects. */
export class Samples {
  private buf = new Float64Array(1024);
  private n = 0;

  add(v: number): void {
    if (this.n === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = v;
  }

  get count(): number {
    return this.n;
  }

  /** Sorted copy of the samples. */
  sorted(): Float64Array {
    return this.buf.slice(0, this.n).sort();
  }
}

/** Nearest-rank percentile of an ascending array (p in 0..100); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Quantiles {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** p50/p99/p99.9/max of a sample set, rounded to µs. */
export function quantiles(s: Samples): Quantiles {
  const a = s.sorted();
  const r = (x: number) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : Number.NaN);
  return { count: a.length, p50: r(percentile(a, 50)), p99: r(percentile(a, 99)), p999: r(percentile(a, 99.9)), max: r(a.length ? a[a.length - 1]! : Number.NaN) };
}

/** Median of finite numbers; NaN when none. */
export function median(values: readonly number[]): number {
  const a = values.filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
  if (a.length === 0) return Number.NaN;
  const mid = a.length >> 1;
  return a.length % 2 ? a[mid]! : (a[mid - 1]! + a[mid]!) / 2;
}
