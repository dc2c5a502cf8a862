/** Public shapes of the connection doctor (issue 4): options in, one result per stage out. */
import type { Lang } from '../protocol/errors.ts';

export type StageId = 'config' | 'dns' | 'tcp-tls' | 'ota' | 'activation' | 'ws-upgrade' | 'hello' | 'turn';
export type StageStatus = 'ok' | 'fail' | 'warn' | 'skip';

/** Every stage in the order it runs. */
export const STAGE_IDS: readonly StageId[] = ['config', 'dns', 'tcp-tls', 'ota', 'activation', 'ws-upgrade', 'hello', 'turn'];

export interface DoctorOptions {
  /** WebSocket URL; when absent it is taken from the OTA reply (protocol §2.1 rule). */
  wsUrl?: string;
  /** OTA URL; when absent the OTA and activation stages are skipped (check-token mode). */
  otaUrl?: string;
  token?: string;
  deviceId?: string;
  clientId?: string;
  identity?: { serialNumber?: string; hmacKey?: string };
  /** What the caller's profile believes; used to sharpen hints, never to skip a check. */
  activated?: boolean;
  /** Optional test turn: `true` sends the default utterance, `{text}` a chosen one (listen detect). */
  turn?: boolean | { text: string };
  /** Extra trusted CA (PEM), added to Node's built-in roots. Verification is never turned off. */
  ca?: string | Buffer;
  /** Per-stage time limit in ms (default 10000, the firmware's hello limit). */
  timeoutMs?: number;
  signal?: AbortSignal;
  lang?: Lang;
  /** Called as each stage finishes (live progress). */
  onStage?: (stage: StageResult) => void;
}

export interface StageResult {
  id: StageId;
  status: StageStatus;
  ms: number;
  detail: string;
  hint?: string;
  data?: Record<string, unknown>;
}

export interface DoctorReport {
  ok: boolean;
  stages: StageResult[];
  failedStage?: StageId;
  /** One sentence: what is wrong and what to do (or that all is well). */
  summary: string;
  lang: Lang;
}
