/**
 * Show a secret only by its edges: `test-token` → `test…ken`. Values shorter than 10 characters
 * are fully hidden (showing 7 of 9 characters would reveal the token).
 */
export function maskToken(token: string | null | undefined): string {
  if (!token) return '—';
  if (token.length < 10) return '…';
  return `${token.slice(0, 4)}…${token.slice(-3)}`;
}
