/**
 * `GET /api/info`, `POST /api/login`, `POST /api/tickets`, `GET /api/sessions/recent`.
 * Tickets: random, single-use, TICKET_TTL_MS (60 s) and bound to the profile's identity, token and
 * WebSocket URL at issue time (reliability §2.15); the reply never contains the token.
 */
import type { FastifyInstance } from 'fastify';
import { isDeviceError } from '../../device/errors.ts';
import type { ProfileStore } from '../../device/profile-store.ts';
import type { GatewayConfig } from '../config.ts';
import type { TokenBuckets } from '../limits.ts';
import type { Relay } from '../relay/index.ts';
import type { TicketStore } from '../tickets.ts';
import type { AccessGuard } from './access.ts';
import { clientIp, requestProto } from './client-ip.ts';
import { targetFromProfile } from './profile-view.ts';
import { sendError } from './reply-error.ts';
import { sendDeviceError } from './routes-profiles.ts';
import { TICKET_WS_PATH } from './upgrade.ts';

export interface SessionApiDeps {
  config: GatewayConfig;
  store: ProfileStore;
  tickets: TicketStore;
  relay: Relay;
  access: AccessGuard;
  loginBuckets: TokenBuckets;
  version: string;
}

export function registerSessionApi(app: FastifyInstance, deps: SessionApiDeps): void {
  const { config, store, tickets, relay, access } = deps;

  app.get('/api/info', async () => {
    let defaultProfile: string | null = null;
    try {
      defaultProfile = await store.defaultName();
    } catch {
      defaultProfile = null;
    }
    return { version: deps.version, accessKeyRequired: access.required, defaultProfile };
  });

  app.post('/api/login', async (req, reply) => {
    const limited = deps.loginBuckets.take(clientIp(req.raw, config.trustProxy));
    if (!limited.ok) {
      reply.header('retry-after', String(limited.retryAfterSec));
      return sendError(reply, 429, 'XZ_RATE_LIMITED');
    }
    const key = (req.body as { key?: unknown } | null)?.key;
    if (!access.required) return { ok: true, accessKeyRequired: false };
    if (typeof key !== 'string' || !access.matchesKey(key)) return sendError(reply, 401, 'XZ_ACCESS_KEY_REQUIRED', 'wrong access key');
    const secure = requestProto(req.raw, config.trustProxy) === 'https';
    return reply.header('set-cookie', access.cookieHeader(secure)).send({ ok: true, accessKeyRequired: true });
  });

  app.post('/api/tickets', async (req, reply) => {
    const profileName = (req.body as { profile?: unknown } | null)?.profile;
    if (profileName !== undefined && profileName !== null && typeof profileName !== 'string') {
      return sendError(reply, 400, 'XZ_BAD_PARAMETER', 'profile must be a profile name');
    }
    let profile;
    try {
      profile = await store.resolve(profileName || undefined);
    } catch (err) {
      if (isDeviceError(err)) return sendDeviceError(reply, err);
      throw err;
    }
    const t = targetFromProfile(profile, config);
    if (!t.ok) return sendError(reply, t.status, t.code, t.detail);
    const ticket = tickets.issue(t.target);
    return { ticket, url: `${TICKET_WS_PATH}?ticket=${ticket}`, expiresInMs: tickets.ttlMs, profile: profile.name };
  });

  app.get('/api/sessions/recent', async () => ({ sessions: relay.recentSessions() }));
}
