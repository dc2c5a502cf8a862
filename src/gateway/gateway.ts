/**
 * The gateway process core: one Fastify server (HTTP or HTTPS) carrying the pages, the API and the
 * WebSocket upgrade that hands sessions to the relay. `startGateway` listens; `close()` drains
 * (readiness false → no new sessions → 1012 to every browser → exit within the deadline, §2.10).
 */
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { ProfileStore } from '../device/profile-store.ts';
import { createLogger, silentLogger, type Logger } from '../node/logger.ts';
import { ConfigError, isLoopbackHost, resolveConfig, type GatewayConfig } from './config.ts';
import { SessionLimits, TokenBuckets } from './limits.ts';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.ts';
import { ProfileWatchers } from './profile-watchers.ts';
import { createRelay, type Relay, type RelayOptions } from './relay/index.ts';
import { TicketStore } from './tickets.ts';
import { loadTls } from './tls.ts';
import { AccessGuard } from './http/access.ts';
import { ActivationJobs } from './http/activation-jobs.ts';
import { installGuards } from './http/guards.ts';
import { errorBody } from './http/reply-error.ts';
import { readPublic, registerPageRoutes } from './http/routes-pages.ts';
import { registerActivationRoutes } from './http/routes-activation.ts';
import { registerDoctorRoute } from './http/routes-doctor.ts';
import { registerOtaRoutes } from './http/routes-ota.ts';
import { registerProfileRoutes } from './http/routes-profiles.ts';
import { registerSessionApi } from './http/routes-session-api.ts';
import { createUpgradeHandler } from './http/upgrade.ts';

export const GATEWAY_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

export interface GatewayOptions {
  /** A logger, `false` for silence; default: JSON lines on stdout at LOG_LEVEL. */
  logger?: Logger | false;
  /** Relay tuning (tests shorten timeouts). */
  relay?: Partial<Omit<RelayOptions, 'logger' | 'metrics'>>;
  /** Activation poll interval (tests); default the device layer's 5 s. */
  activationPollIntervalMs?: number;
  /** Serve the web app from here instead of dist/web (tests). */
  webDir?: string;
}

export interface Gateway {
  readonly config: GatewayConfig;
  readonly app: FastifyInstance;
  readonly relay: Relay;
  readonly metrics: GatewayMetrics;
  readonly tickets: TicketStore;
  readonly store: ProfileStore;
  readonly logger: Logger;
  readonly tls: boolean;
  isReady(): boolean;
  /** Listen on config.host:config.port; resolves with the bound port and base URL. */
  listen(): Promise<{ port: number; url: string }>;
  /** Graceful stop (idempotent): readiness false, 503 for new sessions, 1012 to browsers, close. */
  close(): Promise<void>;
}

/** Input for {@link startGateway}: a full config, or overrides on top of the defaults. */
export type GatewayConfigInput = GatewayConfig | Partial<GatewayConfig>;

function completeConfig(input: GatewayConfigInput): GatewayConfig {
  if (Object.isFrozen(input) && 'backendWsUrl' in input) return input as GatewayConfig;
  const base = resolveConfig({});
  const merged = { ...base, ...input };
  // Programmatic callers may name the CA file only; read it like loadConfig does.
  if (merged.upstreamCaFile && !merged.upstreamCa) merged.upstreamCa = readFileSync(merged.upstreamCaFile, 'utf8');
  return Object.freeze(merged);
}

/** Build (but do not start) a gateway. Throws {@link ConfigError} when the exposure rule is broken. */
export async function createGateway(input: GatewayConfigInput = {}, options: GatewayOptions = {}): Promise<Gateway> {
  const config = completeConfig(input);
  if (!isLoopbackHost(config.host) && config.accessKey === null && !config.allowOpenGateway) {
    throw new ConfigError([`HOST=${JSON.stringify(config.host)}: non-loopback binding needs ACCESS_KEY or ALLOW_OPEN_GATEWAY=1`]);
  }
  const logger = options.logger === false ? silentLogger() : options.logger ?? createLogger({ level: config.logLevel, name: 'gateway' });
  const tls = await loadTls(config, logger);
  const metrics = createGatewayMetrics();
  const relay = createRelay({ mode: config.relayMode, ...options.relay, logger, metrics });
  const store = new ProfileStore({ dataDir: config.dataDir });
  const tickets = new TicketStore({ ttlMs: config.ticketTtlMs });
  const access = new AccessGuard(config.accessKey);
  const limits = new SessionLimits(config);
  const limitSweep = setInterval(() => limits.sweep(), 10_000);
  limitSweep.unref();
  const otaBuckets = new TokenBuckets({ perMinute: config.otaRequestsPerMin, burst: config.otaBurst });
  const loginBuckets = new TokenBuckets({ perMinute: 10, burst: 5 });
  const jobs = new ActivationJobs(store, {
    ...(options.activationPollIntervalMs === undefined ? {} : { pollIntervalMs: options.activationPollIntervalMs }),
    ...(config.upstreamCa ? { ca: config.upstreamCa } : {}),
  });
  const watchers = new ProfileWatchers(store, logger);
  const startedAt = Date.now();
  let shuttingDown = false;

  const app = Fastify({
    // Fastify's request logging would write `?token=` URLs: it stays off; we log one redacted line per request.
    logger: false,
    bodyLimit: 16 * 1024,
    forceCloseConnections: true,
    return503OnClosing: true,
    ...(tls ? { https: tls } : {}),
  }) as unknown as FastifyInstance;

  app.setErrorHandler((err: { statusCode?: number; code?: string; message?: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) logger.error({ err }, 'request failed');
    reply.code(status).send(errorBody(status >= 500 ? 'XZ_INTERNAL' : err.code ?? 'XZ_BAD_REQUEST', status >= 500 ? undefined : err.message));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(errorBody('XZ_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`));
  });
  app.addHook('onResponse', async (req, reply) => {
    logger.debug({ event: 'http', method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'http request');
  });

  installGuards(app, { config, access, loginPage: () => readPublic('login.html') });
  await registerPageRoutes(app, {
    relay, metrics, version: GATEWAY_VERSION, startedAt, isReady: () => !shuttingDown,
    ...(options.webDir ? { webDir: options.webDir } : {}),
  });
  registerSessionApi(app, { config, store, tickets, relay, access, loginBuckets, version: GATEWAY_VERSION });
  registerProfileRoutes(app, { config, store, onChange: () => void watchers.refresh() });
  registerActivationRoutes(app, { store, jobs });
  registerOtaRoutes(app, { config, store, buckets: otaBuckets, logger, metrics });
  registerDoctorRoute(app, { config, store });

  app.server.on('upgrade', createUpgradeHandler({
    config, relay, limits, tickets, access, logger, metrics, isShuttingDown: () => shuttingDown,
  }));

  let closing: Promise<void> | null = null;
  return {
    config, app, relay, metrics, tickets, store, logger, tls: tls !== null,
    isReady: () => !shuttingDown,
    async listen() {
      await app.listen({ port: config.port, host: config.host });
      void watchers.refresh();
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      return { port, url: `${tls ? 'https' : 'http'}://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}` };
    },
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        watchers.close();
        clearInterval(limitSweep);
        const deadline = Math.max(100, config.shutdownTimeoutMs - 1000);
        await Promise.allSettled([relay.shutdown(deadline), jobs.close()]);
        tickets.close();
        await app.close();
        logger.info({ event: 'stopped' }, 'gateway stopped');
      })();
      return closing;
    },
  };
}

export interface RunningGateway {
  port: number;
  url: string;
  gateway: Gateway;
  close(): Promise<void>;
}

/** Create and listen. `startGateway({ port: 0, backendWsUrl, dataDir })` is what tests and the CLI call. */
export async function startGateway(input: GatewayConfigInput = {}, options: GatewayOptions = {}): Promise<RunningGateway> {
  const gateway = await createGateway(input, options);
  try {
    const { port, url } = await gateway.listen();
    return { port, url, gateway, close: () => gateway.close() };
  } catch (err) {
    await gateway.close().catch(() => {});
    throw err;
  }
}

/** What start-up prints: where it listens, what is exposed and how it is protected (no secrets). */
export function startupBanner(g: Gateway, url: string): string {
  const c = g.config;
  const exposed = isLoopbackHost(c.host) ? 'this computer only (loopback)' : `the network (${c.host})`;
  const ws = url.replace(/^http/, 'ws');
  return [
    `xiaozhi-web gateway ${GATEWAY_VERSION} listening on ${url}`,
    `  reachable from: ${exposed}; access key: ${c.accessKey ? 'required' : c.allowOpenGateway && !isLoopbackHost(c.host) ? 'NONE (--allow-open-gateway)' : 'not required'}`,
    `  web app / status: ${url}/   test page: ${url}/test.html   health: ${url}/health`,
    `  legacy WebSocket: ${ws}/api/ws-proxy?token=…&device_id=…&client_id=…  →  ${c.backendWsUrl}`,
    `  ticket WebSocket: ${ws}/api/ws?ticket=…   OTA relay → ${c.otaUrl}`,
    `  allowed origins: same origin${c.allowedOrigins.length ? `, ${c.allowedOrigins.join(', ')}` : ''}; profiles in ${c.dataDir}`,
    `  upstream TLS verification: on${c.upstreamCaFile ? ` (+ CA ${c.upstreamCaFile})` : ''}; HTTPS: ${g.tls ? 'on' : 'off'}`,
  ].join('\n');
}
