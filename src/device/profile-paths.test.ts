import { describe, expect, it } from 'vitest';
import { isValidProfileName, resolveDataDir, slugifyProfileName } from './profile-paths.ts';

describe('resolveDataDir', () => {
  it('flag > XIAOZHI_DATA_DIR > ./data, always absolute', () => {
    expect(resolveDataDir('/x/flag', { XIAOZHI_DATA_DIR: '/x/env' })).toBe('/x/flag');
    expect(resolveDataDir(undefined, { XIAOZHI_DATA_DIR: '/x/env' })).toBe('/x/env');
    expect(resolveDataDir(undefined, {})).toBe(`${process.cwd()}/data`);
  });
});

describe('profile names', () => {
  it('are safe folder names', () => {
    for (const ok of ['a', 'kitchen-1', 'dev_2']) expect(isValidProfileName(ok)).toBe(true);
    for (const bad of ['', '..', '.hidden', 'a/b', 'A', '-x', 'x'.repeat(64), 'con fig']) expect(isValidProfileName(bad)).toBe(false);
    expect(slugifyProfileName('My Py-Xiaozhi Box!')).toBe('my-py-xiaozhi-box');
  });
});
