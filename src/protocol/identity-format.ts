/** Shape checks for the identity values carried in headers and query strings (xiaozhi-protocol.md §2.2, §5.2). */

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
// manager-api accepts ':' or '-' separators and any case (§5.2 notes).
const LOOSE_MAC_RE = /^[0-9A-Za-z]{2}([:-][0-9A-Za-z]{2}){5}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Strict firmware form: lowercase hex, colon separated (`a0:85:e3:f4:49:34`). */
export function isCanonicalMac(value: string): boolean {
  return MAC_RE.test(value);
}

/** Any MAC-shaped string a tolerant server accepts (upper case, `-` separators). */
export function isMacShaped(value: string): boolean {
  return LOOSE_MAC_RE.test(value);
}

/** Lowercase, colon-separated form of a MAC-shaped string, or null when it is not one. */
export function normalizeMac(value: string): string | null {
  if (!isMacShaped(value)) return null;
  return value.toLowerCase().replace(/-/g, ':');
}

/** Any RFC 4122 UUID (case-insensitive). */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/**
 * A value that may safely go into an HTTP header: printable ASCII, no CR/LF or other controls,
 * at most `maxLength` characters. Query parameters become headers in the gateway (reliability §2.13).
 */
export function isSafeHeaderValue(value: string, maxLength = 256): boolean {
  if (value.length === 0 || value.length > maxLength) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Placeholder device ids seen in old docs and clients; the cloud cannot know them (§9 item 9). */
export const PLACEHOLDER_DEVICE_IDS: ReadonlySet<string> = new Set([
  'web-client',
  'web-test-device',
  'test-device',
  'web_test_device',
  'web-device',
]);

/** The literal token the official OTA hands out; it is normal, not a sign of failure (§2.5). */
export const OTA_PLACEHOLDER_TOKEN = 'test-token';
