/** Start the real gateway process (src/gateway/main.ts via tsx) for the reliability cases. */
import type { ChildProcess } from 'node:child_process';
import type { GwFactory } from './faults.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayCommand } from '../targets.ts';
import { freePort, spawnTs, stopProcess, waitForPort } from '../lib/spawn.ts';

export interface GatewayProc {
  port: number;
  pid: number;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<number | null>;
}

/**
 * `settings` are gateway env settings (e.g. MAX_SESSIONS_PER_IP) on top of production defaults; the
 * upstream is `backendWsUrl`. The working directory is a fresh temp folder (no stray .env).
 */
export async function startGatewayProcess(backendWsUrl: string, settings: Record<string, string> = {}, cpu?: number): Promise<GatewayProc> {
  const cmd = gatewayCommand();
  if (!cmd) throw new Error('no gateway entry point');
  const dir = mkdtempSync(join(tmpdir(), 'xzw-bench-gw-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], PORT: String(port), HOST: '127.0.0.1', BACKEND_WS_URL: backendWsUrl, DATA_DIR: join(dir, 'data'), ...settings };
  const child = spawnTs(cpu, cmd.file, cmd.args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  try {
    await waitForPort(port, 30_000, child);
  } catch (err) {
    await stopProcess(child, 1000);
    throw new Error(`${(err as Error).message}\n${out}`);
  }
  return { port, pid: child.pid!, child, output: () => out, stop: () => stopProcess(child, 12_000) };
}

/** Legacy query path with plausible identity values. */
export function legacyPath(i = 1): string {
  const hex = i.toString(16).padStart(4, '0');
  return `/api/ws-proxy?token=bench-token-0123456789&device_id=02:00:00:00:${hex.slice(0, 2)}:${hex.slice(2)}&client_id=00000000-0000-4000-8000-${hex.padStart(12, '0')}`;
}

/** Per-IP limits raised for cases that open many connections from 127.0.0.1. */
export const RAISED_LIMITS: Record<string, string> = { MAX_SESSIONS_PER_IP: '100000', MAX_NEW_SESSIONS_PER_IP_PER_SEC: '100000', MAX_SESSIONS: '100000' };

/** Fault-case factory over real gateway processes: per-IP limits raised unless `defaultLimits`. */
export function processGateways(cpu?: number): GwFactory {
  return async (backendWsUrl, opts) => {
    const g = await startGatewayProcess(backendWsUrl, opts?.defaultLimits ? {} : RAISED_LIMITS, cpu);
    const exited = new Promise<number | null>((r) => (g.child.exitCode !== null ? r(g.child.exitCode) : g.child.once('exit', (code) => r(code))));
    return { port: g.port, pid: g.pid, stop: () => g.stop(), kill: (sig) => g.child.kill(sig), exited, output: () => g.output() };
  };
}
