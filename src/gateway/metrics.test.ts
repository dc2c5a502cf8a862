import { describe, expect, test } from 'vitest';
import { Counter, createGatewayMetrics, Histogram, MetricsRegistry } from './metrics.ts';

describe('metrics registry', () => {
  test('renders counters with escaped labels and bound children', () => {
    const r = new MetricsRegistry();
    const c = r.register(new Counter('x_total', 'help', ['side', 'code']));
    const child = c.labels({ side: 'client', code: 1000 });
    child.inc();
    child.inc(2);
    c.inc({ side: 'a"b\\c\n', code: 1 });
    const text = r.render();
    expect(text).toContain('# TYPE x_total counter');
    expect(text).toContain('x_total{side="client",code="1000"} 3');
    expect(text).toContain('x_total{side="a\\"b\\\\c\\n",code="1"} 1');
    expect(c.get({ side: 'client', code: 1000 })).toBe(3);
  });

  test('histogram buckets are cumulative and end with +Inf', () => {
    const r = new MetricsRegistry();
    const h = r.register(new Histogram('lat_seconds', 'h', [0.1, 1]));
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    const text = r.render();
    expect(text).toContain('lat_seconds_bucket{le="0.1"} 1');
    expect(text).toContain('lat_seconds_bucket{le="1"} 2');
    expect(text).toContain('lat_seconds_bucket{le="+Inf"} 3');
    expect(text).toContain('lat_seconds_count 3');
    expect(text).toContain('lat_seconds_sum 5.55');
  });

  test('refuses duplicate names', () => {
    const r = new MetricsRegistry();
    r.register(new Counter('a', 'a'));
    expect(() => r.register(new Counter('a', 'a'))).toThrow(/twice/);
  });

  test('gateway metric set renders every family once', () => {
    const m = createGatewayMetrics();
    m.rejectedConnections.inc({ reason: 'XZ_RATE_LIMITED' });
    m.sessionsActive.inc();
    const text = m.render();
    for (const name of ['sessions_active', 'sessions_total', 'upstream_connect_seconds', 'hello_round_trip_seconds',
      'close_codes_total', 'relayed_bytes_total', 'relayed_frames_total', 'dropped_audio_frames_total',
      'rejected_connections_total']) {
      expect(text.match(new RegExp(`# TYPE xiaozhi_gateway_${name} `, 'g'))?.length).toBe(1);
    }
    expect(text).toContain('xiaozhi_gateway_rejected_connections_total{reason="XZ_RATE_LIMITED"} 1');
    expect(text).toContain('xiaozhi_gateway_sessions_active 1');
  });
});
