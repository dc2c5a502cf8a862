import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { XZ_ERRORS } from '../../src/protocol/errors.ts';

// The close-code reference must list every catalogue entry with the code it really travels as.
describe('docs/close-codes.md', () => {
  const doc = readFileSync(new URL('../../docs/close-codes.md', import.meta.url), 'utf8');
  it.each(Object.entries(XZ_ERRORS))('documents %s', (name, info) => {
    const row = doc.split('\n').find((line) => line.startsWith('|') && line.includes(`\`${name}\``));
    expect(row, `${name} missing from docs/close-codes.md`).toBeDefined();
    if (info.closeCode !== undefined) expect(row).toContain(String(info.closeCode));
    else if (info.httpStatus !== undefined) expect(row).toContain(String(info.httpStatus));
  });
});
