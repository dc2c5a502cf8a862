/**
 * `npm run bench [-- flags]`: the full benchmark (issue 6). Defaults are the full run (N = 100…2000, 30 s
 * per step, 10 s warm-up, 3 repetitions, extended while the target holds); a short run is the same code with
 * other flags, e.g. `npm run bench -- --steps 200 --duration 10 --warmup 2 --reps 1`.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBench } from './harness.ts';
import { writeReport } from './report.ts';
import { REPO_ROOT } from './lib/spawn.ts';
import { ALL_TARGETS, TARGETS, type TargetName } from './targets.ts';

const HELP = `Usage: npm run bench -- [options]
  --targets LIST     direct,nginx,gateway (default; nginx skipped with a notice if not installed); add
                     gateway-framed (RELAY_MODE=framed) or node-tunnel (a bare Node byte copier, the
                     floor of Node's socket I/O) to measure them in the same run
  --steps LIST       session counts, default 100,250,500,1000,2000
  --extend           keep doubling N after the last step while a target holds (up to --max-n, default 8000)
  --duration S       measured seconds per run (default 30)
  --warmup S         warm-up seconds before measuring (default 10)
  --reps K           repetitions per step; the median of valid runs is reported (default 3)
  --ramp R           new sessions per second (default 500)
  --idle S           quiet seconds after connect for the idle-RSS probe (default 2)
  --max-loss F       stop a target when loss ≥ F (default 0.01)
  --max-p99 MS       stop a target when p99 > MS (default 50)
  --max-lag MS       discard runs where the load generator's event-loop lag p99 exceeds MS (default 5)
  --out DIR          results folder (default bench/results/<timestamp>)
  --no-pin           do not pin processes with taskset
  --gateway-cmd CMD  gateway entry, repo-relative .ts + args (default: src/gateway/main.ts, else src/cli/main.ts start)
  --cpu-prof         run the gateway with --cpu-prof (profiles in <out>/cpu-prof)
  --reliability      run the reliability suite instead (conformance + faults at production settings)`;

function list(s: string): number[] {
  return s.split(',').map((x) => Number(x.trim())).filter((n) => Number.isInteger(n) && n > 0);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      targets: { type: 'string', default: TARGETS.join(',') },
      steps: { type: 'string', default: '100,250,500,1000,2000' },
      extend: { type: 'boolean', default: false },
      'max-n': { type: 'string', default: '8000' },
      duration: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '10' },
      reps: { type: 'string', default: '3' },
      ramp: { type: 'string', default: '500' },
      idle: { type: 'string', default: '2' },
      'max-loss': { type: 'string', default: '0.01' },
      'max-p99': { type: 'string', default: '50' },
      'max-lag': { type: 'string', default: '5' },
      out: { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      'gateway-cmd': { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      reliability: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const outDir = values.out ?? join(REPO_ROOT, 'bench', 'results', stamp);
  if (values.reliability) {
    const { runReliability, reliabilityMarkdown } = await import('./reliability/run.ts');
    const r = await runReliability(outDir);
    process.stdout.write(`${reliabilityMarkdown(r)}\nWrote ${join(outDir, 'reliability.json')} and reliability.md\n`);
    return;
  }
  const targets = values.targets.split(',').map((t) => t.trim()) as TargetName[];
  const bad = targets.filter((t) => !ALL_TARGETS.includes(t));
  const steps = list(values.steps);
  if (bad.length || steps.length === 0) {
    process.stderr.write(`bench: ${bad.length ? `unknown target(s) ${bad.join(', ')}` : 'no valid --steps'}\n${HELP}\n`);
    process.exitCode = 2;
    return;
  }
  const report = await runBench({
    targets, steps, extend: values.extend, maxN: Number(values['max-n']), durationSec: Number(values.duration), warmupSec: Number(values.warmup),
    reps: Number(values.reps), rampPerSec: Number(values.ramp), idleSec: Number(values.idle), maxLoss: Number(values['max-loss']),
    maxP99Ms: Number(values['max-p99']), maxLagMs: Number(values['max-lag']), outDir, pin: !values['no-pin'],
    ...(values['gateway-cmd'] ? { gatewayCmd: values['gateway-cmd'] } : {}), cpuProf: values['cpu-prof'],
    // Partial results after every step, so an interrupted long run still leaves its figures.
    onProgress: (partial) => writeReport(partial, outDir),
  });
  const paths = writeReport(report, outDir);
  process.stdout.write(`${(await import('node:fs')).readFileSync(paths.md, 'utf8')}\nWrote ${paths.json}, ${paths.md}, ${paths.svg}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
