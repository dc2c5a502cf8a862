import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/device/index.ts';
import { REPO_ROOT, spawnGateway } from './helpers-process.ts';

describe('gateway process start-up configuration', () => {
  it('a bad .env value stops start-up with exit 2 and a message naming each setting', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'xzw-proc-'));
    writeFileSync(join(cwd, '.env'), 'PORT=http\nMAX_SESSIONS_PER_IP=lots\n');
    const p = spawnGateway([], { cwd });
    const { code } = await p.exited;
    expect(code).toBe(2);
    expect(p.output()).toContain('PORT="http"');
    expect(p.output()).toContain('MAX_SESSIONS_PER_IP="lots"');
  });

  it('flags override .env and are validated too', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'xzw-proc-'));
    writeFileSync(join(cwd, '.env'), 'PORT=0\n');
    const p = spawnGateway(['--ota-url', 'ftp://x', '--host', '0.0.0.0'], { cwd });
    const { code } = await p.exited;
    expect(code).toBe(2);
    expect(p.output()).toContain('OTA_URL="ftp://x"');
    expect(p.output()).toMatch(/HOST="0\.0\.0\.0".*ACCESS_KEY/);
  });

  it('reads PORT from .env and prints what is exposed', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'xzw-proc-'));
    writeFileSync(join(cwd, '.env'), `PORT=0\nDATA_DIR=${join(cwd, 'data')}\nLOG_LEVEL=warn\n`);
    const p = spawnGateway([], { cwd });
    try {
      const url = await p.ready;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(p.output()).toContain('reachable from: this computer only (loopback)');
      const health = (await (await fetch(`${url}/health`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ status: 'ok', service: 'xiaozhi-websocket-proxy', connections: 0 });
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });

  it('`xiaozhi-web start` (what npm start runs) honours DATA_DIR from .env', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'xzw-proc-'));
    const dataDir = join(cwd, 'elsewhere');
    await new ProfileStore({ dataDir }).create({ name: 'from-env', otaUrl: 'http://127.0.0.1:9/xiaozhi/ota/' });
    writeFileSync(join(cwd, '.env'), `PORT=0\nDATA_DIR=${dataDir}\nLOG_LEVEL=warn\n`);
    const p = spawnGateway(['start'], { cwd, script: `${REPO_ROOT}src/cli/main.ts` });
    try {
      const url = await p.ready;
      const body = (await (await fetch(`${url}/api/profiles`)).json()) as { profiles: { name: string }[] };
      expect(body.profiles.map((x) => x.name)).toEqual(['from-env']);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });

  it('--tls-self-signed without the openssl command says so clearly and exits 2', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'xzw-proc-'));
    const bin = join(cwd, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node')); // PATH with node but without openssl
    const p = spawnGateway(['--port', '0', '--tls-self-signed', '--data-dir', join(cwd, 'data')], { cwd, env: { PATH: bin } });
    const { code } = await p.exited;
    expect(code).toBe(2);
    expect(p.output()).toContain('TLS_SELF_SIGNED: the `openssl` command was not found');
  });
});
