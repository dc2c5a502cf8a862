/** Where the user types the 6-digit code (§5.3: xiaozhi.me for the cloud; manager-api / devserver put their URL first in `message`). */

/** py-xiaozhi's default `AUTHORIZATION_URL`. */
export const DEFAULT_PORTAL_URL = 'https://xiaozhi.me/';

const HOST_RE = /^(localhost|\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\]|([a-z0-9-]+\.)+[a-z]{2,})(:\d{1,5})?(\/\S*)?$/i;

/**
 * The portal URL from an activation `message` whose first line is a URL (`http://…`) or a bare
 * host (`xiaozhi.me`, `192.168.1.5:8001/`); otherwise `fallback`. Bare local hosts get http://,
 * public ones https://.
 */
export function portalUrlFromMessage(message: string | undefined, fallback = DEFAULT_PORTAL_URL): string {
  const first = (message ?? '').split(/\r?\n/, 1)[0]!.trim();
  if (/^https?:\/\/\S+$/i.test(first)) {
    try {
      return new URL(first).href;
    } catch {
      return fallback;
    }
  }
  if (HOST_RE.test(first)) {
    const host = first.split(/[:/]/, 1)[0]!.toLowerCase();
    const local = host === 'localhost' || /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(host) || first.startsWith('[');
    try {
      return new URL(`${local ? 'http' : 'https'}://${first}`).href;
    } catch {
      return fallback;
    }
  }
  return fallback;
}
