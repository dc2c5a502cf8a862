/**
 * `xiaozhi-web start` (gateway, the default command) and `xiaozhi-web devserver`. Both parts are
 * imported lazily so this command works in builds without them; they run until SIGINT/SIGTERM.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { importOptional, partFile } from '../lazy-import.ts';
import type { Run } from './profile.ts';

/** What we need from a started server: an idempotent close(); URLs are printed when present. */
interface ServerHandle {
  close(): Promise<void> | void;
  url?: string;
  port?: number;
  wsUrl?: string;
  otaUrl?: string;
}

interface GatewayModule {
  startGateway(config: unknown): Promise<ServerHandle & { gateway?: unknown }>;
  startupBanner?: (gateway: unknown, url: string) => string;
}
interface GatewayConfigModule {
  loadConfig(opts: { argv: readonly string[] }): unknown;
  configHelp?: () => string;
}
interface DevServerOptionsSubset {
  port: number;
  host: string;
  auth: 'open' | 'token' | 'cloud';
  autoApprove: boolean;
  authKey?: string;
  codeTtlMs?: number;
  dataFile?: string;
}
interface DevServerModule {
  startDevServer(opts: DevServerOptionsSubset): Promise<ServerHandle & { baseUrl?: string }>;
}

const GATEWAY = '../gateway/gateway.ts';
const GATEWAY_CONFIG = '../gateway/config.ts';
const DEVSERVER = '../devserver/index.ts';

export function registerServerCommands(program: Command, { m }: CliContext, run: Run): void {
  program
    .command('start', { isDefault: true })
    .description(m['cmd.start'])
    .helpOption(false) // --help is answered below, with the gateway's own flag list
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[gateway-flags...]')
    .action(function (this: Command) {
      const args = [...this.args];
      return run((ctx) => runStart(ctx, args));
    });

  program
    .command('devserver')
    .description(m['cmd.devserver'])
    .option('--port <port>', m['opt.port'], '8765')
    .option('--host <host>', m['opt.host'], '127.0.0.1')
    .option('--auth <mode>', m['opt.auth'], 'cloud')
    .option('--auth-key <key>', m['opt.authKey'])
    .option('--auto-approve', m['opt.autoApprove'])
    .option('--code-ttl-ms <ms>', m['opt.codeTtl'])
    .option('--data-file <path>', m['opt.dataFile'])
    .action(function (this: Command) {
      const o = this.opts<DevServerFlags>();
      return run((ctx) => runDevServer(ctx, o));
    });
}

async function runStart(ctx: CliContext, args: string[]): Promise<number> {
  const cfgMod = await importOptional<GatewayConfigModule>(GATEWAY_CONFIG);
  if (args.includes('--help') || args.includes('-h')) {
    ctx.out(`Usage: xiaozhi-web [start] [gateway-flags...]\n\n${ctx.m['cmd.start']}\n`);
    if (cfgMod?.configHelp) ctx.out(cfgMod.configHelp());
    ctx.out(ctx.m['help.exitCodes']);
    return EXIT.OK;
  }
  const gw = await importOptional<GatewayModule>(GATEWAY);
  if (!gw || !cfgMod) {
    ctx.err(ctx.m['missing.part']('start (gateway)', partFile(gw ? GATEWAY_CONFIG : GATEWAY)));
    return EXIT.FAILURE;
  }
  let config: unknown;
  try {
    // An explicit --data-dir is the gateway's too; otherwise the
    // gateway's own settings decide, so DATA_DIR in .env keeps working.
    config = cfgMod.loadConfig({ argv: ctx.dataDirExplicit ? [...args, '--data-dir', ctx.dataDir] : args });
  } catch (err) {
    if (Array.isArray((err as { problems?: unknown }).problems)) {
      ctx.err(ctx.m['err.usage']((err as Error).message));
      return EXIT.USAGE;
    }
    throw err;
  }
  let handle;
  try {
    handle = await gw.startGateway(config);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { problems?: unknown };
    // Exposure rule (ConfigError) and TLS set-up problems are configuration mistakes (usage).
    if (Array.isArray(e.problems) || e.name === 'TlsSetupError') {
      ctx.err(ctx.m['err.usage'](e.message));
      return EXIT.USAGE;
    }
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
      ctx.err(ctx.m['err.generic'](`${e.code}: ${e.message}`));
      return EXIT.FAILURE;
    }
    throw err;
  }
  if (handle.url) {
    ctx.out(gw.startupBanner && handle.gateway ? gw.startupBanner(handle.gateway, handle.url) : ctx.m['start.listening'](handle.url));
  }
  return serveUntilSignal(ctx, handle);
}

interface DevServerFlags {
  port: string;
  host: string;
  auth: string;
  authKey?: string;
  autoApprove?: boolean;
  codeTtlMs?: string;
  dataFile?: string;
}

async function runDevServer(ctx: CliContext, o: DevServerFlags): Promise<number> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    ctx.err(ctx.m['err.usage'](ctx.m['err.number']('--port', o.port)));
    return EXIT.USAGE;
  }
  if (o.auth !== 'open' && o.auth !== 'token' && o.auth !== 'cloud') {
    ctx.err(ctx.m['err.usage'](`--auth: open | token | cloud (${o.auth})`));
    return EXIT.USAGE;
  }
  const codeTtlMs = o.codeTtlMs === undefined ? undefined : Number(o.codeTtlMs);
  if (codeTtlMs !== undefined && !(Number.isInteger(codeTtlMs) && codeTtlMs >= 1000)) {
    ctx.err(ctx.m['err.usage'](ctx.m['err.number']('--code-ttl-ms', String(o.codeTtlMs))));
    return EXIT.USAGE;
  }
  const mod = await importOptional<DevServerModule>(DEVSERVER);
  if (!mod) {
    ctx.err(ctx.m['missing.part']('devserver', partFile(DEVSERVER)));
    return EXIT.FAILURE;
  }
  const opts: DevServerOptionsSubset = { port, host: o.host, auth: o.auth, autoApprove: o.autoApprove === true };
  const authKey = o.authKey ?? process.env['DEVSERVER_AUTH_KEY'];
  if (authKey) opts.authKey = authKey;
  if (codeTtlMs !== undefined) opts.codeTtlMs = codeTtlMs;
  if (o.dataFile) opts.dataFile = o.dataFile;
  let handle;
  try {
    handle = await mod.startDevServer(opts);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
      ctx.err(ctx.m['err.generic'](`${e.code}: ${o.host}:${port}`));
      return EXIT.FAILURE;
    }
    throw err;
  }
  ctx.out(ctx.m['devserver.listening'](handle.wsUrl ?? '?', handle.otaUrl ?? '?', `${handle.baseUrl ?? ''}/xiaozhi/devserver/`));
  return serveUntilSignal(ctx, handle);
}

/** Keep running until Ctrl-C / SIGTERM, then close the server once and exit 0. */
function serveUntilSignal(ctx: CliContext, handle: ServerHandle): Promise<number> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      ctx.err(ctx.m.stopping);
      Promise.resolve(handle.close()).then(
        () => resolve(EXIT.OK),
        () => resolve(EXIT.FAILURE),
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
