/**
 * What a turn says and plays (no ASR or LLM offline). Pure: voice turns are summarised and echoed,
 * typed turns are echoed or answered with the MCP call's outcome.
 */
import { resampleLinear, speechSpan } from './audio/dsp.ts';
import type { ToolIntent } from './intents.ts';

export interface VoiceTurnContent {
  durationMs: number;
  /** Rounded dBFS of the voiced part; −Infinity when nothing was voiced. */
  level: number;
  stt: string;
  reply: string;
  /** The caller's speech at 24 kHz, or null (then the reply text is synthesised). */
  audio24k: Int16Array | null;
}

/** Summarise a 16 kHz turn: `[voice 2.34 s, level -18 dBFS]` and the speech span resampled for the echo. */
export function voiceTurnContent(pcm16k: Int16Array): VoiceTurnContent {
  const span = speechSpan(pcm16k, 16000);
  if (span.durationMs === 0) {
    return { durationMs: 0, level: -Infinity, stt: `[no speech, ${(pcm16k.length / 16000).toFixed(2)} s of audio]`, reply: 'I heard nothing.', audio24k: null };
  }
  const secs = (span.durationMs / 1000).toFixed(2);
  const level = Math.round(span.levelDbfs);
  return {
    durationMs: span.durationMs,
    level,
    stt: `[voice ${secs} s, level ${level} dBFS]`,
    reply: `I heard ${secs} s of speech; here it is back.`,
    audio24k: resampleLinear(pcm16k.subarray(span.start, span.end), 16000, 24000),
  };
}

export type ToolOutcome = { ok: true; text?: string } | { ok: false; error: string } | null;

/** Reply text of a typed turn: an echo, or what the device said to the tool call (`null` = no MCP). */
export function textReply(text: string, intent: ToolIntent | null, outcome: ToolOutcome): string {
  if (!intent) return `You said: ${text}`;
  if (!outcome) return `I would ask for ${intent.describe}, but this device has no MCP tools.`;
  return outcome.ok ? `OK, ${intent.describe} (device answered: ${outcome.text ?? 'ok'}).` : `Could not do ${intent.describe}: ${outcome.error}`;
}
