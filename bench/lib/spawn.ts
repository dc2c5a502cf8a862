/** Start bench processes pinned to a CPU, wait for readiness, stop them by pid. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** `--import` value for running .ts files from any working directory. */
export const TSX_IMPORT = pathToFileURL(resolve(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p));

/** True when processes can be pinned (taskset present and the CPU exists). */
export function canPin(cpu: number): boolean {
  return TASKSET !== undefined && cpu < availableParallelism();
}

/**
 * Spawn `cmd args` pinned to `cpu` (taskset execs the command, so the pid is the command's own).
 * `cpu` undefined or not pinnable → unpinned.
 */
export function spawnPinned(cpu: number | undefined, cmd: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const pin = cpu !== undefined && canPin(cpu);
  const child = pin ? spawn(TASKSET!, ['-c', String(cpu), cmd, ...args], options) : spawn(cmd, args, options);
  child.on('error', () => undefined);
  return child;
}

/** Spawn a TypeScript file of this repo with node + tsx (no npx wrapper: the pid is node's). */
export function spawnTs(cpu: number | undefined, file: string, args: string[], options: SpawnOptions = {}, nodeFlags: string[] = []): ChildProcess {
  return spawnPinned(cpu, process.execPath, [...nodeFlags, '--import', TSX_IMPORT, resolve(REPO_ROOT, file), ...args], options);
}

/** Resolve with the first stdout JSON line for which `pick` returns a value. */
export function waitForJsonLine<T>(child: ChildProcess, pick: (o: Record<string, unknown>) => T | undefined, timeoutMs = 20_000): Promise<T> {
  return new Promise((res, rej) => {
    let buf = '';
    const timer = setTimeout(() => rej(new Error(`timed out after ${timeoutMs} ms waiting for a line from pid ${child.pid}`)), timeoutMs);
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const v = pick(JSON.parse(line) as Record<string, unknown>);
          if (v !== undefined) {
            clearTimeout(timer);
            child.stdout?.off('data', onData);
            return res(v);
          }
        } catch {
          /* not JSON */
        }
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`pid ${child.pid} exited (${code}) before it was ready`));
    });
  });
}

/** A free TCP port on 127.0.0.1 (bind 0, read, release). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

/** Poll until 127.0.0.1:port accepts TCP. */
export async function waitForPort(port: number, timeoutMs = 20_000, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`process ${child.pid} exited with ${child.exitCode} before listening on ${port}`);
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export function stopProcess(child: ChildProcess, graceMs = 5000): Promise<number | null> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) return res(child.exitCode);
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(kill);
      res(code);
    });
    child.kill('SIGTERM');
  });
}
