import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helloRoundTrip, openWs } from './helpers.ts';
import { REPO_ROOT, spawnGateway } from './helpers-process.ts';

describe('npm run demo', () => {
  it('starts devserver + gateway wired together with an activated demo profile; a ticket session talks; SIGTERM stops both', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'xzw-demo-'));
    const p = spawnGateway(['--port', '0'], { cwd, script: `${REPO_ROOT}src/gateway/demo.ts` });
    try {
      const url = await p.ready;
      expect(p.output()).toMatch(/activation code \d{6}/);
      const list = (await (await fetch(`${url}/api/profiles`)).json()) as { profiles: Record<string, unknown>[] };
      expect(list.profiles[0]).toMatchObject({ name: 'demo', activated: true, isDefault: true });
      const t = (await (await fetch(`${url}/api/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { url: string };
      const ws = openWs(`${url.replace(/^http/, 'ws')}${t.url}`);
      expect((await helloRoundTrip(ws))['session_id']).toBeTruthy();
      p.child.kill('SIGTERM');
      expect((await ws.closed).code).toBe(1012);
      expect((await p.exited).code).toBe(0);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await p.exited;
    }
  });
});
