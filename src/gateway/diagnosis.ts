/**
 * Diagnosis instead of guessing (xiaozhi-protocol.md §2.5–§2.7, §9 items 5, 6, 9, 11): an upstream close
 * without a status code is never called "authentication failed". The relay records what it saw and
 * this module picks the best catalogue explanation.
 */
import { MAX_CLOSE_REASON_BYTES, truncateUtf8 } from '../protocol/close-codes.ts';
import { XZ_ERRORS, type XzErrorCode } from '../protocol/errors.ts';
import { OTA_PLACEHOLDER_TOKEN, PLACEHOLDER_DEVICE_IDS } from '../protocol/identity-format.ts';

export interface Diagnosis {
  code: XzErrorCode;
  en: string;
  zh: string;
}

/** What the relay observed about one session, at the moment the upstream closed. */
export interface CloseFacts {
  /** Code as reported locally by `ws` (1005 = empty Close frame, 1006 = no Close frame). */
  upstreamCode: number;
  upstreamReason: string;
  helloSent: boolean;
  helloAnswered: boolean;
  /** ms from upstream open to close. */
  msOpen: number;
  /** ms from the server hello to close (undefined when there was no server hello). */
  msSinceServerHello?: number;
  devicePlaceholder: boolean;
  /** true/false when known from the profile's OTA/activation state; undefined for legacy-query sessions. */
  deviceActivated?: boolean;
}

/**
 * A close within this long after the server hello counts as "right after hello". The cloud's spoken
 * "unknown device" prompt lasts a few seconds before it disconnects (§2.5, §2.6).
 */
export const QUICK_CLOSE_AFTER_HELLO_MS = 15_000;

/** The catalogue entry as a diagnosis. */
export function diagnosisOf(code: XzErrorCode): Diagnosis {
  const e = XZ_ERRORS[code];
  return { code, en: e.en, zh: e.zh };
}

/** True for device ids that no real server can know (web-test-device and friends). */
export function isPlaceholderDeviceId(deviceId: string): boolean {
  return PLACEHOLDER_DEVICE_IDS.has(deviceId.trim().toLowerCase());
}

/** True for the literal `test-token` the official OTA hands out: normal, recorded only (§2.5, §9.11). */
export function isPlaceholderToken(token: string | undefined): boolean {
  return token === OTA_PLACEHOLDER_TOKEN;
}

/**
 * Explain an upstream close that carries no explanation of its own: 1005 (empty Close), 1000 with an
 * empty reason, and 1006 (connection lost). Returns undefined when the server gave a code+reason that
 * speaks for itself.
 */
export function diagnoseUpstreamClose(f: CloseFacts): Diagnosis | undefined {
  if (f.upstreamCode === 1006 || f.upstreamCode === 1015) return diagnosisOf('XZ_UPSTREAM_UNREACHABLE');
  const silent = f.upstreamCode === 1005 || (f.upstreamCode === 1000 && f.upstreamReason === '');
  if (!silent) return undefined;
  if (!f.helloSent) return diagnosisOf('XZ_DIAG_HELLO_NOT_SENT');
  if (f.devicePlaceholder) return diagnosisOf('XZ_DIAG_PLACEHOLDER_DEVICE');
  if (!f.helloAnswered) {
    return diagnosisOf(f.deviceActivated === false ? 'XZ_DIAG_NOT_ACTIVATED' : 'XZ_DIAG_HELLO_UNANSWERED');
  }
  const quick = (f.msSinceServerHello ?? Infinity) <= QUICK_CLOSE_AFTER_HELLO_MS;
  if (!quick) return diagnosisOf('XZ_DIAG_SESSION_ENDED');
  if (f.deviceActivated === false) return diagnosisOf('XZ_DIAG_NOT_ACTIVATED');
  // An activated profile closed at once points at the wrong server or a binding lost there, not at activation.
  if (f.deviceActivated === true) return diagnosisOf('XZ_DIAG_CLOSED_ACTIVATED');
  return diagnosisOf('XZ_DIAG_CLOSED_AFTER_HELLO');
}

/**
 * Close reason carrying a diagnosis: `XZ_CODE: plain English…`, cut to 123 UTF-8 bytes. The code prefix
 * lets the page look up the full sentence (and the Chinese one) in the shared catalogue.
 */
export function diagnosisReason(d: Diagnosis): string {
  return truncateUtf8(`${d.code}: ${d.en}`, MAX_CLOSE_REASON_BYTES);
}

/** Reason for a close the gateway itself decides (catalogue sentence, optionally prefixed with detail). */
export function catalogueReason(code: XzErrorCode, detail?: string): string {
  const en = XZ_ERRORS[code].en;
  return truncateUtf8(detail ? `${detail}: ${en}` : en, MAX_CLOSE_REASON_BYTES);
}
