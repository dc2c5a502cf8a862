/** Keep secrets out of doctor output: tokens become a short hint, URLs lose credential parameters. */

const SECRET_PARAMS = new Set(['authorization', 'token', 'access_token', 'access-token', 'key', 'password', 'ticket']);

/**
 * A recognisable but useless hint of a token: `test-token` → `test…ken`. Short tokens reveal
 * nothing (a hint of an 8-char secret would give most of it away).
 */
export function tokenHint(token: string | undefined): string {
  if (token === undefined || token === '') return '(none)';
  const t = token.startsWith('Bearer ') ? token.slice(7) : token;
  if (t.length < 10) return '***';
  return `${t.slice(0, 4)}…${t.slice(-3)}`;
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
