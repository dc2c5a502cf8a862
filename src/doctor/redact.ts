/** Keep secrets out of doctor output: tokens become a short hint, URLs lose credential parameters. */
import { tokenHint as hint } from '../protocol/token-hint.ts';

const SECRET_PARAMS = new Set(['authorization', 'token', 'access_token', 'access-token', 'key', 'password', 'ticket']);

/** A token as the doctor prints it: `test…ken`, or `(none)` (see {@link hint}). */
export function tokenHint(token: string | undefined): string {
  return hint(token) ?? '(none)';
}

/** The URL with user-info and credential-like query values replaced by `***`; input returned as is if unparsable. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url.replace(/([?&](?:authorization|token|access_token)=)[^&#]*/gi, '$1***');
  }
  if (u.username || u.password) {
    u.username = u.username ? '***' : '';
    u.password = u.password ? '***' : '';
  }
  for (const name of [...u.searchParams.keys()]) {
    if (SECRET_PARAMS.has(name.toLowerCase())) u.searchParams.set(name, '***');
  }
  return u.toString();
}

/** Remove every occurrence of `secret` from `text` (server echoes, error messages). */
export function scrub(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join(tokenHint(secret));
}
