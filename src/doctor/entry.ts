/**
 * `runDoctor`: the one entry point for the CLI, the gateway and tests. Accepts plain DoctorOptions or the
 * hosts' spelling (profile + store, `url`, `upstreamCa`); when called by the CLI (`command` set) it also
 * prints the report (text, or JSON with `json`) and adds the exit code.
 */
import { runStages } from './run-doctor.ts';
import { formatHeader, formatStage, formatSummary } from './format-report.ts';
import { DOCTOR_EXIT, ProfileLoadError, resolveHostOptions, type HostOptions } from './host-options.ts';
import { tr } from './text.ts';
import type { DoctorReport, StageResult } from './types.ts';

/** A report, plus the process exit code when the CLI asked. */
export type DoctorResult = DoctorReport & { exitCode?: number };

/** Run the staged connection check; never throws for bad input or network trouble. */
export async function runDoctor(options: HostOptions): Promise<DoctorResult> {
  const lang = options.lang === 'zh' ? 'zh' : 'en';
  // CLI text mode: print each stage as it finishes (a slow stage may take up to timeoutMs).
  const live = options.command !== undefined && !options.json;
  const color = process.stdout.isTTY === true;
  const onStage = live
    ? (s: StageResult) => {
      process.stdout.write(formatStage(s, lang, { color }));
      options.onStage?.(s);
    }
    : options.onStage;
  if (live) process.stdout.write(formatHeader(lang));
  let report: DoctorResult;
  try {
    const resolved = await resolveHostOptions({ ...options, lang, onStage });
    report = await runStages(resolved);
  } catch (err) {
    if (!(err instanceof ProfileLoadError)) throw err;
    report = await runStages({ lang, onStage }, {
      status: 'fail',
      detail: err.profileName
        ? tr(lang, `profile "${err.profileName}" cannot be used: ${err.message}`, `设备档案“${err.profileName}”无法使用：${err.message}`)
        : tr(lang, `no device profile to check: ${err.message}`, `没有可检查的设备档案：${err.message}`),
      hint: tr(lang, 'list profiles with "xiaozhi-web profile list", or pass --token, --device-id and --client-id', '用 “xiaozhi-web profile list” 查看设备档案，或提供 --token、--device-id 和 --client-id'),
      data: { code: 'XZ_PROFILE_NOT_FOUND' },
    });
  }
  if (options.command) {
    report.exitCode = exitCodeFor(report);
    const text = options.json ? `${JSON.stringify(report)}\n` : formatSummary(report, { color });
    await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
  }
  return report;
}

/** Exit code for a report (src/cli/exit-codes.ts meanings). */
export function exitCodeFor(report: DoctorReport): number {
  if (report.ok) return DOCTOR_EXIT.OK;
  const failed = report.stages.find((s) => s.status === 'fail');
  if (failed?.data?.code === 'XZ_ABORTED') return DOCTOR_EXIT.CANCELLED;
  switch (report.failedStage) {
    case 'config':
      return failed?.data?.code === 'XZ_PROFILE_NOT_FOUND' ? DOCTOR_EXIT.FAILURE : DOCTOR_EXIT.USAGE;
    case 'activation':
      return DOCTOR_EXIT.NOT_ACTIVATED;
    default:
      return DOCTOR_EXIT.NETWORK;
  }
}
