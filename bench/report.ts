/**
 * Bench report writer: added latency (target − direct at the same N), the gateway's targets checked against
 * nginx (issue 6), and the three outputs — report.json, report.md, chart.svg.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartSvg } from './chart-svg.ts';
import type { BenchReport, StepResult } from './harness.ts';

/** Fill addedP50/P99/P999 of every step from direct's medians at the same N. */
export function addDeltas(report: BenchReport): void {
  const direct = new Map(report.steps.filter((s) => s.target === 'direct').map((s) => [s.n, s]));
  const r3 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : Number.NaN);
  for (const s of report.steps) {
    const d = direct.get(s.n);
    s.addedP50 = d ? r3(s.p50 - d.p50) : Number.NaN;
    s.addedP99 = d ? r3(s.p99 - d.p99) : Number.NaN;
    s.addedP999 = d ? r3(s.p999 - d.p999) : Number.NaN;
  }
}

/**
 * KB of RSS each additional idle session costs: the least-squares slope of (idle RSS growth) against N over
 * the steps run. The per-step figure divides by N and so also spreads fixed growth (V8 heap pages, the
 * young generation sizing itself up during the connect burst) over the sessions; at small N that fixed
 * part dominates. Needs two or more steps.
 */
export function idleSlopeKb(steps: readonly StepResult[]): number {
  const pts = steps.filter((s) => s.runs > 0 && Number.isFinite(s.idlePerSessionKb)).map((s) => [s.n, s.idlePerSessionKb * s.n] as const);
  if (new Set(pts.map(([n]) => n)).size < 2) return Number.NaN;
  const mx = pts.reduce((a, [x]) => a + x, 0) / pts.length;
  const my = pts.reduce((a, [, y]) => a + y, 0) / pts.length;
  const sxy = pts.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = pts.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxy / sxx;
}

export interface GoalCheck {
  goal: string;
  value: string;
  met: boolean | null;
}

/** The gateway's targets from issue 6; `met: null` when the data to decide is missing. */
export function checkGoals(report: BenchReport): GoalCheck[] {
  const gw = report.steps.filter((s) => s.target === 'gateway' && s.runs > 0);
  const ng = new Map(report.steps.filter((s) => s.target === 'nginx').map((s) => [s.n, s]));
  if (gw.length === 0) return [{ goal: 'gateway measured', value: 'no gateway runs', met: null }];
  // Compare at 1000 sessions, or the largest N both reached if 1000 was not run.
  const common = gw.filter((s) => ng.has(s.n)).map((s) => s.n);
  const at = common.includes(1000) ? 1000 : common.length ? Math.max(...common.filter((n) => n <= 1000).concat(Math.min(...common))) : undefined;
  const g = at !== undefined ? gw.find((s) => s.n === at) : undefined;
  const n = at !== undefined ? ng.get(at) : undefined;
  const at1000 = gw.find((s) => s.n === 1000) ?? gw.filter((s) => s.held).at(-1) ?? gw[0]!;
  const fmt = (x: number | undefined, d = 3) => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));
  const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) ? a <= b : null);
  const lost = gw.reduce((a, s) => a + s.firstMessageLost, 0);
  const maxHeld = report.summary['gateway']?.maxSessionsUnder1pct ?? 0;
  const idle = Math.max(...gw.map((s) => s.idlePerSessionKb).filter(Number.isFinite));
  const slope = idleSlopeKb(gw);
  const logMax = Math.max(...gw.map((s) => s.logPerSessionMinute).filter(Number.isFinite));
  const perSession = Math.max(...gw.map((s) => s.logPerSession).filter(Number.isFinite));
  return [
    { goal: '0 lost first messages at every N', value: `${lost} lost over ${gw.map((s) => s.n).join(', ')}`, met: lost === 0 },
    { goal: 'added p50 ≤ 1.1 × nginx added p50', value: `N=${at ?? 'n/a'}: ${fmt(g?.addedP50)} ms vs 1.1 × ${fmt(n?.addedP50)} = ${fmt(n?.addedP50 !== undefined ? 1.1 * n.addedP50 : undefined)} ms`, met: ratio(g?.addedP50, n?.addedP50 !== undefined ? 1.1 * n.addedP50 : undefined) },
    { goal: 'added p99 ≤ 1.5 × nginx added p99 at 1000 sessions', value: `N=${at ?? 'n/a'}: ${fmt(g?.addedP99)} ms vs 1.5 × ${fmt(n?.addedP99)} = ${fmt(n?.addedP99 !== undefined ? 1.5 * n.addedP99 : undefined)} ms`, met: ratio(g?.addedP99, n?.addedP99 !== undefined ? 1.5 * n.addedP99 : undefined) },
    { goal: '≤ 0.4 core per 1000 voice sessions', value: `N=${at1000.n}: ${fmt(at1000.cpuPer1000)} core`, met: Number.isFinite(at1000.cpuPer1000) ? at1000.cpuPer1000 <= 0.4 : null },
    // Judged on the marginal cost when two or more steps ran (see idleSlopeKb); the worst step is shown too.
    {
      goal: '≤ 24 KB RSS per idle session',
      value: `${Number.isFinite(slope) ? `${fmt(slope, 1)} KB per added session (slope over N=${gw.map((s) => s.n).join(', ')}); ` : ''}worst step RSS/N: ${fmt(idle, 1)} KB`,
      met: Number.isFinite(slope) ? slope <= 24 : Number.isFinite(idle) ? idle <= 24 : null,
    },
    { goal: '≥ 2000 sessions at < 1 % loss on one core', value: `${maxHeld} sessions held${report.summary['gateway']?.stopReason ? ` (stopped at ${report.summary['gateway']?.stoppedAt}: ${report.summary['gateway']?.stopReason})` : ''}`, met: maxHeld >= 2000 },
    // Steady state must be ≤ 1 KB/min, and the fixed open+close lines must fit a one-minute session's budget.
    { goal: 'log ≤ 1 KB per session-minute at the default level', value: `steady state worst ${fmt(logMax, 1)} B/session-min; open+close lines ${fmt(perSession, 0)} B/session`, met: Number.isFinite(logMax) && Number.isFinite(perSession) ? logMax <= 1024 && perSession + logMax <= 1024 : null },
  ];
}

const f = (x: number | undefined, d = 2) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));

/** Markdown: per-step table, capacity summary, goal checks, notices. */
export function markdown(report: BenchReport): string {
  const o = report.meta.options;
  const lines = [
    `Bench run ${report.meta.startedAt} → ${report.meta.finishedAt}; Node ${report.meta.node}, ${report.meta.cpus} CPUs, ${report.meta.pinned ? 'target pinned to CPU 1, upstream + load generator on CPU 0' : 'NOT pinned'}.`,
    `Steps ${o.steps.join(', ')}${o.extend ? ' (extended while holding)' : ''}; ${o.warmupSec} s warm-up, ${o.durationSec} s measured, ${o.reps} repetition(s), median of valid runs; ramp ${o.rampPerSec} sessions/s.`,
    '',
    '| target | N | hello lost | loss % | p50 ms | p99 ms | p99.9 ms | added p50 | added p99 | added p99.9 | CPU core/1000 | KB/idle sess | KB/active sess | handshake p50/p99 ms | log B/sess-min (steady) | log B/session | loadgen lag p99 ms | valid runs |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of report.steps as StepResult[]) {
    lines.push(
      `| ${s.target} | ${s.n} | ${s.firstMessageLost} | ${f(s.loss * 100, 3)} | ${f(s.p50, 3)} | ${f(s.p99, 3)} | ${f(s.p999, 3)} | ${s.target === 'direct' ? '—' : f(s.addedP50, 3)} | ${s.target === 'direct' ? '—' : f(s.addedP99, 3)} | ${s.target === 'direct' ? '—' : f(s.addedP999, 3)} | ${f(s.cpuPer1000, 3)} | ${f(s.idlePerSessionKb, 1)} | ${f(s.activePerSessionKb, 1)} | ${f(s.handshakeP50)} / ${f(s.handshakeP99)} | ${f(s.logPerSessionMinute, 0)} | ${f(s.logPerSession, 0)} | ${f(s.loadgenLagP99, 1)} | ${s.validRuns}/${s.runs}${s.loadgenBound ? ' ⚠ loadgen-bound' : ''}${s.held ? '' : ' ✗ stop'} |`,
    );
  }
  lines.push('', '| target | max sessions at < 1 % loss and added p99 ≤ 50 ms | stopped |', '|---|---|---|');
  for (const [t, s] of Object.entries(report.summary)) lines.push(`| ${t} | ${s.maxSessionsUnder1pct} | ${s.stoppedAt ? `N=${s.stoppedAt}: ${s.stopReason}` : 'held at every step run'} |`);
  lines.push('', '| target | idle RSS per added session, KB (slope over the steps) |', '|---|---|');
  for (const t of Object.keys(report.summary)) {
    if (t !== 'direct') lines.push(`| ${t} | ${f(idleSlopeKb(report.steps.filter((s) => s.target === t)), 1)} |`);
  }
  lines.push('', '| gateway target | measured | met? |', '|---|---|---|');
  for (const g of checkGoals(report)) lines.push(`| ${g.goal} | ${g.value} | ${g.met === null ? 'n/a' : g.met ? 'yes' : '**no**'} |`);
  if (report.meta.notices.length) lines.push('', ...report.meta.notices.map((n) => `- Notice: ${n}`));
  return `${lines.join('\n')}\n`;
}

/** Write report.json, report.md and chart.svg into `dir`. */
export function writeReport(report: BenchReport, dir: string): { json: string; md: string; svg: string } {
  mkdirSync(dir, { recursive: true });
  addDeltas(report);
  const paths = { json: join(dir, 'report.json'), md: join(dir, 'report.md'), svg: join(dir, 'chart.svg') };
  writeFileSync(paths.json, `${JSON.stringify({ ...report, goals: checkGoals(report) }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  writeFileSync(paths.md, markdown(report));
  writeFileSync(paths.svg, chartSvg(report.steps));
  return paths;
}
