/** `xiaozhi-web activate` as a child process against the devserver (cloud mode). */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/device/index.ts';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { runCli, startCli } from './run-cli.ts';

let root: string;
let data: string;
let server: DevServer | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'xzw-cli-act-'));
  data = join(root, 'data');
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(root, { recursive: true, force: true });
});

async function profileFor(otaUrl: string): Promise<void> {
  await new ProfileStore({ dataDir: data }).create({ name: 'dev', otaUrl });
}

describe('xiaozhi-web activate', () => {
  it('shows the code and the devserver page, waits for the code, stores the token (exit 0, English)', async () => {
    server = await startDevServer({ port: 0, auth: 'cloud', logger: false });
    await profileFor(server.otaUrl);
    let entered = false;
    const { done } = startCli(['--data-dir', data, 'activate', '--profile', 'dev', '--interval', '0.1', '--deadline', '20'], {
      onStdout: (out) => {
        const m = /Activation code: (\d{6})/.exec(out);
        if (m && !entered && out.includes('… waiting')) {
          entered = true;
          void fetch(`${server!.baseUrl}/xiaozhi/devserver/activate`, { method: 'POST', body: JSON.stringify({ code: m[1] }), headers: { 'Content-Type': 'application/json' } }).then((r) => r.text());
        }
      },
    });
    const r = await done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Enter it at: ${server.baseUrl}/xiaozhi/devserver/`);
    expect(r.stdout).toMatch(/… waiting for the code to be entered \(poll 1, \d+ s\)\n/); // non-TTY: one line per event
    expect(r.stdout).toContain('✓ Profile "dev" activated.');
    expect(r.stdout).toContain(`WebSocket: ${server.wsUrl}  token: test…ken`);
    expect(r.stdout).not.toContain('test-token');
    const p = await new ProfileStore({ dataDir: data }).get('dev');
    expect(p.activated).toBe(true);

    const again = await runCli(['--data-dir', data, 'activate', '--json']);
    expect(again.code).toBe(0);
    const events = again.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(['ota-sent', 'activated']);
    expect(events[1]).toEqual({ type: 'activated', alreadyActivated: true });
  });

  it('Ctrl-C while waiting cancels with exit 4 (Chinese output); a deadline also exits 4', async () => {
    server = await startDevServer({ port: 0, auth: 'cloud', logger: false });
    await profileFor(server.otaUrl);
    let sent = false;
    const { done } = startCli(['--data-dir', data, 'activate', '--interval', '0.1'], {
      env: { LANG: 'zh_CN.UTF-8' },
      onStdout: (out, child) => {
        if (!sent && out.includes('等待输入验证码')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    const r = await done;
    expect(r.stdout).toMatch(/激活码：\d{6}/);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('激活已取消');

    const late = await runCli(['--data-dir', data, 'activate', '--interval', '0.2', '--deadline', '1']);
    expect(late.code).toBe(4);
    expect(late.stderr).toContain('Not activated within 1 s');
  });

  it('exit 3 when the server refuses activation (expired code, HTTP 410)', async () => {
    server = await startDevServer({ port: 0, auth: 'cloud', logger: false, codeTtlMs: 1000 });
    await profileFor(server.otaUrl);
    const r = await runCli(['--data-dir', data, 'activate', '--interval', '0.4', '--deadline', '20']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('HTTP 410');
  });

  it('exit 5 when OTA is unreachable; exit 2 for a bad --deadline', async () => {
    const s = createServer();
    await new Promise<void>((res) => s.listen(0, '127.0.0.1', res));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((res) => s.close(() => res()));
    await profileFor(`http://127.0.0.1:${port}/xiaozhi/ota/`);
    const r = await runCli(['--data-dir', data, 'activate']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('ECONNREFUSED');
    expect((await runCli(['--data-dir', data, 'activate', '--deadline', 'soon'])).code).toBe(2);
  });
});
