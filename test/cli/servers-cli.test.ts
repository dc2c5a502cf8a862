/** `xiaozhi-web start` (gateway) and `xiaozhi-web devserver` as child processes: up, reachable, stopped cleanly. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli } from './run-cli.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'xzw-cli-srv-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Start, wait for `pattern` on stdout, check the URL it names, then SIGTERM and collect the result. */
async function upThenStop(args: string[], pattern: RegExp, check: (url: string) => Promise<void>) {
  let url: string | undefined;
  let ready: () => void;
  const seen = new Promise<void>((r) => (ready = r));
  const { child, done } = startCli(args, {
    onStdout: (out) => {
      const m = pattern.exec(out);
      if (m && !url) {
        url = m[1]!;
        ready();
      }
    },
  });
  await Promise.race([seen, done.then((r) => { throw new Error(`exited early (${r.code}): ${r.stderr}`); })]);
  await check(url!);
  child.kill('SIGTERM');
  return done;
}

describe('long-running commands', () => {
  it('devserver: serves OTA, stops on SIGTERM with exit 0', async () => {
    const r = await upThenStop(['devserver', '--port', '0', '--auth', 'open'], /OTA\s+(http:\/\/\S+)/, async (ota) => {
      const res = await fetch(ota, {
        method: 'POST',
        headers: { 'Device-Id': '02:00:00:00:00:01', 'Client-Id': '975b0760-1234-4abc-8def-0123456789ab', 'Content-Type': 'application/json' },
        body: JSON.stringify({ application: { version: '1.0.0' }, board: { type: 't' } }),
      });
      expect(res.status).toBe(200);
      expect((await res.json()).websocket.token).toBe('test-token');
    });
    expect(r.code).toBe(0);
  });

  it('start (also the default command): gateway answers /health, uses --data-dir, stops with exit 0', async () => {
    const data = join(root, 'data');
    const r = await upThenStop(['--data-dir', data, '--port', '0', '--log-level', 'silent'], /listening on (http:\/\/\S+)/, async (base) => {
      expect((await fetch(`${base}/health`)).status).toBe(200);
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`profiles in ${data}`);
  });

  it('start with a bad gateway flag is a usage error (exit 2); --help lists the gateway flags', async () => {
    const bad = await runCli(['start', '--port', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('PORT');
    const help = await runCli(['start', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--backend-ws-url');
    expect(help.stdout).toContain('Exit codes');
  });
});
