/**
 * Hooks every HTTP request passes: access key (when configured), CSRF defence for state-changing API
 * routes (same origin + JSON content type), and safe response headers. There is no CORS: no route
 * ever answers with Access-Control-Allow-Origin (reliability §2.12).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config.ts';
import type { AccessGuard } from './access.ts';
import { requestProto } from './client-ip.ts';
import { isSameOriginWrite } from './origin.ts';
import { sendError } from './reply-error.ts';

/** Reachable without the access key: liveness/readiness probes and the login itself. */
const OPEN_PATHS = new Set(['/healthz', '/readyz', '/api/login', '/favicon.ico', '/gateway-pages.css', '/login.js']);
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function installGuards(
  app: FastifyInstance,
  deps: { config: GatewayConfig; access: AccessGuard; loginPage: () => string },
): void {
  const { config, access } = deps;

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const url = new URL(req.raw.url ?? '/', 'http://gateway.invalid');
    const path = url.pathname;
    if (access.required && !OPEN_PATHS.has(path) && !access.allows(req.raw, url)) {
      return denyAccess(req, reply, deps.loginPage);
    }
    if (access.required && req.method === 'GET' && url.searchParams.has('access_key')) {
      // First page load with ?access_key=: swap it for a cookie and take the key out of the address bar.
      url.searchParams.delete('access_key');
      const secure = requestProto(req.raw, config.trustProxy) === 'https';
      return reply
        .header('set-cookie', access.cookieHeader(secure))
        .header('cache-control', 'no-store')
        .redirect(`${url.pathname}${url.search}`, 303);
    }
    if (WRITE_METHODS.has(req.method) && path.startsWith('/api/')) {
      if (!isSameOriginWrite(req.raw, config.allowedOrigins)) {
        return sendError(reply, 403, 'XZ_ORIGIN_FORBIDDEN', 'state-changing requests must come from the gateway\'s own pages');
      }
      if (req.method !== 'DELETE') {
        const ct = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (ct !== 'application/json') {
          return sendError(reply, 415, 'XZ_BAD_CONTENT_TYPE', 'send a JSON body with Content-Type: application/json');
        }
      }
    }
  });

  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    if (req.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}

function denyAccess(req: FastifyRequest, reply: FastifyReply, loginPage: () => string): FastifyReply {
  const wantsHtml = req.method === 'GET' && String(req.headers.accept ?? '').includes('text/html');
  if (wantsHtml) {
    return reply.code(401).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(loginPage());
  }
  return sendError(reply, 401, 'XZ_ACCESS_KEY_REQUIRED', 'send X-Access-Key, or log in with POST /api/login {key}');
}
