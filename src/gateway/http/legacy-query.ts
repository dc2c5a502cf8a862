/**
 * The original proxy's query API (peers-and-users.md §1.1): `?token=` or `?access_token=`, `device_id`,
 * `client_id` (both default `web-client`, as before), plus xiaozhi-esp32-server's browser names
 * (`device-id`, `client-id`, `authorization=Bearer …`, protocol §2.3). Values become upstream headers,
 * so they are validated (reliability §2.13); the upstream URL is never taken from the query.
 */
import { isSafeHeaderValue } from '../../protocol/identity-format.ts';

export const MAX_ID_LENGTH = 64;
export const MAX_TOKEN_LENGTH = 2048;

export type LegacyCredentials =
  | { ok: true; token: string; deviceId: string; clientId: string }
  | { ok: false; code: 'XZ_MISSING_CREDENTIALS' | 'XZ_BAD_PARAMETER'; reason: string };

function one(params: URLSearchParams, names: string[]): { value: string | null; duplicate: boolean } {
  const values = names.flatMap((n) => params.getAll(n));
  return { value: values[0] ?? null, duplicate: new Set(values).size > 1 };
}

export function parseLegacyQuery(params: URLSearchParams): LegacyCredentials {
  const tok = one(params, ['token', 'access_token']);
  const auth = one(params, ['authorization']);
  const dev = one(params, ['device_id', 'device-id']);
  const cli = one(params, ['client_id', 'client-id']);
  for (const [name, p] of [['token', tok], ['authorization', auth], ['device_id', dev], ['client_id', cli]] as const) {
    if (p.duplicate) return { ok: false, code: 'XZ_BAD_PARAMETER', reason: `${name} given more than once with different values` };
  }
  let token = tok.value;
  if (!token && auth.value) token = auth.value.replace(/^Bearer\s+/i, '');
  if (!token) return { ok: false, code: 'XZ_MISSING_CREDENTIALS', reason: 'Missing token parameter' };
  if (!isSafeHeaderValue(token, MAX_TOKEN_LENGTH)) {
    return { ok: false, code: 'XZ_BAD_PARAMETER', reason: `token must be printable ASCII without CR/LF, at most ${MAX_TOKEN_LENGTH} chars` };
  }
  const deviceId = dev.value ?? 'web-client';
  const clientId = cli.value ?? 'web-client';
  if (!isSafeHeaderValue(deviceId, MAX_ID_LENGTH)) {
    return { ok: false, code: 'XZ_BAD_PARAMETER', reason: `device_id must be printable ASCII without CR/LF, 1-${MAX_ID_LENGTH} chars` };
  }
  if (!isSafeHeaderValue(clientId, MAX_ID_LENGTH)) {
    return { ok: false, code: 'XZ_BAD_PARAMETER', reason: `client_id must be printable ASCII without CR/LF, 1-${MAX_ID_LENGTH} chars` };
  }
  return { ok: true, token, deviceId, clientId };
}
