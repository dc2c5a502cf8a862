import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PY_CONFIG, PY_EFUSE } from '../device/fixtures/py-xiaozhi-config.ts';
import { runCli } from './run-cli.ts';

let root: string;
let data: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'xzw-cli-'));
  data = join(root, 'data');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('xiaozhi-web profile (child process, temp data dir)', () => {
  it('create → list → show in English, token never printed in full', async () => {
    const created = await runCli(['--data-dir', data, 'profile', 'create', 'kitchen', '--label', 'Kitchen speaker']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Created profile "kitchen" with Device-Id ([0-9a-f]{2}:){5}[0-9a-f]{2}\./);
    expect(existsSync(join(data, 'kitchen', 'config', 'efuse.json'))).toBe(true);

    const list = await runCli(['profile', 'list', '--data-dir', data]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('*kitchen\tKitchen speaker');

    const json = JSON.parse((await runCli(['--data-dir', data, 'profile', 'show', 'kitchen', '--json'])).stdout);
    expect(json).toMatchObject({ name: 'kitchen', label: 'Kitchen speaker', isDefault: true, activated: false, token: '—' });
    expect(json.hmacKey).toMatch(/^.{4}….{3}$/);
  });

  it('imports a py-xiaozhi folder, masks its token, exports it back byte-for-byte', async () => {
    const src = join(root, 'py', 'config');
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'config.json'), PY_CONFIG);
    await writeFile(join(src, 'efuse.json'), PY_EFUSE);
    const imp = await runCli(['--data-dir', data, 'profile', 'import', join(root, 'py'), '--name', 'desk']);
    expect(imp.code).toBe(0);
    expect(imp.stdout).toContain('Imported profile "desk" (Device-Id 58:11:22:b7:26:42)');

    const show = await runCli(['--data-dir', data, 'profile', 'show', 'desk']);
    expect(show.stdout).toContain('test…ken');
    expect(show.stdout).not.toContain('test-token');
    expect(show.stdout).not.toContain('4d38539a8e0a1923a72bbdbb66b9e0d1e9cafe11cd8bc536cb3223be72a946ac');

    const out = join(root, 'back');
    expect((await runCli(['--data-dir', data, 'profile', 'export', 'desk', out])).code).toBe(0);
    expect(await readFile(join(out, 'config.json'), 'utf8')).toBe(PY_CONFIG);
    expect(await readFile(join(out, 'efuse.json'), 'utf8')).toBe(PY_EFUSE);
    const again = await runCli(['--data-dir', data, 'profile', 'export', 'desk', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('--force');
  });

  it('speaks Chinese for zh locales, --lang overrides, XIAOZHI_DATA_DIR is honoured', async () => {
    const zh = await runCli(['profile', 'create', 'a'], { env: { LANG: 'zh_CN.UTF-8', XIAOZHI_DATA_DIR: data } });
    expect(zh.code).toBe(0);
    expect(zh.stdout).toContain('已创建档案 "a"');
    const lcAll = await runCli(['profile', 'list'], { env: { LANG: 'en_US.UTF-8', LC_ALL: 'zh_TW.UTF-8', XIAOZHI_DATA_DIR: data } });
    expect(lcAll.stdout).toContain('名称\t标签');
    const forced = await runCli(['--lang', 'en', 'profile', 'list'], { env: { LANG: 'zh_CN.UTF-8', XIAOZHI_DATA_DIR: data } });
    expect(forced.stdout).toContain('NAME\tLABEL');
    const help = await runCli(['profile', 'create', '--help', '--lang', 'zh']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('用新的随机设备身份创建档案');
    expect(help.stdout).toContain('退出码');
  });

  it('exit codes: usage 2, not found 1, corrupt 6 (with path)', async () => {
    expect((await runCli(['--data-dir', data, 'profile', 'list', '--bogus'])).code).toBe(2);
    expect((await runCli(['--lang', 'fr', 'profile', 'list'])).code).toBe(2);
    expect((await runCli(['--data-dir', data, 'profile', 'create', 'Bad/Name'])).code).toBe(2);
    expect((await runCli(['--data-dir', data, 'profile'])).code).toBe(2);
    const missing = await runCli(['--data-dir', data, 'profile', 'show', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no profile named "nope"');

    await runCli(['--data-dir', data, 'profile', 'create', 'x']);
    const noYes = await runCli(['--data-dir', data, 'profile', 'remove', 'x']);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('--yes');
    const cfg = join(data, 'x', 'config', 'config.json');
    await writeFile(cfg, '{"SYSTEM_OPTIONS": {');
    const corrupt = await runCli(['--data-dir', data, 'profile', 'show', 'x'], { env: { LANG: 'zh_CN.UTF-8' } });
    expect(corrupt.code).toBe(6);
    expect(corrupt.stderr).toContain(cfg);
    expect(corrupt.stderr).toContain('存储问题');
    expect(await readFile(cfg, 'utf8')).toBe('{"SYSTEM_OPTIONS": {');
    expect((await runCli(['--data-dir', data, 'profile', 'remove', 'x', '--yes'])).code).toBe(0);
  });

  it('doctor has its own --help listing its options', async () => {
    const help = await runCli(['doctor', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--ota-url');
    expect(help.stdout).toContain('Exit codes');
  });
});
