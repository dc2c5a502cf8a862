/**
 * `tsx src/gateway/main.ts [flags]` — run the gateway as a process (what `npm start` runs when the CLI
 * is absent, and what the process tests spawn). Exit codes: 0 after a clean shutdown, 2 for a bad
 * configuration (every problem listed, each naming its setting), 1 for anything else at start-up.
 */
import { ConfigError, configHelp, loadConfig } from './config.ts';
import { startGateway, startupBanner } from './gateway.ts';
import { installShutdown } from './shutdown.ts';
import { TlsSetupError } from './tls.ts';

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`Usage: xiaozhi-web gateway [flags]\n\n${configHelp()}`);
    return;
  }
  let config;
  try {
    config = loadConfig({ argv });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`xiaozhi-web: cannot start, ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  try {
    const running = await startGateway(config);
    process.stdout.write(`${startupBanner(running.gateway, running.url)}\n`);
    installShutdown(running.gateway, { logger: running.gateway.logger, shutdownTimeoutMs: config.shutdownTimeoutMs });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof TlsSetupError) {
      process.stderr.write(`xiaozhi-web: cannot start, ${err.message}\n`);
      process.exit(2);
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') process.stderr.write(`xiaozhi-web: cannot start, PORT=${config.port}: address ${config.host}:${config.port} is already in use\n`);
    else if (e.code === 'EACCES') process.stderr.write(`xiaozhi-web: cannot start, PORT=${config.port}: permission denied for ${config.host}:${config.port}\n`);
    else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') process.stderr.write(`xiaozhi-web: cannot start, HOST=${config.host}: not an address of this machine\n`);
    else process.stderr.write(`xiaozhi-web: cannot start: ${e.message}\n`);
    process.exit(1);
  }
}

void main(process.argv.slice(2));
