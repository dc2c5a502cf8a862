/**
 * The full reliability suite (`npm run bench -- --reliability`): conformance through the gateway process and
 * every fault case at production settings (18 s keepalive, so black-hole detection is timed for real).
 * Writes reliability.json and reliability.md into the results folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBenchUpstream } from '../upstream.ts';
import { runConformance, type ConformanceReport } from './conformance.ts';
import { blackHole, clientAborts, reconnectStorm, sigtermDrain, upstreamReset, type FaultResult } from './faults.ts';
import { legacyPath, processGateways, RAISED_LIMITS, startGatewayProcess } from './gateway-process.ts';

export interface ReliabilityReport {
  startedAt: string;
  conformance: { direct: ConformanceReport; gateway: ConformanceReport };
  faults: FaultResult[];
}

/** Run everything; `log` gets one line per finished case. */
export async function runReliability(outDir: string, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<ReliabilityReport> {
  const startedAt = new Date().toISOString();
  const up = await startBenchUpstream({ mode: 'echo' });
  let direct: ConformanceReport;
  let gateway: ConformanceReport;
  try {
    direct = await runConformance({ port: up.port, path: '/xiaozhi/v1/', headers: { Authorization: 'Bearer t', 'Device-Id': '02:00:00:00:00:01', 'Client-Id': 'c', 'Protocol-Version': '1' } });
    const gw = await startGatewayProcess(`ws://127.0.0.1:${up.port}/xiaozhi/v1/`, RAISED_LIMITS);
    try {
      gateway = await runConformance({ port: gw.port, path: legacyPath(), maxMessageBytes: 65536 });
    } finally {
      await gw.stop();
    }
  } finally {
    await up.close();
  }
  log(`conformance: direct ${direct.failures}/${direct.cases} failed, gateway ${gateway.failures}/${gateway.cases} failed`);
  const gws = processGateways();
  const faults: FaultResult[] = [];
  const cases: Array<() => Promise<FaultResult>> = [
    () => blackHole('client', gws, 60_000),
    () => blackHole('upstream', gws, 60_000),
    () => upstreamReset(gws),
    () => clientAborts('before-upgrade', 1000, gws),
    () => clientAborts('during-dial', 1000, gws),
    () => clientAborts('after-open', 1000, gws),
    () => reconnectStorm(1000, 10_000, gws),
    () => sigtermDrain(100, gws),
  ];
  for (const c of cases) {
    const r = await c();
    faults.push(r);
    log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.title}: ${r.detail}`);
  }
  const report: ReliabilityReport = { startedAt, conformance: { direct, gateway }, faults };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'reliability.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, 'reliability.md'), reliabilityMarkdown(report));
  return report;
}

/** Markdown summary: conformance failures/cases, then one row per fault case. */
export function reliabilityMarkdown(r: ReliabilityReport): string {
  const lines = [
    `Reliability run ${r.startedAt}.`,
    '',
    '| suite | failures / cases |',
    '|---|---|',
    `| conformance, straight to the echo upstream (control) | ${r.conformance.direct.failures} / ${r.conformance.direct.cases} |`,
    `| conformance, through the gateway | ${r.conformance.gateway.failures} / ${r.conformance.gateway.cases} |`,
    '',
    '| fault case | result | figures |',
    '|---|---|---|',
    ...r.faults.map((f) => `| ${f.title} | ${f.ok ? 'pass' : '**fail**'}: ${f.detail} | ${Object.entries(f.figures).map(([k, v]) => `${k}=${v}`).join(', ').replace(/\|/g, '/')} |`),
  ];
  const failed = [...r.conformance.direct.results, ...r.conformance.gateway.results].filter((x) => !x.ok);
  if (failed.length) lines.push('', 'Failed conformance cases:', ...failed.map((x) => `- ${x.id} ${x.title}: ${x.detail}`));
  return `${lines.join('\n')}\n`;
}
