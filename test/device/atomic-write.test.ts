import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfileStore, TEMP_SUFFIX } from '../../src/device/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'xzw-atomic-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Run the crash writer until its temp file is on disk, then SIGKILL it before the rename. */
function crashMidWrite(target: string, content: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'crash-writer.ts'), target, content], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)\n/.exec(out);
      if (m) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      const m = /READY (\S+)\n/.exec(out);
      if (signal === 'SIGKILL' && m) resolve(m[1]!);
      else reject(new Error(`crash writer did not reach the rename: ${err}`));
    });
  });
}

describe('atomic writes', () => {
  it('a process killed between write and rename leaves the real file intact and loadable', async () => {
    const store = new ProfileStore({ dataDir: join(root, 'data') });
    const p = await store.create({ name: 'dev' });
    const original = await readFile(p.paths.config, 'utf8');

    const temp = await crashMidWrite(p.paths.config, '{"SYSTEM_OPTIONS":{"DEVICE_ID":"half-');
    expect(await readFile(temp, 'utf8')).toContain('half-'); // the temp file really was written
    expect(temp.endsWith(TEMP_SUFFIX)).toBe(true);

    expect(await readFile(p.paths.config, 'utf8')).toBe(original);
    const again = await store.get('dev');
    expect(again.identity).toEqual(p.identity);
    const { profiles, broken } = await store.list();
    expect(profiles.map((q) => q.name)).toEqual(['dev']);
    expect(broken).toEqual([]);
    // The next normal write still works beside the leftover temp file.
    await store.update('dev', { token: 'after-crash-token' });
    expect((await store.get('dev')).token).toBe('after-crash-token');
    expect((await readdir(dirname(p.paths.config))).filter((f) => f.endsWith(TEMP_SUFFIX))).toHaveLength(1);
  });

  it('a leftover temp file with garbage in the data folder is ignored', async () => {
    const store = new ProfileStore({ dataDir: join(root, 'data') });
    await store.create({ name: 'dev' });
    await writeFile(join(root, 'data', `.profiles.json.123.abcd${TEMP_SUFFIX}`), '{"default": "nope"');
    expect(await store.defaultName()).toBe('dev');
  });
});
