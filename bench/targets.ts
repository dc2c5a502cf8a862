/**
 * The three targets of the bench (issue 6): direct to the upstream (the limit), nginx injecting the headers,
 * and the xiaozhi-web gateway with its default production settings (only the per-IP limits raised, because
 * every bench session comes from 127.0.0.1). Each run gets a fresh target process pinned to its own CPU.
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findNginx, startNginx } from './nginx.ts';
import { freePort, REPO_ROOT, spawnTs, stopProcess, waitForPort } from './lib/spawn.ts';

export type TargetName = 'direct' | 'nginx' | 'gateway' | 'gateway-framed' | 'node-tunnel';
/**
 * Run by default. On request: `gateway-framed` (RELAY_MODE=framed, the relay before splice mode) and
 * `node-tunnel` (bench/node-tunnel.ts: a bare Node byte copier, the floor of Node's socket I/O).
 */
export const TARGETS: readonly TargetName[] = ['direct', 'nginx', 'gateway'];
export const ALL_TARGETS: readonly TargetName[] = [...TARGETS, 'gateway-framed', 'node-tunnel'];

export interface RunningTarget {
  name: TargetName;
  /** URL the load generator dials. */
  url: string;
  auth: 'headers' | 'query';
  /** Process (tree root) whose CPU and RSS are measured; undefined for direct. */
  pid?: number;
  /** Files the target writes its logs to (bytes counted per session-minute). */
  logFiles: string[];
  stop(): Promise<void>;
}

export interface TargetContext {
  upstreamPort: number;
  /** Scratch folder for this run. */
  dir: string;
  cpu: number | undefined;
  /** Largest session count this target will see (sizes the raised per-IP limit). */
  maxSessions: number;
  rampPerSec: number;
  /** Override: repo-relative .ts file and its arguments, e.g. "src/cli/main.ts start". */
  gatewayCmd?: string;
  /** Write a V8 CPU profile of the gateway into this folder. */
  cpuProfDir?: string;
}

/** How the gateway is started: the first entry point that exists, or the override. */
export function gatewayCommand(override?: string): { file: string; args: string[] } | null {
  if (override) {
    const [file, ...args] = override.trim().split(/\s+/);
    return file ? { file, args } : null;
  }
  if (existsSync(resolve(REPO_ROOT, 'src/gateway/main.ts'))) return { file: 'src/gateway/main.ts', args: [] };
  if (existsSync(resolve(REPO_ROOT, 'src/cli/main.ts'))) return { file: 'src/cli/main.ts', args: ['start'] };
  return null;
}

/** Why a target cannot run here, or null when it can. */
export function unavailableReason(name: TargetName, gatewayCmd?: string): string | null {
  if (name === 'nginx' && !findNginx()) return 'nginx is not installed (apt-get install -y nginx); nginx target skipped';
  if (name.startsWith('gateway') && !gatewayCommand(gatewayCmd)) return 'no gateway entry point (src/gateway/main.ts or src/cli/main.ts) yet; gateway target skipped';
  return null;
}

/** Gateway settings for the bench: production defaults except per-IP limits (all load is from one IP). */
export function gatewayEnv(ctx: TargetContext, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // Start from a clean slate: no inherited gateway settings (LOG_LEVEL etc.) may change the defaults.
  for (const [k, v] of Object.entries(process.env)) if (!/^(PORT|HOST|BACKEND_WS_URL|LOG_LEVEL|MAX_|OTA_|ACCESS_KEY|ALLOW|TLS_|DATA_DIR|TRUST_PROXY|SHUTDOWN|TICKET|PROTOCOL_VERSION|UPSTREAM_CA|RELAY_|XIAOZHI_)/.test(k)) env[k] = v;
  Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    BACKEND_WS_URL: `ws://127.0.0.1:${ctx.upstreamPort}/xiaozhi/v1/`,
    DATA_DIR: join(ctx.dir, 'data'),
    MAX_SESSIONS_PER_IP: String(ctx.maxSessions + 100),
    MAX_NEW_SESSIONS_PER_IP_PER_SEC: String(Math.max(1000, ctx.rampPerSec * 4)),
  });
  // The global cap (default 2000) is raised only for steps above it, so the cap does not end the ramp.
  if (ctx.maxSessions + 100 > 2000) env['MAX_SESSIONS'] = String(ctx.maxSessions + 100);
  return env;
}

async function startGatewayProcess(ctx: TargetContext, name: 'gateway' | 'gateway-framed' | 'node-tunnel'): Promise<RunningTarget> {
  const cmd = name === 'node-tunnel' ? { file: 'bench/node-tunnel.ts', args: [] } : gatewayCommand(ctx.gatewayCmd);
  if (!cmd) throw new Error('no gateway entry point');
  const port = await freePort();
  mkdirSync(join(ctx.dir, 'data'), { recursive: true });
  const logFile = join(ctx.dir, 'gateway.log');
  const fd = openSync(logFile, 'a');
  const nodeFlags = ctx.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfDir}`] : [];
  // cwd = scratch folder so a developer's .env in the repo cannot change the settings under test.
  const env = gatewayEnv(ctx, port);
  if (name === 'gateway-framed') env['RELAY_MODE'] = 'framed';
  const child: ChildProcess = spawnTs(ctx.cpu, cmd.file, [...cmd.args], { cwd: ctx.dir, env, stdio: ['ignore', fd, fd] }, nodeFlags);
  closeSync(fd);
  try {
    await waitForPort(port, 30_000, child);
  } catch (err) {
    await stopProcess(child, 1000);
    throw err;
  }
  return {
    name, url: `ws://127.0.0.1:${port}/api/ws-proxy`, auth: 'query', pid: child.pid, logFiles: [logFile],
    stop: async () => {
      await stopProcess(child, 12_000);
    },
  };
}

/** Start one target for one run. */
export async function startTarget(name: TargetName, ctx: TargetContext): Promise<RunningTarget> {
  mkdirSync(ctx.dir, { recursive: true });
  if (name === 'direct') {
    return { name, url: `ws://127.0.0.1:${ctx.upstreamPort}/xiaozhi/v1/`, auth: 'headers', logFiles: [], stop: async () => undefined };
  }
  if (name === 'nginx') {
    const bin = findNginx();
    if (!bin) throw new Error('nginx not installed');
    const port = await freePort();
    const child = await startNginx(bin, ctx.dir, port, ctx.upstreamPort, ctx.cpu);
    return {
      name, url: `ws://127.0.0.1:${port}/api/ws-proxy`, auth: 'query', pid: child.pid, logFiles: [join(ctx.dir, 'error.log')],
      stop: async () => {
        // nginx: SIGQUIT would wait for WebSockets; SIGTERM is its fast shutdown.
        await stopProcess(child, 5000);
      },
    };
  }
  return startGatewayProcess(ctx, name);
}

/** Total size of the log files, bytes. */
export function logBytes(files: readonly string[]): number {
  let n = 0;
  for (const f of files) {
    try {
      n += statSync(f).size;
    } catch {
      /* not written yet */
    }
  }
  return n;
}
