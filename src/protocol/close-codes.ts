/**
 * WebSocket close codes and the relay's forwarding rule (xiaozhi-protocol.md §2.7,
 * reliability-performance.md §2.8). 1005/1006/1015 only ever exist locally; 1004 is reserved.
 */

/** Longest close reason allowed on the wire, in UTF-8 bytes (RFC 6455 §5.5: 125-byte control payload − 2). */
export const MAX_CLOSE_REASON_BYTES = 123;

/** True when `code` may be put in a Close frame (what `ws` and browsers accept). */
export function isSendableCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 1000 && code <= 1014) return code !== 1004 && code !== 1005 && code !== 1006;
  return code >= 3000 && code <= 4999;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 byte length of a string. */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** Cut `text` to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes = MAX_CLOSE_REASON_BYTES): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, maxBytes);
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return decoder.decode(bytes.subarray(0, end));
}

/** What the relay does to the browser leg when the upstream leg closed. */
export interface ForwardedClose {
  code: number;
  reason: string;
}

/**
 * Map an upstream close (`code` as reported locally, e.g. by `ws`) to a close the gateway may send.
 * - 1005 (peer sent an empty Close): a normal end for XiaoZhi clients, NOT an auth signal → 1000 with the
 *   gateway's explanation (or a plain "closed without status").
 * - 1006 (TCP ended without Close) and 1015 (TLS failure) → 1014 "bad gateway" with an explanation.
 * - Sendable codes pass through; anything else → 1011.
 * Reasons are always cut to 123 bytes on a character boundary.
 */
export function mapUpstreamClose(code: number, reason: string, explanation?: string): ForwardedClose {
  let out: ForwardedClose;
  if (code === 1005) out = { code: 1000, reason: explanation ?? 'upstream closed without status' };
  else if (code === 1006) out = { code: 1014, reason: explanation ?? 'upstream connection lost without a close frame' };
  else if (code === 1015) out = { code: 1014, reason: explanation ?? 'upstream TLS failure' };
  else if (isSendableCloseCode(code)) out = { code, reason: reason || explanation || '' };
  else out = { code: 1011, reason: explanation ?? `upstream closed with invalid code ${code}` };
  return { code: out.code, reason: truncateUtf8(out.reason) };
}
