/**
 * OTA reply validation (xiaozhi-protocol.md §5.2). Replies are validated, not trusted: error bodies
 * inside HTTP 200 (`error`, `success:false`) are failures; unknown keys are kept for storage.
 */
import * as v from 'valibot';
import { describeIssues } from './parse-message.ts';

const str = v.string();
const num = v.number();

export const OtaReplySchema = v.looseObject({
  server_time: v.optional(v.looseObject({ timestamp: num, timezone_offset: v.optional(num), timeZone: v.optional(str) })),
  firmware: v.optional(v.looseObject({ version: str, url: v.optional(str), force: v.optional(num) })),
  websocket: v.optional(
    v.looseObject({ url: v.pipe(str, v.regex(/^wss?:\/\//i, 'websocket.url must start with ws:// or wss://')), token: v.optional(str), version: v.optional(num) }),
  ),
  mqtt: v.optional(v.looseObject({ endpoint: str, client_id: str, username: str, password: str, publish_topic: str, subscribe_topic: v.optional(str), keepalive: v.optional(num) })),
  activation: v.optional(
    v.looseObject({ code: v.pipe(str, v.regex(/^\d{4,8}$/, 'activation.code must be digits')), message: v.optional(str), challenge: v.optional(str), timeout_ms: v.optional(num) }),
  ),
});

export type OtaReply = v.InferOutput<typeof OtaReplySchema>;

export type OtaParseResult =
  | { ok: true; reply: OtaReply }
  | { ok: false; code: 'XZ_OTA_ERROR_BODY' | 'XZ_OTA_INVALID_REPLY'; detail: string };

/** Validate a parsed OTA reply body. */
export function parseOtaReply(json: unknown): OtaParseResult {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, code: 'XZ_OTA_INVALID_REPLY', detail: 'OTA reply is not a JSON object' };
  }
  const body = json as Record<string, unknown>;
  // manager-api puts `error` in a 200 reply; ES single server uses success:false + message (§5.2).
  if (typeof body.error === 'string' && body.error) return { ok: false, code: 'XZ_OTA_ERROR_BODY', detail: body.error };
  if (body.success === false) {
    return { ok: false, code: 'XZ_OTA_ERROR_BODY', detail: typeof body.message === 'string' ? body.message : 'success:false' };
  }
  const result = v.safeParse(OtaReplySchema, body);
  if (!result.success) return { ok: false, code: 'XZ_OTA_INVALID_REPLY', detail: describeIssues(result.issues) };
  if (!result.output.websocket && !result.output.mqtt && !result.output.activation) {
    return { ok: false, code: 'XZ_OTA_INVALID_REPLY', detail: 'OTA reply has neither websocket, mqtt nor activation' };
  }
  return { ok: true, reply: result.output };
}

/** `…/ota/` + `activate`, inserting a slash when the OTA URL lacks one (§5.3). */
export function activationUrl(otaUrl: string): string {
  return otaUrl.endsWith('/') ? `${otaUrl}activate` : `${otaUrl}/activate`;
}
