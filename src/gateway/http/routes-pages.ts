/**
 * Pages and operations endpoints: `/` (built web app, else the status page), `/test.html` (the original
 * manual test page), files of the built app from `dist/web` only, `/health` (original shape + extras),
 * `/healthz`, `/readyz`, `/metrics`. Nothing is ever served from the source tree (reliability §1.5).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { METRICS_CONTENT_TYPE, type GatewayMetrics } from '../metrics.ts';
import type { Relay } from '../relay/index.ts';

/** Built web app (WEB part). */
export const WEB_DIST_DIR = fileURLToPath(new URL('../../../dist/web/', import.meta.url));
/** This part's own pages; only the files listed in PUBLIC_FILES are served from it. */
export const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

const PUBLIC_FILES: Record<string, string> = {
  '/test.html': 'text/html; charset=utf-8',
  '/gateway-pages.css': 'text/css; charset=utf-8',
  '/status.js': 'text/javascript; charset=utf-8',
  '/test.js': 'text/javascript; charset=utf-8',
  '/login.js': 'text/javascript; charset=utf-8',
};

const PAGE_CSP =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * The web app: only its own origin for scripts, styles, fetches and its WebSocket (CSP3 'self' covers
 * same-origin ws:/wss:); 'wasm-unsafe-eval' only for the lazily loaded libopus fallback, which compiles
 * WebAssembly from bytes; the service worker and the capture worklet are files of the build.
 */
export const APP_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; " +
  "img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; font-src 'self'; manifest-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function readPublic(name: string): string {
  return readFileSync(join(PUBLIC_DIR, name), 'utf8');
}

export interface PagesDeps {
  relay: Relay;
  metrics: GatewayMetrics;
  version: string;
  isReady: () => boolean;
  startedAt: number;
  webDir?: string;
}

export async function registerPageRoutes(app: FastifyInstance, deps: PagesDeps): Promise<void> {
  const webDir = deps.webDir ?? WEB_DIST_DIR;
  const webIndex = join(webDir, 'index.html');
  const hasWeb = existsSync(webIndex);

  app.get('/', async (_req, reply) => {
    if (existsSync(webIndex)) {
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('content-security-policy', APP_CSP).send(readFileSync(webIndex));
    }
    return reply.type('text/html; charset=utf-8').header('content-security-policy', PAGE_CSP).send(readPublic('status.html'));
  });

  for (const [path, type] of Object.entries(PUBLIC_FILES)) {
    app.get(path, async (_req, reply) => {
      reply.type(type);
      if (type.startsWith('text/html')) reply.header('content-security-policy', PAGE_CSP);
      return reply.send(readPublic(path.slice(1)));
    });
  }

  // Browsers ask for it on every page; an empty answer keeps consoles clean.
  app.get('/favicon.ico', async (_req, reply) => {
    const ico = join(webDir, 'favicon.ico');
    if (existsSync(ico)) return reply.type('image/x-icon').send(readFileSync(ico));
    return reply.code(204).send();
  });

  app.get('/health', async () => ({
    status: 'ok',
    service: 'xiaozhi-websocket-proxy',
    connections: deps.relay.sessionCount(),
    ready: deps.isReady(),
    version: deps.version,
    uptimeSec: Math.round((Date.now() - deps.startedAt) / 1000),
  }));
  // A plain GET on a WebSocket endpoint (someone pasted the URL into a browser): say what it is.
  for (const path of ['/api/ws-proxy', '/api/ws']) {
    app.get(path, async (_req, reply) =>
      reply.code(426).header('upgrade', 'websocket').send({ error: { code: 'XZ_UPGRADE_REQUIRED', message: `${path} is a WebSocket endpoint; connect with a WebSocket client` } }));
  }
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ready = deps.isReady();
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  app.get('/metrics', async (_req, reply) => reply.type(METRICS_CONTENT_TYPE).send(deps.metrics.render()));

  if (hasWeb) {
    // Only the build output folder; dotfiles refused; no directory listings.
    await app.register(fastifyStatic, {
      root: webDir, prefix: '/', index: false, dotfiles: 'deny', wildcard: true, decorateReply: false,
      // The same policy if the app's HTML is fetched by its file name (/index.html).
      setHeaders: (reply, path) => {
        if (path.endsWith('.html')) reply.header('content-security-policy', APP_CSP);
      },
    });
  }
}
