import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from './registry.ts';

describe('Registry', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  it('reuses a valid code per device and issues distinct codes to different devices', () => {
    const r = new Registry(60_000);
    const a = r.pendingFor('AA:BB:CC:DD:EE:01', false);
    expect(r.pendingFor('aa:bb:cc:dd:ee:01', false)).toBe(a);
    expect(r.pendingFor('aa:bb:cc:dd:ee:02', false).code).not.toBe(a.code);
    expect(r.byChallenge(a.challenge)).toBe(a);
  });

  it('enterCode binds; complete activates and spends the code', () => {
    const r = new Registry(60_000);
    const p = r.pendingFor('aa:bb:cc:dd:ee:03', false);
    expect(r.enterCode('000000x')).toBeNull();
    expect(r.enterCode(p.code)).toBe(p);
    expect(r.get('aa:bb:cc:dd:ee:03')?.bound).toBe(true);
    expect(r.isActivated('aa:bb:cc:dd:ee:03')).toBe(false);
    r.complete(p);
    expect(r.isActivated('AA-BB-CC-DD-EE-03')).toBe(true);
    expect(r.pending()).toHaveLength(0);
  });

  it('expired codes are refused and replaced', async () => {
    const r = new Registry(20);
    const p = r.pendingFor('aa:bb:cc:dd:ee:04', false);
    await new Promise((res) => setTimeout(res, 30));
    expect(r.enterCode(p.code)).toBeNull();
    expect(r.pendingFor('aa:bb:cc:dd:ee:04', false).challenge).not.toBe(p.challenge);
  });

  it('persists activated devices to the data file (0600) and loads them back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devserver-reg-'));
    dirs.push(dir);
    const file = join(dir, 'devices.json');
    const r = new Registry(60_000, file);
    r.touch('aa:bb:cc:dd:ee:05', { hmacKey: 'k' });
    r.activate('aa:bb:cc:dd:ee:05');
    r.touch('aa:bb:cc:dd:ee:06', {});
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).devices).toHaveLength(1);
    const again = new Registry(60_000, file);
    expect(again.isActivated('aa:bb:cc:dd:ee:05')).toBe(true);
    expect(again.isActivated('aa:bb:cc:dd:ee:06')).toBe(false);
  });
});
