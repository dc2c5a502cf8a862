/** Connection doctor: staged checks with plain-words zh/en verdicts, used by the CLI and the gateway API. */
export { runDoctor } from './run-doctor.ts';
export { formatReport, type FormatOptions } from './format-report.ts';
export { tokenHint, redactUrl } from './redact.ts';
export { STAGE_IDS, type DoctorOptions, type DoctorReport, type StageId, type StageResult, type StageStatus } from './types.ts';
