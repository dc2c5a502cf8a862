import { tokenHint } from '../protocol/token-hint.ts';

/** A token as the CLI prints it: `test…ken`, or `—` when there is none (see {@link tokenHint}). */
export function maskToken(token: string | null | undefined): string {
  return tokenHint(token) ?? '—';
}
