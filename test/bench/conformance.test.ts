/**
 * Relay conformance (reliability-performance.md §2.1): the Autobahn-style raw-socket cases, first straight to
 * the echo upstream (ws itself — proves the cases are right), then through the real gateway process in its
 * default splice mode and in framed mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBenchUpstream, type BenchUpstream } from '../../bench/upstream.ts';
import { runConformance } from '../../bench/reliability/conformance.ts';
import { legacyPath, RAISED_LIMITS, startGatewayProcess, type GatewayProc } from '../../bench/reliability/gateway-process.ts';

let up: BenchUpstream;
let gw: GatewayProc;

beforeAll(async () => {
  up = await startBenchUpstream({ mode: 'echo' });
  gw = await startGatewayProcess(`ws://127.0.0.1:${up.port}/xiaozhi/v1/`, RAISED_LIMITS);
});
afterAll(async () => {
  await gw?.stop();
  await up?.close();
});

const failures = (r: { results: { ok: boolean; id: string; detail: string }[] }) => r.results.filter((x) => !x.ok).map((x) => `${x.id}: ${x.detail}`);

describe('relay conformance (raw sockets)', () => {
  it('every case passes straight against the echo upstream (control)', async () => {
    const r = await runConformance({ port: up.port, path: '/xiaozhi/v1/', headers: { Authorization: 'Bearer t', 'Device-Id': '02:00:00:00:00:01', 'Client-Id': 'c', 'Protocol-Version': '1' } });
    expect(r.cases).toBeGreaterThan(70);
    expect(failures(r)).toEqual([]);
  });

  it('every case passes through the gateway to the echo upstream, including the 64 KiB cap', async () => {
    const r = await runConformance({ port: gw.port, path: legacyPath(), maxMessageBytes: 65536 });
    expect(r.cases).toBeGreaterThan(70);
    expect(failures(r)).toEqual([]);
    expect(gw.output()).not.toContain('bench-token-0123456789');
  });

  it('every case passes in framed mode too (RELAY_MODE=framed)', async () => {
    const framed = await startGatewayProcess(`ws://127.0.0.1:${up.port}/xiaozhi/v1/`, { ...RAISED_LIMITS, RELAY_MODE: 'framed' });
    try {
      const r = await runConformance({ port: framed.port, path: legacyPath(), maxMessageBytes: 65536 });
      expect(r.cases).toBeGreaterThan(70);
      expect(failures(r)).toEqual([]);
    } finally {
      await framed.stop();
    }
  });

  it('the upstream saw the four injected headers', () => {
    const h = up.seen.at(-1)!;
    expect(h.authorization).toBe('Bearer bench-token-0123456789');
    expect(h.deviceId).toMatch(/^02:00:00:00:/);
    expect(h.clientId).toMatch(/^00000000-/);
    expect(h.protocolVersion).toBe('1');
  });
});
