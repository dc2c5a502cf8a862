/** `npm run devserver` — start the local XiaoZhi-compatible server (docs/devserver.md). */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { startDevServer, type DevServerOptions, type Faults } from './index.ts';

const int = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer ${min}–${max}`);
  return n;
};

const program = new Command('devserver')
  .description('Local XiaoZhi-compatible server: WebSocket /xiaozhi/v1/, OTA /xiaozhi/ota/, control page /xiaozhi/devserver/')
  .option('--port <n>', 'port (0 = any free port)', int('--port', 0, 65535), 8765)
  .option('--host <addr>', 'address to bind', '127.0.0.1')
  .addOption(new Option('--auth <mode>', 'who may connect').choices(['open', 'token', 'cloud']).default('cloud'))
  .option('--auth-key <key>', 'HMAC key for ES tokens in token mode (default: random per start; env DEVSERVER_AUTH_KEY)')
  .option('--allowed-device <id...>', 'token mode: device ids that need no token')
  .option('--auto-approve', 'activation codes approve themselves (demo)', false)
  .option('--hello-timeout-ms <ms>', 'close sessions that send no hello', int('--hello-timeout-ms', 100, 600_000), 10_000)
  .option('--code-ttl-ms <ms>', 'activation code lifetime', int('--code-ttl-ms', 1000, 86_400_000), 600_000)
  .option('--tts-command <cmd>', 'external TTS for text turns, WAV on stdout (e.g. "espeak-ng --stdout")')
  .option('--data-file <path>', 'JSON file keeping activated devices across restarts')
  .option('--tls-cert <file>', 'serve https/wss with this certificate (PEM)')
  .option('--tls-key <file>', 'private key for --tls-cert (PEM)')
  .option('--log-level <level>', 'pino level (fatal…trace, silent)', 'info')
  .option('--fault-no-hello', 'never answer hello', false)
  .option('--fault-close-after-hello', 'answer hello, then close without status (1005)', false)
  .addOption(new Option('--fault-reject-upgrade <status>', 'refuse every upgrade with this HTTP status').choices(['401', '403', '500']))
  .option('--fault-drop-mid-turn', 'destroy the TCP connection during reply audio', false)
  .option('--fault-handshake-delay-ms <ms>', 'delay the 101 answer', int('--fault-handshake-delay-ms', 0, 600_000), 0)
  .option('--fault-stop-reading', 'stop reading sockets after hello', false);

program.parse();
const o = program.opts();

if (Boolean(o.tlsCert) !== Boolean(o.tlsKey)) program.error('--tls-cert and --tls-key go together');
const faults: Partial<Faults> = {
  noHello: o.faultNoHello, closeAfterHello: o.faultCloseAfterHello, dropMidTurn: o.faultDropMidTurn,
  handshakeDelayMs: o.faultHandshakeDelayMs, stopReading: o.faultStopReading,
  rejectUpgrade: o.faultRejectUpgrade ? (Number(o.faultRejectUpgrade) as 401 | 403 | 500) : 0,
};
const options: DevServerOptions = {
  port: o.port, host: o.host, auth: o.auth, autoApprove: o.autoApprove, helloTimeoutMs: o.helloTimeoutMs,
  codeTtlMs: o.codeTtlMs, faults, allowedDevices: o.allowedDevice,
  authKey: o.authKey ?? process.env.DEVSERVER_AUTH_KEY,
  ttsCommand: o.ttsCommand, dataFile: o.dataFile,
  tls: o.tlsCert ? { cert: readFileSync(o.tlsCert), key: readFileSync(o.tlsKey) } : undefined,
};
if (o.logLevel !== 'info') {
  const { createLogger } = await import('../node/logger.ts');
  const { pino } = await import('pino');
  options.logger = createLogger({ name: 'devserver', level: o.logLevel, destination: pino.destination({ fd: 2, sync: false }) });
}

const server = await startDevServer(options).catch((err: NodeJS.ErrnoException) => {
  console.error(err.code === 'EADDRINUSE' ? `port ${o.port} is in use; pass --port <n> (0 = any free port)` : `devserver failed to start: ${err.message}`);
  process.exit(1);
});
process.stdout.write(
  `devserver running (auth ${o.auth})\n` +
  `  WebSocket  ${server.wsUrl}\n  OTA        ${server.otaUrl}\n  Console    ${server.baseUrl}/xiaozhi/devserver/\n`,
);
const stop = () => { void server.close().then(() => process.exit(0)); };
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
