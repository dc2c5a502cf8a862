import { describe, expect, it } from 'vitest';
import { tokenHint } from './token-hint.ts';

describe('tokenHint', () => {
  it('shows the first four and last three characters', () => {
    expect(tokenHint('test-token')).toBe('test…ken');
    expect(tokenHint('eyJhbGciOiJIUzI1NiJ9.payload.sig')).toBe('eyJh…sig');
    expect(tokenHint('Bearer abcdefghijklmnop')).toBe('abcd…nop');
  });
  it('reveals nothing of short or missing tokens', () => {
    expect(tokenHint('secret12')).toBe('…');
    expect(tokenHint('Bearer secret12')).toBe('…');
    expect(tokenHint('')).toBeNull();
    expect(tokenHint(null)).toBeNull();
    expect(tokenHint(undefined)).toBeNull();
  });
});
