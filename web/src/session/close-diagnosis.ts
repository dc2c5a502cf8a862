/**
 * Turns how a connection ended into a decision (reconnect or not) and plain words for the page.
 * - Gateway 4xxx codes come from the shared catalogue (src/protocol/errors.ts); those marked
 *   permanent (auth, activation, configuration) never start a reconnect loop.
 * - 1000 is a normal end of session (idle time-out, end of chat; an upstream 1005 arrives as 1000
 *   with the gateway's explanation: reliability-performance.md §2.8): no automatic reconnect, like
 *   py-xiaozhi (xiaozhi-protocol.md §2.6); the next talk reconnects.
 * - Everything else (1006 network drop, 1011–1014, non-permanent 4xxx, hello time-out) is retried
 *   with backoff.
 */
import { describeCloseCode, errorForCloseCode, isPermanentCloseCode, type Lang } from '../../../src/protocol/errors.ts';

export type CloseVerdict = 'user' | 'ended' | 'retry' | 'permanent';

export interface CloseDiagnosis {
  verdict: CloseVerdict;
  code: number;
  /** The reason string the gateway sent (already plain words when the gateway diagnosed it). */
  reason: string;
  /** Catalogue code when the close code is one of the gateway's own. */
  errorCode?: string;
  /** Plain-words explanation in the UI language. */
  explanation: string;
}

/** Diagnoses a close event. `byUser` is true when the page itself closed the socket on purpose. */
export function diagnoseClose(code: number, reason: string, lang: Lang, byUser = false): CloseDiagnosis {
  const errorCode = errorForCloseCode(code);
  const explanation = describeCloseCode(code, lang);
  const base = { code, reason, explanation, ...(errorCode ? { errorCode } : {}) };
  if (byUser) return { verdict: 'user', ...base };
  if (isPermanentCloseCode(code)) return { verdict: 'permanent', ...base };
  if (code === 1000) return { verdict: 'ended', ...base };
  return { verdict: 'retry', ...base };
}
