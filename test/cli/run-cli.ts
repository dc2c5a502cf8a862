/** Run `node bin/xiaozhi-web.mjs …` as a child process and collect its output and exit code. */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(REPO, 'bin', 'xiaozhi-web.mjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Locale-neutral base env: tests choose LANG explicitly. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'en_US.UTF-8', ...extra };
  delete env['LC_ALL'];
  delete env['LC_MESSAGES'];
  delete env['XIAOZHI_DATA_DIR'];
  if (extra['LC_ALL']) env['LC_ALL'] = extra['LC_ALL'];
  if (extra['XIAOZHI_DATA_DIR']) env['XIAOZHI_DATA_DIR'] = extra['XIAOZHI_DATA_DIR'];
  return env;
}

/** Start the CLI; `onStdout` sees output as it arrives (to react to progress lines). */
export function startCli(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; onStdout?: (chunk: string, child: ChildProcess) => void } = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? REPO, env: cliEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    opts.onStdout?.(stdout, child);
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return startCli(args, opts).done;
}
