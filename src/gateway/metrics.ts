/**
 * Minimal Prometheus text-format registry (exposition format 0.0.4) and the gateway's metric set.
 * Hot-path use goes through pre-bound label children (`counter.labels(...)` once, then `inc()` per
 * frame), so relaying a frame costs a property add, not a label lookup (reliability §2.16).
 */

type Labels = Record<string, string | number>;

function labelKey(names: readonly string[], labels: Labels | undefined): string {
  if (names.length === 0) return '';
  return names.map((n) => `${n}="${escapeLabel(String(labels?.[n] ?? ''))}"`).join(',');
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function fmt(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

interface Metric {
  readonly name: string;
  render(out: string[]): void;
}

/** A monotonically increasing value (one label set). */
export class CounterChild {
  value = 0;
  inc(n = 1): void {
    this.value += n;
  }
}

export class Counter implements Metric {
  private readonly children = new Map<string, CounterChild>();
  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[] = []) {}
  /** The child for one label set; keep it and call `inc()` on the hot path. */
  labels(labels?: Labels): CounterChild {
    const key = labelKey(this.labelNames, labels);
    let c = this.children.get(key);
    if (!c) this.children.set(key, (c = new CounterChild()));
    return c;
  }
  inc(labels?: Labels, n = 1): void {
    this.labels(labels).inc(n);
  }
  get(labels?: Labels): number {
    return this.children.get(labelKey(this.labelNames, labels))?.value ?? 0;
  }
  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`);
    if (this.children.size === 0 && this.labelNames.length === 0) out.push(`${this.name} 0`);
    for (const [key, c] of this.children) out.push(`${this.name}${key ? `{${key}}` : ''} ${fmt(c.value)}`);
  }
}

export class Gauge implements Metric {
  private readonly children = new Map<string, { value: number }>();
  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[] = []) {}
  labels(labels?: Labels): { value: number } {
    const key = labelKey(this.labelNames, labels);
    let c = this.children.get(key);
    if (!c) this.children.set(key, (c = { value: 0 }));
    return c;
  }
  set(v: number, labels?: Labels): void {
    this.labels(labels).value = v;
  }
  inc(n = 1, labels?: Labels): void {
    this.labels(labels).value += n;
  }
  dec(n = 1, labels?: Labels): void {
    this.labels(labels).value -= n;
  }
  get(labels?: Labels): number {
    return this.children.get(labelKey(this.labelNames, labels))?.value ?? 0;
  }
  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`);
    if (this.children.size === 0 && this.labelNames.length === 0) out.push(`${this.name} 0`);
    for (const [key, c] of this.children) out.push(`${this.name}${key ? `{${key}}` : ''} ${fmt(c.value)}`);
  }
}

class HistogramChild {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(private readonly buckets: readonly number[]) {
    this.counts = new Array<number>(buckets.length).fill(0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) this.counts[i]!++;
  }
}

export class Histogram implements Metric {
  private readonly children = new Map<string, HistogramChild>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
    readonly labelNames: readonly string[] = [],
  ) {}
  labels(labels?: Labels): HistogramChild {
    const key = labelKey(this.labelNames, labels);
    let c = this.children.get(key);
    if (!c) this.children.set(key, (c = new HistogramChild(this.buckets)));
    return c;
  }
  observe(v: number, labels?: Labels): void {
    this.labels(labels).observe(v);
  }
  count(labels?: Labels): number {
    return this.children.get(labelKey(this.labelNames, labels))?.count ?? 0;
  }
  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`);
    for (const [key, c] of this.children) {
      const pre = key ? `${key},` : '';
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket{${pre}le="${fmt(b)}"} ${c.counts[i]}`));
      out.push(`${this.name}_bucket{${pre}le="+Inf"} ${c.count}`);
      out.push(`${this.name}_sum${key ? `{${key}}` : ''} ${fmt(c.sum)}`);
      out.push(`${this.name}_count${key ? `{${key}}` : ''} ${c.count}`);
    }
  }
}

/** A set of metrics rendered together. */
export class MetricsRegistry {
  private readonly metrics: Metric[] = [];
  register<M extends Metric>(m: M): M {
    if (this.metrics.some((x) => x.name === m.name)) throw new Error(`metric ${m.name} registered twice`);
    this.metrics.push(m);
    return m;
  }
  /** Prometheus text exposition (serve with `text/plain; version=0.0.4; charset=utf-8`). */
  render(): string {
    const out: string[] = [];
    for (const m of this.metrics) m.render(out);
    return out.join('\n') + '\n';
  }
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Every metric the gateway exports; the HTTP part serves `render()` on /metrics. */
export interface GatewayMetrics {
  registry: MetricsRegistry;
  sessionsActive: Gauge;
  sessionsTotal: Counter;
  upstreamConnectSeconds: Histogram;
  upstreamFailures: Counter;
  helloRoundTripSeconds: Histogram;
  /** side = client | upstream, direction = received (by the gateway) | sent (by the gateway). */
  closeCodes: Counter;
  /** direction = up (browser→server) | down (server→browser). */
  bytes: Counter;
  /** direction × type (text | binary). */
  frames: Counter;
  droppedAudioFrames: Counter;
  backpressurePauses: Counter;
  keepaliveTerminations: Counter;
  /** reason = catalogue code or a short word; incremented by the HTTP part too. */
  rejectedConnections: Counter;
  render(): string;
}

export function createGatewayMetrics(prefix = 'xiaozhi_gateway_'): GatewayMetrics {
  const r = new MetricsRegistry();
  const n = (s: string) => prefix + s;
  const m: Omit<GatewayMetrics, 'render'> = {
    registry: r,
    sessionsActive: r.register(new Gauge(n('sessions_active'), 'Relay sessions currently open or dialing.')),
    sessionsTotal: r.register(new Counter(n('sessions_total'), 'Relay sessions started.')),
    upstreamConnectSeconds: r.register(
      new Histogram(n('upstream_connect_seconds'), 'Time to open the upstream WebSocket.', LATENCY_BUCKETS, ['outcome']),
    ),
    upstreamFailures: r.register(new Counter(n('upstream_failures_total'), 'Upstream dial failures by catalogue code.', ['code'])),
    helloRoundTripSeconds: r.register(
      new Histogram(n('hello_round_trip_seconds'), 'Client hello to server hello.', LATENCY_BUCKETS),
    ),
    closeCodes: r.register(new Counter(n('close_codes_total'), 'Close codes by leg and direction.', ['side', 'direction', 'code'])),
    bytes: r.register(new Counter(n('relayed_bytes_total'), 'Payload bytes relayed.', ['direction'])),
    frames: r.register(new Counter(n('relayed_frames_total'), 'Frames relayed.', ['direction', 'type'])),
    droppedAudioFrames: r.register(
      new Counter(n('dropped_audio_frames_total'), 'Audio frames dropped because a destination could not keep up.', ['direction']),
    ),
    backpressurePauses: r.register(new Counter(n('backpressure_pauses_total'), 'Times a source leg was paused.', ['direction'])),
    keepaliveTerminations: r.register(
      new Counter(n('keepalive_terminations_total'), 'Legs terminated after missing two pongs.', ['side']),
    ),
    rejectedConnections: r.register(new Counter(n('rejected_connections_total'), 'Connections refused before relaying.', ['reason'])),
  };
  return { ...m, render: () => r.render() };
}
