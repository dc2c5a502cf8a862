import { describe, expect, it } from 'vitest';
import { maskToken } from './mask-token.ts';

describe('maskToken', () => {
  it('shows only the edges', () => {
    expect(maskToken('test-token')).toBe('test…ken');
    expect(maskToken('eyJhbGciOiJIUzI1NiJ9.payload.sig')).toBe('eyJh…sig');
  });
  it('hides short values and shows absence', () => {
    expect(maskToken('secret12')).toBe('…');
    expect(maskToken(null)).toBe('—');
    expect(maskToken('')).toBe('—');
  });
});
