/**
 * The one way any part shows a secret: by its edges, `test-token` → `test…ken`, so a person can tell
 * which token is in use without it being readable. Short values (< 10 characters) show only `…`,
 * since 7 of 9 characters would give the secret away. A `Bearer ` prefix is not part of the secret.
 * Returns null when there is no token at all; callers choose how to say "none".
 */
export function tokenHint(token: string | null | undefined): string | null {
  if (!token) return null;
  const t = token.startsWith('Bearer ') ? token.slice(7) : token;
  if (t.length < 10) return '…';
  return `${t.slice(0, 4)}…${t.slice(-3)}`;
}
