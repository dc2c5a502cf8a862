import { describe, expect, it } from 'vitest';
import { ProgressLine } from './context.ts';
import { EXIT } from './exit-codes.ts';
import { exitCodeFor } from './report-error.ts';

describe('ProgressLine', () => {
  it('rewrites one line on a TTY and ends it once', () => {
    let out = '';
    const p = new ProgressLine(true, (s) => (out += s));
    p.update('a');
    p.update('b');
    p.finish();
    p.finish();
    expect(out).toBe('\r\x1b[2Ka\r\x1b[2Kb\n');
  });
  it('prints one line per update elsewhere', () => {
    let out = '';
    const p = new ProgressLine(false, (s) => (out += s));
    p.update('a');
    p.update('b');
    p.finish();
    expect(out).toBe('a\nb\n');
  });
});

describe('exit codes', () => {
  it('maps device errors to the documented codes', () => {
    expect(exitCodeFor('XZ_PROFILE_CORRUPT')).toBe(EXIT.STORAGE);
    expect(exitCodeFor('XZ_OTA_REJECTED')).toBe(EXIT.NETWORK);
    expect(exitCodeFor('XZ_ACTIVATION_HTTP_STATUS')).toBe(EXIT.NOT_ACTIVATED);
    expect(exitCodeFor('XZ_ACTIVATION_TIMEOUT')).toBe(EXIT.CANCELLED);
    expect(exitCodeFor('XZ_PROFILE_NAME_INVALID')).toBe(EXIT.USAGE);
    expect(Object.values(EXIT)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
