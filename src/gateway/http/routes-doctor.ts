/**
 * `POST /api/doctor {profile?, turn?, lang?}` → the doctor's staged report. The doctor module is imported
 * lazily so the gateway starts (and answers 501) even when that part is absent.
 */
import type { FastifyInstance } from 'fastify';
import type { ProfileStore } from '../../device/profile-store.ts';
import type { GatewayConfig } from '../config.ts';
import { sendError } from './reply-error.ts';

type RunDoctor = (options: Record<string, unknown>) => Promise<unknown>;

const DOCTOR_MODULE = '../../doctor/index.ts';

export function registerDoctorRoute(app: FastifyInstance, deps: { config: GatewayConfig; store: ProfileStore }): void {
  let running = 0;
  app.post('/api/doctor', async (req, reply) => {
    const body = (req.body ?? {}) as { profile?: unknown; turn?: unknown; lang?: unknown };
    if (body.profile !== undefined && typeof body.profile !== 'string') return sendError(reply, 400, 'XZ_BAD_PARAMETER', 'profile must be a profile name');
    if (body.turn !== undefined && typeof body.turn !== 'boolean') return sendError(reply, 400, 'XZ_BAD_PARAMETER', 'turn must be true or false');
    let runDoctor: RunDoctor | undefined;
    try {
      const mod = (await import(DOCTOR_MODULE)) as { runDoctor?: RunDoctor };
      runDoctor = mod.runDoctor;
    } catch {
      runDoctor = undefined;
    }
    if (!runDoctor) return sendError(reply, 501, 'XZ_DOCTOR_UNAVAILABLE', 'the doctor is not part of this build');
    if (running >= 2) return reply.header('retry-after', '5').code(429).send({ error: { code: 'XZ_RATE_LIMITED', message: 'a diagnosis is already running' } });
    running++;
    try {
      const options: Record<string, unknown> = {
        store: deps.store,
        dataDir: deps.config.dataDir,
        turn: body.turn === true,
        lang: body.lang === 'zh' ? 'zh' : 'en',
        otaUrl: deps.config.otaUrl,
        upstreamCa: deps.config.upstreamCa ?? undefined,
      };
      if (body.profile) options['profile'] = body.profile;
      return await runDoctor(options);
    } finally {
      running--;
    }
  });
}
