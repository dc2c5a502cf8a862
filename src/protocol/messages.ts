/**
 * Schemas and types of every JSON control message (xiaozhi-protocol.md §3.1–§3.5, §7.1).
 * Objects are "loose": unknown extra keys (e.g. `glyph_push`, ES's non-standard hello fields) are kept,
 * because a relay must not strip what a newer peer sends.
 */
import * as v from 'valibot';

const sessionId = v.optional(v.string());
const jsonObject = v.record(v.string(), v.unknown());

export const AudioParamsSchema = v.looseObject({
  format: v.literal('opus'),
  sample_rate: v.pipe(v.number(), v.integer(), v.minValue(8000), v.maxValue(48000)),
  channels: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2)),
  frame_duration: v.pipe(v.number(), v.minValue(2.5), v.maxValue(120)),
});

export const LISTEN_MODES = ['auto', 'manual', 'realtime'] as const;
export type ListenMode = (typeof LISTEN_MODES)[number];

// ── device → server ────────────────────────────────────────────────────────────────────────────

/** Client hello. Everything but `type` is optional: servers fill firmware defaults (issue 2, tolerant like ES). */
export const ClientHelloSchema = v.looseObject({
  type: v.literal('hello'),
  version: v.optional(v.picklist([1, 2, 3])),
  transport: v.optional(v.string()),
  features: v.optional(
    v.looseObject({
      mcp: v.optional(v.boolean()),
      aec: v.optional(v.boolean()),
      glyph_push: v.optional(v.boolean()),
    }),
  ),
  audio_params: v.optional(AudioParamsSchema),
});

export const ListenSchema = v.variant('state', [
  v.looseObject({ type: v.literal('listen'), session_id: sessionId, state: v.literal('start'), mode: v.optional(v.picklist(LISTEN_MODES)) }),
  v.looseObject({ type: v.literal('listen'), session_id: sessionId, state: v.literal('stop') }),
  v.looseObject({ type: v.literal('listen'), session_id: sessionId, state: v.literal('detect'), text: v.optional(v.string()) }),
]);

export const AbortSchema = v.looseObject({ type: v.literal('abort'), session_id: sessionId, reason: v.optional(v.string()) });

/** MCP envelope, both directions; the payload must be an object (firmware ignores anything else, §7.1). */
export const McpEnvelopeSchema = v.looseObject({ type: v.literal('mcp'), session_id: sessionId, payload: jsonObject });

/** Legacy IoT (removed from firmware v1.8.0; ES still accepts it). */
export const ClientIotSchema = v.looseObject({
  type: v.literal('iot'),
  session_id: sessionId,
  update: v.optional(v.boolean()),
  descriptors: v.optional(v.array(jsonObject)),
  states: v.optional(v.array(jsonObject)),
});

export const GoodbyeSchema = v.looseObject({ type: v.literal('goodbye'), session_id: sessionId });

// ── server → device ────────────────────────────────────────────────────────────────────────────

export const ServerHelloSchema = v.looseObject({
  type: v.literal('hello'),
  version: v.optional(v.number()),
  transport: v.string(),
  audio_params: v.optional(AudioParamsSchema),
  session_id: sessionId,
});

export const SttSchema = v.looseObject({ type: v.literal('stt'), session_id: sessionId, text: v.string() });

export const LlmSchema = v.looseObject({
  type: v.literal('llm'),
  session_id: sessionId,
  emotion: v.optional(v.string()),
  text: v.optional(v.string()),
});

export const TTS_STATES = ['start', 'sentence_start', 'sentence_end', 'stop'] as const;
export const TtsSchema = v.variant('state', [
  v.looseObject({ type: v.literal('tts'), session_id: sessionId, state: v.literal('start') }),
  v.looseObject({ type: v.literal('tts'), session_id: sessionId, state: v.literal('sentence_start'), text: v.string() }),
  // Legacy: handling removed from firmware in v0.8.0; clients ignore it (§3.5).
  v.looseObject({ type: v.literal('tts'), session_id: sessionId, state: v.literal('sentence_end'), text: v.optional(v.string()) }),
  v.looseObject({ type: v.literal('tts'), session_id: sessionId, state: v.literal('stop') }),
]);

export const SystemSchema = v.looseObject({ type: v.literal('system'), session_id: sessionId, command: v.string() });

export const AlertSchema = v.looseObject({
  type: v.literal('alert'),
  session_id: sessionId,
  status: v.string(),
  message: v.string(),
  emotion: v.string(),
});

export const CustomSchema = v.looseObject({ type: v.literal('custom'), session_id: sessionId, payload: v.unknown() });

export const ServerIotSchema = v.looseObject({
  type: v.literal('iot'),
  session_id: sessionId,
  commands: v.array(
    v.looseObject({ name: v.string(), method: v.string(), parameters: v.optional(jsonObject) }),
  ),
});

/** Sent by the MQTT gateway when hello handling fails (§3.5). */
export const ServerErrorSchema = v.looseObject({ type: v.literal('error'), session_id: sessionId, message: v.string() });

// ── unions ─────────────────────────────────────────────────────────────────────────────────────

/** Schema per `type`, device → server. */
export const CLIENT_MESSAGE_SCHEMAS = {
  hello: ClientHelloSchema,
  listen: ListenSchema,
  abort: AbortSchema,
  mcp: McpEnvelopeSchema,
  iot: ClientIotSchema,
  goodbye: GoodbyeSchema,
} as const;

/** Schema per `type`, server → device. */
export const SERVER_MESSAGE_SCHEMAS = {
  hello: ServerHelloSchema,
  stt: SttSchema,
  llm: LlmSchema,
  tts: TtsSchema,
  mcp: McpEnvelopeSchema,
  system: SystemSchema,
  alert: AlertSchema,
  custom: CustomSchema,
  iot: ServerIotSchema,
  goodbye: GoodbyeSchema,
  error: ServerErrorSchema,
} as const;

type OutputOf<M> = { [K in keyof M]: M[K] extends v.GenericSchema ? v.InferOutput<M[K]> : never }[keyof M];

export type ClientHello = v.InferOutput<typeof ClientHelloSchema>;
export type ServerHello = v.InferOutput<typeof ServerHelloSchema>;
export type ListenMessage = v.InferOutput<typeof ListenSchema>;
export type TtsMessage = v.InferOutput<typeof TtsSchema>;
export type McpEnvelope = v.InferOutput<typeof McpEnvelopeSchema>;
export type ClientMessage = OutputOf<typeof CLIENT_MESSAGE_SCHEMAS>;
export type ServerMessage = OutputOf<typeof SERVER_MESSAGE_SCHEMAS>;
export type ClientMessageType = keyof typeof CLIENT_MESSAGE_SCHEMAS;
export type ServerMessageType = keyof typeof SERVER_MESSAGE_SCHEMAS;
