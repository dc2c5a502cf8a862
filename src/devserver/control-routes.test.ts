import { describe, expect, it } from 'vitest';
import { parseFaults } from './control-routes.ts';

describe('parseFaults', () => {
  it('accepts known faults with the right types', () => {
    expect(parseFaults({ noHello: true, rejectUpgrade: 403, handshakeDelayMs: 10 })).toEqual({ ok: true, value: { noHello: true, rejectUpgrade: 403, handshakeDelayMs: 10 } });
  });
  it.each([[{ nohello: true }], [{ noHello: 'yes' }], [{ rejectUpgrade: 404 }], [{ handshakeDelayMs: -1 }], [[1]], [null]])('refuses %j', (x) => {
    expect(parseFaults(x).ok).toBe(false);
  });
});
