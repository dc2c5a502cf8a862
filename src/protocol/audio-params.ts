/** Audio parameters as carried in `hello.audio_params` (xiaozhi-protocol.md §3.1, §4.3). */
export interface AudioParams {
  format: 'opus';
  sample_rate: number;
  channels: number;
  /** Frame length in milliseconds. */
  frame_duration: number;
}

/** What firmware sends upstream: 16 kHz mono, one 60 ms Opus packet per binary frame. */
export const DEFAULT_UPLINK_AUDIO: Readonly<AudioParams> = Object.freeze({
  format: 'opus',
  sample_rate: 16000,
  channels: 1,
  frame_duration: 60,
});

/** What the official cloud and xiaozhi-esp32-server send down: 24 kHz mono, 60 ms (§3.2 defaults). */
export const DEFAULT_DOWNLINK_AUDIO: Readonly<AudioParams> = Object.freeze({
  format: 'opus',
  sample_rate: 24000,
  channels: 1,
  frame_duration: 60,
});

/** Opus frame sizes allowed by RFC 6716, in milliseconds. */
export const OPUS_FRAME_DURATIONS_MS = [2.5, 5, 10, 20, 40, 60] as const;

/** Samples in one frame of `durationMs` at `sampleRate`. */
export function samplesPerFrame(sampleRate: number, durationMs: number): number {
  return Math.round((sampleRate * durationMs) / 1000);
}
