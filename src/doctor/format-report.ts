/**
 * Human rendering of a doctor report for the terminal (zh/en), one line per stage with its time, the
 * failing stage's detail and hint indented below. `--json` output is simply `JSON.stringify(report)`.
 * The pieces are exported so the CLI can print stage lines live, as they finish.
 */
import type { Lang } from '../protocol/errors.ts';
import { stageName, tr } from './text.ts';
import { STAGE_IDS, type DoctorReport, type StageResult } from './types.ts';

export interface FormatOptions {
  /** ANSI colours (default false; the CLI passes `process.stdout.isTTY`). */
  color?: boolean;
  /** Show details of passing and skipped stages too (default true). */
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
const nameWidth = (lang: Lang) => Math.max(...STAGE_IDS.map((id) => width(stageName(id, lang))));
const painter = (color: boolean | undefined) => (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);

/** Title and blank line. */
export function formatHeader(lang: Lang): string {
  return `${tr(lang, 'XiaoZhi connection doctor', '小智连接诊断')}\n\n`;
}

/** One stage: a line with mark, name, time and detail; the hint below it when the stage did not pass. */
export function formatStage(s: StageResult, lang: Lang, opts: FormatOptions = {}): string {
  const paint = painter(opts.color);
  const verbose = opts.verbose ?? true;
  const w = nameWidth(lang);
  const time = s.status === 'skip' ? '' : `${s.ms} ms`;
  const head = `${paint(COLOR[s.status], MARK[s.status])} ${pad(stageName(s.id, lang), w)}  ${time.padStart(8)}`;
  const showDetail = s.status === 'fail' || s.status === 'warn' || verbose;
  let out = showDetail ? `${head}  ${s.status === 'skip' ? paint('90', s.detail) : s.detail}` : head;
  if (s.hint && s.status !== 'ok') out += `\n${' '.repeat(w + 14)}${paint('36', '→ ' + s.hint)}`;
  return out + '\n';
}

/** Blank line and the one-sentence verdict. */
export function formatSummary(report: DoctorReport, opts: FormatOptions = {}): string {
  const lang = report.lang;
  const prefix = report.ok ? tr(lang, 'OK: ', '正常：') : tr(lang, 'PROBLEM: ', '问题：');
  return `\n${painter(opts.color)(report.ok ? '32' : '31', prefix + report.summary)}\n`;
}

/** Multi-line text for a terminal. */
export function formatReport(report: DoctorReport, opts: FormatOptions = {}): string {
  return formatHeader(report.lang) + report.stages.map((s) => formatStage(s, report.lang, opts)).join('') + formatSummary(report, opts);
}
