/**
 * Profile API (issue 4 "Gateway API"): list/create/import/update/delete/export device profiles kept by
 * the device layer's ProfileStore. Listings never carry secrets (token as a hint, no HMAC key); export
 * does (it is the py-xiaozhi files) and sits behind the same access and same-origin rules as writes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DeviceError, isDeviceError } from '../../device/errors.ts';
import { slugifyProfileName } from '../../device/profile-paths.ts';
import type { ProfileStore } from '../../device/profile-store.ts';
import type { GatewayConfig } from '../config.ts';
import { isSameOriginWrite } from './origin.ts';
import { summarizeProfile } from './profile-view.ts';
import { sendError } from './reply-error.ts';

const DEVICE_STATUS: Record<string, number> = {
  XZ_PROFILE_NOT_FOUND: 404,
  XZ_PROFILE_EXISTS: 409,
  XZ_PROFILE_NAME_INVALID: 400,
  XZ_IMPORT_SOURCE_INVALID: 400,
  XZ_OTA_URL_INVALID: 400,
  XZ_PROFILE_CORRUPT: 500,
  XZ_PROFILE_IO: 500,
};

export function sendDeviceError(reply: FastifyReply, err: DeviceError): FastifyReply {
  return sendError(reply, DEVICE_STATUS[err.code] ?? 502, err.code, err.message);
}

type Body = Record<string, unknown> | null | undefined;

export function registerProfileRoutes(app: FastifyInstance, deps: { config: GatewayConfig; store: ProfileStore; onChange?: () => void }): void {
  const { config, store } = deps;
  const guarded = (fn: (req: { params: Record<string, string>; body: Body }, reply: FastifyReply) => Promise<unknown>) =>
    async (req: { params: unknown; body: unknown }, reply: FastifyReply) => {
      try {
        return await fn({ params: (req.params ?? {}) as Record<string, string>, body: req.body as Body }, reply);
      } catch (err) {
        if (isDeviceError(err)) return sendDeviceError(reply, err);
        throw err;
      }
    };

  app.get('/api/profiles', guarded(async () => {
    const list = await store.list();
    return {
      profiles: list.profiles.map(summarizeProfile),
      broken: list.broken.map((b) => ({ name: b.name, error: { code: b.error.code, message: b.error.message } })),
    };
  }));

  app.post('/api/profiles', guarded(async ({ body }, reply) => {
    const label = optionalString(body?.['label'], 100);
    if (label === false) return sendError(reply, 400, 'XZ_BAD_PARAMETER', 'label must be a string of at most 100 characters');
    const name = await freeName(store, slugifyProfileName(label ?? '') || 'device');
    const opts: Parameters<ProfileStore['create']>[0] = { name, otaUrl: config.otaUrl };
    if (label) opts.label = label;
    const p = await store.create(opts);
    deps.onChange?.();
    return reply.code(201).send({ profile: summarizeProfile(p) });
  }));

  app.post('/api/profiles/import', { bodyLimit: 512 * 1024 }, guarded(async ({ body }, reply) => {
    const configJson = jsonText(body?.['configJson']);
    const efuseJson = jsonText(body?.['efuseJson']);
    const label = optionalString(body?.['label'], 100);
    if (configJson === null || efuseJson === null || label === false) {
      return sendError(reply, 400, 'XZ_BAD_PARAMETER', 'send {configJson, efuseJson, label?}: the two py-xiaozhi files as text or JSON objects');
    }
    const dir = await mkdtemp(join(tmpdir(), 'xzw-import-'));
    try {
      await writeFile(join(dir, 'config.json'), configJson, { mode: 0o600 });
      await writeFile(join(dir, 'efuse.json'), efuseJson, { mode: 0o600 });
      const base = slugifyProfileName(label ?? '') || 'imported';
      const opts: Parameters<ProfileStore['importProfile']>[0] = { from: join(dir, 'config.json'), name: await freeName(store, base) };
      if (label) opts.label = label;
      const p = await store.importProfile(opts).catch((err: unknown) => {
        // Problems in the uploaded files are the client's: 400, named without our temp folder.
        if (isDeviceError(err, 'XZ_PROFILE_CORRUPT') || isDeviceError(err, 'XZ_IMPORT_SOURCE_INVALID')) {
          throw new DeviceError('XZ_IMPORT_SOURCE_INVALID', err.message.split(`${dir}/`).join(''));
        }
        throw err;
      });
      deps.onChange?.();
      return reply.code(201).send({ profile: summarizeProfile(p) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }));

  app.patch('/api/profiles/:name', guarded(async ({ params, body }, reply) => {
    const label = optionalString(body?.['label'], 100);
    const isDefault = body?.['isDefault'];
    if (label === false || (isDefault !== undefined && typeof isDefault !== 'boolean')) {
      return sendError(reply, 400, 'XZ_BAD_PARAMETER', 'send {label?: string, isDefault?: boolean}');
    }
    const name = params['name']!;
    if (label !== undefined) await store.update(name, { label });
    else await store.get(name);
    if (isDefault === true) await store.setDefault(name);
    return { profile: summarizeProfile(await store.get(name)) };
  }));

  app.delete('/api/profiles/:name', guarded(async ({ params }, reply) => {
    await store.remove(params['name']!);
    deps.onChange?.();
    return reply.code(204).send();
  }));

  app.get('/api/profiles/:name/export', async (req, reply) => {
    // Secrets inside: refuse anything a browser marks as cross-site, even for a GET.
    if (!isSameOriginWrite(req.raw, config.allowedOrigins)) {
      return sendError(reply, 403, 'XZ_ORIGIN_FORBIDDEN', 'profile export is only available to the gateway\'s own pages');
    }
    return exportRoute(req, reply);
  });
  const exportRoute = guarded(async ({ params }, reply) => {
    const files = await store.readFiles(params['name']!);
    return reply.header('cache-control', 'no-store').send({ configJson: files.config, efuseJson: files.efuse });
  });
}

/** undefined when absent, false when invalid. */
function optionalString(v: unknown, max: number): string | undefined | false {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > max) return false;
  return v.trim() || undefined;
}

function jsonText(v: unknown): string | null {
  if (typeof v === 'string') return v.length > 0 ? v : null;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return JSON.stringify(v, null, 2);
  return null;
}

async function freeName(store: ProfileStore, base: string): Promise<string> {
  const names = new Set((await store.list()).profiles.map((p) => p.name));
  const b = base.slice(0, 55);
  if (!names.has(b)) return b;
  for (let i = 2; i < 100; i++) if (!names.has(`${b}-${i}`)) return `${b}-${i}`;
  return `${b}-${randomBytes(3).toString('hex')}`;
}
