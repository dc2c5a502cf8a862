/**
 * The doctor as its hosts call it: a real profile store (src/device) and the real `xiaozhi-web doctor` /
 * `check-token` commands as child processes, against the devserver on port 0.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/device/index.ts';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { runDoctor } from '../../src/doctor/index.ts';
import { identity } from './helpers.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(REPO, 'bin', 'xiaozhi-web.mjs');

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'en_US.UTF-8' };
    delete env['LC_ALL'];
    delete env['LC_MESSAGES'];
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let root: string;
let data: string;
let srv: DevServer;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'xz-doctor-host-'));
  data = join(root, 'data');
  srv = await startDevServer({ port: 0, logger: false, auth: 'cloud', helloTimeoutMs: 2000 });
});
afterEach(async () => {
  await srv.close();
  await rm(root, { recursive: true, force: true });
});

describe('doctor called by its hosts', () => {
  it('reads identity, OTA URL and activation state from a profile (gateway style)', async () => {
    const store = new ProfileStore({ dataDir: data });
    const p = await store.create({ name: 'desk', otaUrl: srv.otaUrl, makeDefault: true });
    // Gateway call shape: store + profile + its default OTA_URL (the profile's own URL wins).
    const notYet = await runDoctor({ store, dataDir: data, profile: 'desk', otaUrl: 'https://api.tenclass.net/xiaozhi/ota/', timeoutMs: 2000 } as never);
    expect(notYet.failedStage).toBe('activation');
    expect(notYet.stages[0]!.detail).toContain(p.identity.deviceId);

    srv.activateDevice(p.identity.deviceId);
    const ok = await runDoctor({ store, dataDir: data, turn: false, timeoutMs: 2000 } as never); // default profile
    expect(ok.ok).toBe(true);
    expect(ok.exitCode).toBeUndefined();

    const missing = await runDoctor({ store, profile: 'nope', timeoutMs: 2000 } as never);
    expect(missing.failedStage).toBe('config');
    expect(missing.summary).toMatch(/profile "nope" cannot be used/);
  });

  it('`xiaozhi-web doctor --profile … --json` prints the report and exits 0 / 3', async () => {
    const store = new ProfileStore({ dataDir: data });
    const p = await store.create({ name: 'desk', otaUrl: srv.otaUrl, makeDefault: true });
    const first = await cli(['--data-dir', data, 'doctor', '--profile', 'desk', '--json']);
    expect(first.code).toBe(3);
    const r1 = JSON.parse(first.stdout);
    expect(r1.failedStage).toBe('activation');
    expect(r1.stages.find((s: { id: string }) => s.id === 'activation').data.code).toMatch(/^\d{6}$/);

    srv.activateDevice(p.identity.deviceId);
    const second = await cli(['--data-dir', data, '--lang', 'zh', 'doctor', '--turn']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('小智连接诊断');
    expect(second.stdout).toMatch(/正常：全部 8 项检查通过/);
  });

  it('`xiaozhi-web check-token` names the close after hello and never prints the token', async () => {
    const id = identity();
    const token = 'abcdefghijklmnopqrstuvwxyz';
    const r = await cli(['check-token', token, '--device-id', id.deviceId, '--client-id', id.clientId, '--url', srv.wsUrl]);
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/✘ Hello/);
    expect(r.stdout).toMatch(/closed without a status code/);
    expect(r.stdout).toContain('abcd…xyz');
    expect(r.stdout + r.stderr).not.toContain(token);
  });
});
