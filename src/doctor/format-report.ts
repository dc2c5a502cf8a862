/**
 * Human rendering of a doctor report for the terminal (zh/en), one line per stage with its time, the
 * failing stage's detail and hint indented below. `--json` output is simply `JSON.stringify(report)`.
 */
import { stageName, tr } from './text.ts';
import type { DoctorReport, StageResult } from './types.ts';

export interface FormatOptions {
  /** ANSI colours (default false; the CLI passes `process.stdout.isTTY`). */
  color?: boolean;
  /** Show details of passing stages too (default true). */
  verbose?: boolean;
}

const MARK: Record<StageResult['status'], string> = { ok: '✔', warn: '!', fail: '✘', skip: '–' };
const COLOR: Record<StageResult['status'], string> = { ok: '32', warn: '33', fail: '31', skip: '90' };

/** Width of `s` in terminal columns (CJK characters take two). */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));

/** Multi-line text for a terminal. */
export function formatReport(report: DoctorReport, opts: FormatOptions = {}): string {
  const lang = report.lang;
  const verbose = opts.verbose ?? true;
  const paint = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const names = report.stages.map((s) => stageName(s.id, lang));
  const nameWidth = Math.max(...names.map(width));
  const lines: string[] = [tr(lang, 'XiaoZhi connection doctor', '小智连接诊断'), ''];
  report.stages.forEach((s, i) => {
    const time = s.status === 'skip' ? '' : `${s.ms} ms`;
    const head = `${paint(COLOR[s.status], MARK[s.status])} ${pad(names[i]!, nameWidth)}  ${time.padStart(8)}`;
    const showDetail = s.status === 'fail' || s.status === 'warn' || (verbose && s.status === 'ok') || (s.status === 'skip' && verbose);
    lines.push(showDetail ? `${head}  ${s.status === 'skip' ? paint('90', s.detail) : s.detail}` : head);
    if (s.hint && s.status !== 'ok') lines.push(`${' '.repeat(nameWidth + 14)}${paint('36', '→ ' + s.hint)}`);
  });
  lines.push('');
  lines.push(paint(report.ok ? '32' : '31', (report.ok ? tr(lang, 'OK: ', '正常：') : tr(lang, 'PROBLEM: ', '问题：')) + report.summary));
  return lines.join('\n') + '\n';
}
