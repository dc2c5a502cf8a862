/**
 * Connection doctor: staged checks with plain-words zh/en verdicts, used by the CLI and the gateway API.
 *
 * ```ts
 * const report = await runDoctor({ otaUrl, deviceId, clientId, turn: true, lang: 'zh', onStage });
 * report.ok; report.failedStage; report.summary; report.stages[i] // {id, status, ms, detail, hint?, data?}
 * process.stdout.write(formatReport(report));                    // or JSON.stringify(report)
 * ```
 */
export { runDoctor, exitCodeFor, type DoctorResult } from './entry.ts';
export { formatHeader, formatReport, formatStage, formatSummary, type FormatOptions } from './format-report.ts';
export { OFFICIAL_OTA_URL, OFFICIAL_WS_URL, type HostExtras, type HostOptions, type ProfileSource, type ProfileView } from './host-options.ts';
export { tokenHint, redactUrl } from './redact.ts';
export { STAGE_IDS, type DoctorOptions, type DoctorReport, type StageId, type StageResult, type StageStatus } from './types.ts';
