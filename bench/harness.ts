/**
 * The bench harness (issue 6, reliability-performance.md §3.3): for each step N, for each target, run the
 * load generator `reps` times against a fresh target process, sample the target's CPU/RSS/log size from
 * /proc at the load generator's phase marks, take the median of the valid runs, and stop a target once
 * loss ≥ maxLoss or p99 > maxP99Ms. A full run and the CI-sized run are the same code with other options.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { LoadConfig, LoadEvent, LoadResult } from './loadgen.ts';
import { cpuSeconds, rssKb } from './lib/proc.ts';
import { canPin, REPO_ROOT, spawnTs, stopProcess, waitForJsonLine } from './lib/spawn.ts';
import { median } from './lib/stats.ts';
import { logBytes, startTarget, unavailableReason, type RunningTarget, type TargetName } from './targets.ts';

export interface BenchOptions {
  targets: TargetName[];
  steps: number[];
  durationSec: number;
  warmupSec: number;
  reps: number;
  rampPerSec: number;
  idleSec: number;
  maxLoss: number;
  maxP99Ms: number;
  /** Runs whose load-generator event-loop lag p99 exceeds this are discarded (coordinated omission guard). */
  maxLagMs: number;
  /** Keep doubling N after the last step while the target holds, up to maxN. */
  extend: boolean;
  maxN: number;
  outDir: string;
  pin: boolean;
  gatewayCmd?: string;
  cpuProf?: boolean;
  log?: (line: string) => void;
  /** Called after every finished step with the report so far (the CLI writes partial results). */
  onProgress?: (report: BenchReport) => void;
}

/** One load-generator run against one fresh target. */
export interface RunRecord extends LoadResult {
  valid: boolean;
  /** Target CPU during the measure window, cores (NaN for direct). */
  cpuCores: number;
  cpuPer1000: number;
  rssBaseKb: number;
  idlePerSessionKb: number;
  activePerSessionKb: number;
  /** Everything the target logged from before connect until after close. */
  logBytes: number;
  /** logBytes / N: the fixed per-session cost (open + close lines). */
  logPerSession: number;
  /** Steady state: bytes logged during the measure window / (N × window minutes) — per-frame logging shows here. */
  logPerSessionMinute: number;
  error?: string;
}

/** Median over the valid runs of one (target, N). */
export interface StepResult {
  target: TargetName;
  n: number;
  runs: number;
  validRuns: number;
  /** No run was valid: the medians come from all runs and the load generator may have been the bottleneck. */
  loadgenBound: boolean;
  firstMessageLost: number;
  failedSessions: number;
  loss: number;
  p50: number;
  p99: number;
  p999: number;
  rttP50: number;
  rttP99: number;
  handshakeP50: number;
  handshakeP99: number;
  cpuPer1000: number;
  idlePerSessionKb: number;
  activePerSessionKb: number;
  logPerSessionMinute: number;
  logPerSession: number;
  loadgenLagP99: number;
  /** Filled by the report: latency minus direct's at the same N. */
  addedP50?: number;
  addedP99?: number;
  addedP999?: number;
  held: boolean;
  errors: string[];
}

export interface BenchReport {
  meta: { startedAt: string; finishedAt: string; node: string; cpus: number; pinned: boolean; options: Omit<BenchOptions, 'log' | 'onProgress'>; notices: string[] };
  steps: StepResult[];
  summary: Record<string, { maxSessionsUnder1pct: number; stoppedAt?: number; stopReason?: string }>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function startUpstream(pin: boolean): Promise<{ child: ChildProcess; port: number }> {
  const child = spawnTs(pin ? 0 : undefined, 'bench/upstream.ts', ['--port', '0'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await waitForJsonLine(child, (o) => (o['event'] === 'listening' ? Number(o['port']) : undefined));
  return { child, port };
}

/** One run: fresh target, one load-generator process, /proc samples at its phase marks. */
async function runOnce(opts: BenchOptions, name: TargetName, n: number, rep: number, upstreamPort: number): Promise<RunRecord> {
  // Scratch (configs, target logs) under the git-ignored bench/results/tmp/, one folder per results folder.
  const dir = join(REPO_ROOT, 'bench', 'results', 'tmp', basename(opts.outDir), `${name}-${n}-${rep}`);
  mkdirSync(dir, { recursive: true });
  const target: RunningTarget = await startTarget(name, {
    upstreamPort, dir, cpu: opts.pin ? 1 : undefined, maxSessions: Math.max(n, ...opts.steps), rampPerSec: opts.rampPerSec,
    ...(opts.gatewayCmd ? { gatewayCmd: opts.gatewayCmd } : {}),
    // Absolute: the gateway runs in a scratch cwd, where a relative --out would land.
    ...(opts.cpuProf && name === 'gateway' ? { cpuProfDir: resolve(opts.outDir, 'cpu-prof') } : {}),
  });
  try {
    await sleep(300);
    const pid = target.pid;
    const rssBase = pid ? rssKb(pid) : Number.NaN;
    const logBase = logBytes(target.logFiles);
    let rssIdle = Number.NaN;
    let rssActive = Number.NaN;
    let cpu0 = 0;
    let cpu1 = 0;
    let t0 = 0;
    let t1 = 0;
    let tConnected = 0;
    let logAtStart = 0;
    let logAtEnd = 0;
    const cfg: LoadConfig = {
      url: target.url, auth: target.auth, sessions: n, rampPerSec: opts.rampPerSec, idleMs: opts.idleSec * 1000,
      warmupMs: opts.warmupSec * 1000, durationMs: opts.durationSec * 1000,
    };
    const lg = spawnTs(opts.pin ? 0 : undefined, 'bench/loadgen.ts', [JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const budget = n / opts.rampPerSec * 1000 + 15_000 + (opts.idleSec + opts.warmupSec + opts.durationSec) * 1000 + 20_000;
    let result: LoadResult;
    try {
      result = await waitForJsonLine(
        lg,
        (o) => {
          const e = o as unknown as LoadEvent;
          if (e.event === 'connected') tConnected = Date.now();
          else if (e.event === 'idle' && pid) rssIdle = rssKb(pid);
          else if (e.event === 'measure-start') {
            t0 = Date.now();
            logAtStart = logBytes(target.logFiles);
            if (pid) cpu0 = cpuSeconds(pid);
          } else if (e.event === 'measure-end') {
            t1 = Date.now();
            logAtEnd = logBytes(target.logFiles);
            if (pid) {
              cpu1 = cpuSeconds(pid);
              rssActive = rssKb(pid);
            }
          } else if (e.event === 'result') return e.result;
          return undefined;
        },
        budget,
      );
    } finally {
      await stopProcess(lg, 2000);
    }
    // Wait for the close lines to be written before reading the final log size.
    await sleep(300);
    const logDelta = logBytes(target.logFiles) - logBase;
    const windowMinutes = (n * (t1 - t0)) / 60_000;
    const cpuCores = pid && t1 > t0 ? (cpu1 - cpu0) / ((t1 - t0) / 1000) : Number.NaN;
    return {
      ...result,
      valid: result.lag.p99 <= opts.maxLagMs,
      cpuCores,
      cpuPer1000: (cpuCores / n) * 1000,
      rssBaseKb: rssBase,
      idlePerSessionKb: (rssIdle - rssBase) / n,
      activePerSessionKb: (rssActive - rssBase) / n,
      logBytes: pid ? logDelta : Number.NaN,
      logPerSession: pid ? logDelta / n : Number.NaN,
      logPerSessionMinute: pid && windowMinutes > 0 ? (logAtEnd - logAtStart) / windowMinutes : Number.NaN,
    };
  } finally {
    await target.stop();
  }
}

function summarise(name: TargetName, n: number, runs: RunRecord[], errors: string[], opts: BenchOptions, direct?: StepResult): StepResult {
  const valid = runs.filter((r) => r.valid);
  const use = valid.length > 0 ? valid : runs;
  const m = (f: (r: RunRecord) => number) => median(use.map(f));
  const r3 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : Number.NaN);
  const step: StepResult = {
    target: name, n, runs: runs.length, validRuns: valid.length, loadgenBound: runs.length > 0 && valid.length === 0,
    // Lost first messages are summed, not medianed: one lost hello in any run counts.
    firstMessageLost: runs.reduce((a, r) => a + r.firstMessageLost, 0),
    failedSessions: runs.reduce((a, r) => a + r.failed, 0),
    loss: m((r) => r.loss), p50: r3(m((r) => r.latency.p50)), p99: r3(m((r) => r.latency.p99)), p999: r3(m((r) => r.latency.p999)),
    rttP50: r3(m((r) => r.rtt.p50)), rttP99: r3(m((r) => r.rtt.p99)),
    handshakeP50: r3(m((r) => r.handshake.p50)), handshakeP99: r3(m((r) => r.handshake.p99)),
    cpuPer1000: r3(m((r) => r.cpuPer1000)), idlePerSessionKb: r3(m((r) => r.idlePerSessionKb)), activePerSessionKb: r3(m((r) => r.activePerSessionKb)),
    logPerSessionMinute: r3(m((r) => r.logPerSessionMinute)), logPerSession: r3(m((r) => r.logPerSession)), loadgenLagP99: r3(m((r) => r.lag.p99)),
    held: false, errors,
  };
  // Latency stop rule on the target's own share: direct's p99 on a shared 2-core box includes the load
  // generator's and upstream's stalls, so proxies are judged on added p99 when direct ran at this N, and
  // direct (the reference) stops on loss only.
  const judged = name === 'direct' ? Number.NEGATIVE_INFINITY : direct && direct.runs > 0 ? step.p99 - direct.p99 : step.p99;
  step.held = runs.length > 0 && !(step.loss >= opts.maxLoss) && !(judged > opts.maxP99Ms) && Number.isFinite(step.p99);
  return step;
}

/** Run the whole bench; resolves with the report (written to disk by report.ts). */
export async function runBench(opts: BenchOptions): Promise<BenchReport> {
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const startedAt = new Date().toISOString();
  const notices: string[] = [];
  const pinned = opts.pin && canPin(1);
  if (opts.pin && !pinned) notices.push('taskset or a second CPU is missing: processes are not pinned, so target CPU figures include contention');
  const active = new Set<TargetName>();
  for (const t of opts.targets) {
    const why = unavailableReason(t, opts.gatewayCmd);
    if (why) {
      notices.push(why);
      log(`notice: ${why}`);
    } else active.add(t);
  }
  const { log: _drop, onProgress: _drop2, ...optionsForReport } = opts;
  const report: BenchReport = {
    meta: { startedAt, finishedAt: '', node: process.version, cpus: (await import('node:os')).availableParallelism(), pinned, options: optionsForReport, notices },
    steps: [],
    summary: {},
  };
  for (const t of active) report.summary[t] = { maxSessionsUnder1pct: 0 };
  mkdirSync(opts.outDir, { recursive: true });
  const up = await startUpstream(pinned);
  try {
    const queue = [...opts.steps];
    while (queue.length > 0 && active.size > 0) {
      const n = queue.shift()!;
      for (const name of opts.targets) {
        if (!active.has(name)) continue;
        const runs: RunRecord[] = [];
        const errors: string[] = [];
        for (let rep = 0; rep < opts.reps; rep++) {
          try {
            const r = await runOnce({ ...opts, pin: pinned }, name, n, rep, up.port);
            runs.push(r);
            log(`${name} N=${n} rep ${rep + 1}/${opts.reps}: loss ${(r.loss * 100).toFixed(3)}% p50 ${r.latency.p50} p99 ${r.latency.p99} ms, hello lost ${r.firstMessageLost}, cpu/1000 ${r.cpuPer1000.toFixed(3)}, lag p99 ${r.lag.p99} ms${r.valid ? '' : ' (discarded: load generator lagged)'}`);
          } catch (err) {
            errors.push((err as Error).message);
            log(`${name} N=${n} rep ${rep + 1}: error ${(err as Error).message}`);
          }
        }
        const direct = report.steps.find((x) => x.target === 'direct' && x.n === n);
        const step = summarise(name, n, runs, errors, opts, direct);
        report.steps.push(step);
        const s = report.summary[name]!;
        if (step.held) s.maxSessionsUnder1pct = Math.max(s.maxSessionsUnder1pct, n);
        else {
          s.stoppedAt = n;
          s.stopReason = runs.length === 0 ? `no run completed: ${errors[0] ?? ''}` : step.loss >= opts.maxLoss ? `loss ${(step.loss * 100).toFixed(2)} % ≥ ${opts.maxLoss * 100} %` : `${direct ? 'added ' : ''}p99 ${direct ? (step.p99 - direct.p99).toFixed(3) : step.p99} ms > ${opts.maxP99Ms} ms`;
          active.delete(name);
          log(`${name} stops at N=${n}: ${s.stopReason}`);
        }
        report.meta.finishedAt = `(partial, last step ${name} N=${n} at ${new Date().toISOString()})`;
        opts.onProgress?.(report);
      }
      if (queue.length === 0 && opts.extend && n * 2 <= opts.maxN && active.size > 0) queue.push(n * 2);
    }
  } finally {
    up.child.stdin?.end();
    await stopProcess(up.child, 3000);
  }
  report.meta.finishedAt = new Date().toISOString();
  return report;
}
