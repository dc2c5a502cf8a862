/**
 * CI-sized bench run (issue 6): N = 200, a few seconds per target, direct + gateway (nginx not required).
 * It proves the harness works end to end and that the report is complete and sane — not a speed test.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench, type BenchReport } from '../../bench/harness.ts';
import { writeReport } from '../../bench/report.ts';

const out = mkdtempSync(join(tmpdir(), 'xzw-bench-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('bench harness, short run', () => {
  let report: BenchReport;

  it('runs direct and the gateway at N = 200 and writes JSON, Markdown and SVG', async () => {
    report = await runBench({
      targets: ['direct', 'gateway'], steps: [200], durationSec: 6, warmupSec: 2, reps: 1, rampPerSec: 500, idleSec: 1,
      // Thresholds out of the way: this run checks the harness, not speed, on a shared 2-core box.
      maxLoss: 1, maxP99Ms: 1e9, maxLagMs: 1e9, extend: false, maxN: 200, outDir: out, pin: true, log: () => undefined,
    });
    const paths = writeReport(report, out);
    for (const p of [paths.json, paths.md, paths.svg]) expect(existsSync(p)).toBe(true);
    expect(readFileSync(paths.svg, 'utf8')).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>\s*$/);
    const md = readFileSync(paths.md, 'utf8');
    expect(md).toContain('| gateway | 200 |');
    expect(md).toContain('| direct | 200 |');
    const json = JSON.parse(readFileSync(paths.json, 'utf8')) as { steps: unknown[]; goals: unknown[] };
    expect(json.steps).toHaveLength(2);
    expect(json.goals.length).toBeGreaterThan(5);
  }, 90_000);

  it('the gateway lost no first message and no frame, and every field is present and sane', () => {
    const gw = report.steps.find((s) => s.target === 'gateway')!;
    const direct = report.steps.find((s) => s.target === 'direct')!;
    for (const s of [gw, direct]) {
      expect(s.runs).toBe(1);
      expect(s.firstMessageLost).toBe(0);
      expect(s.failedSessions).toBe(0);
      expect(s.loss).toBeLessThan(0.01);
      expect(s.p50).toBeGreaterThan(0);
      expect(s.p99).toBeGreaterThanOrEqual(s.p50);
      expect(s.p999).toBeGreaterThanOrEqual(s.p99);
      expect(s.rttP50).toBeGreaterThan(s.p50 * 0.5);
      expect(s.handshakeP50).toBeGreaterThan(0);
      expect(s.handshakeP99).toBeGreaterThanOrEqual(s.handshakeP50);
      expect(Number.isFinite(s.loadgenLagP99)).toBe(true);
    }
    // Target-only figures: measured for the gateway, absent for direct.
    expect(gw.cpuPer1000).toBeGreaterThan(0);
    expect(gw.cpuPer1000).toBeLessThan(20);
    expect(gw.idlePerSessionKb).toBeGreaterThan(-50);
    expect(gw.idlePerSessionKb).toBeLessThan(2000);
    expect(gw.activePerSessionKb).toBeLessThan(5000);
    expect(gw.logPerSessionMinute).toBeGreaterThanOrEqual(0);
    expect(gw.logPerSession).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(gw.addedP50)).toBe(true);
    expect(Number.isFinite(gw.addedP99)).toBe(true);
    expect(Number.isNaN(direct.cpuPer1000)).toBe(true);
    expect(report.summary['gateway']!.maxSessionsUnder1pct).toBe(200);
  });
});
