import { describe, expect, it } from 'vitest';
import { redactUrl, scrub, tokenHint } from './redact.ts';

describe('tokenHint', () => {
  it('shows the first four and last three characters', () => {
    expect(tokenHint('test-token')).toBe('test…ken');
    expect(tokenHint('Bearer abcdefghijklmnop')).toBe('abcd…nop');
  });
  it('reveals nothing of short or missing tokens', () => {
    expect(tokenHint('secret12')).toBe('…');
    expect(tokenHint('')).toBe('(none)');
    expect(tokenHint(undefined)).toBe('(none)');
  });
});

describe('redactUrl', () => {
  it('hides credential query parameters and user-info', () => {
    const out = redactUrl('ws://u:p@host:8000/xiaozhi/v1/?authorization=Bearer%20abc&device-id=aa');
    expect(out).not.toContain('abc');
    expect(out).not.toContain('u:p');
    expect(out).toContain('device-id=aa');
  });
  it('leaves ordinary URLs alone', () => {
    expect(redactUrl('wss://api.tenclass.net/xiaozhi/v1/')).toBe('wss://api.tenclass.net/xiaozhi/v1/');
  });
  it('still redacts unparsable URLs', () => {
    expect(redactUrl('not a url?token=xyz123')).toBe('not a url?token=***');
  });
});

describe('scrub', () => {
  it('replaces a token inside free text', () => {
    expect(scrub('bad token abcdefghijkl here', 'abcdefghijkl')).toBe('bad token abcd…jkl here');
  });
});
