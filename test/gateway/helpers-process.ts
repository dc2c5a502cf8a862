/** Spawn the gateway as a real process (tsx), capturing every output line. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TSX = `${REPO_ROOT}node_modules/.bin/tsx`;
export const GATEWAY_MAIN = `${REPO_ROOT}src/gateway/main.ts`;

export interface GatewayProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the URL printed in the start-up banner. */
  ready: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnGateway(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; script?: string }): GatewayProcess {
  const child = spawn(TSX, [opts.script ?? GATEWAY_MAIN, ...args], {
    cwd: opts.cwd,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let resolveReady: (url: string) => void;
  let rejectReady: (err: Error) => void;
  const ready = new Promise<string>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  const onData = (d: Buffer) => {
    out += d.toString('utf8');
    const m = /listening on (https?:\/\/\S+)/.exec(out);
    if (m) resolveReady(m[1]!);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.on('exit', (code, signal) => {
      rejectReady(new Error(`gateway exited (${code ?? signal}) before listening:\n${out}`));
      res({ code, signal });
    });
  });
  ready.catch(() => {});
  return { child, output: () => out, ready, exited };
}
