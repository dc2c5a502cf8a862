/** The report's derived figures: the marginal idle RSS per session separates fixed heap growth from per-session cost. */
import { describe, expect, it } from 'vitest';
import type { StepResult } from '../../bench/harness.ts';
import { idleSlopeKb } from '../../bench/report.ts';

const step = (n: number, idlePerSessionKb: number, runs = 1) => ({ target: 'gateway', n, idlePerSessionKb, runs }) as unknown as StepResult;

describe('idleSlopeKb', () => {
  it('recovers the per-session cost under a fixed offset that inflates RSS/N at small N', () => {
    // 16 MB of fixed growth + 12 KB per session: RSS/N is 44 KB at 500 but the slope is 12.
    const steps = [500, 1000, 2000].map((n) => step(n, (16_000 + 12 * n) / n));
    expect(steps[0]!.idlePerSessionKb).toBeCloseTo(44, 5);
    expect(idleSlopeKb(steps)).toBeCloseTo(12, 5);
  });

  it('needs two distinct N and ignores steps that did not run', () => {
    expect(idleSlopeKb([step(1000, 30)])).toBeNaN();
    expect(idleSlopeKb([step(1000, 30), step(2000, Number.NaN), step(500, 10, 0)])).toBeNaN();
  });
});
