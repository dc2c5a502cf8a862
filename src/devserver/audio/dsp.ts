/** Pure PCM helpers for the devserver: levels, speech span, resampling. No I/O. */

/** RMS level of 16-bit samples in dBFS (−Infinity for digital silence). */
export function rmsDbfs(pcm: Int16Array, start = 0, end = pcm.length): number {
  const n = end - start;
  if (n <= 0) return -Infinity;
  let sum = 0;
  for (let i = start; i < end; i++) { const s = pcm[i]!; sum += s * s; }
  if (sum === 0) return -Infinity;
  return 20 * Math.log10(Math.sqrt(sum / n) / 32768);
}

export interface SpeechSpan {
  /** First and last voiced sample (end exclusive); start === end when nothing was voiced. */
  start: number;
  end: number;
  durationMs: number;
  /** RMS level of the voiced windows in dBFS (−Infinity when none). */
  levelDbfs: number;
}

/** Default energy threshold for "speech" per 10 ms window. */
export const SPEECH_THRESHOLD_DBFS = -42;

/**
 * Speech span by energy: first to last 10 ms window whose RMS exceeds `thresholdDbfs`.
 * Pauses inside the span count as speech (we measure an utterance, not voiced time).
 */
export function speechSpan(pcm: Int16Array, sampleRate: number, thresholdDbfs = SPEECH_THRESHOLD_DBFS): SpeechSpan {
  const win = Math.max(1, Math.round(sampleRate / 100));
  let first = -1;
  let last = -1;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < pcm.length; i += win) {
    const end = Math.min(pcm.length, i + win);
    if (rmsDbfs(pcm, i, end) > thresholdDbfs) {
      if (first < 0) first = i;
      last = end;
      for (let j = i; j < end; j++) { const s = pcm[j]!; sum += s * s; }
      count += end - i;
    }
  }
  if (first < 0) return { start: 0, end: 0, durationMs: 0, levelDbfs: -Infinity };
  const levelDbfs = sum === 0 ? -Infinity : 20 * Math.log10(Math.sqrt(sum / count) / 32768);
  return { start: first, end: last, durationMs: ((last - first) * 1000) / sampleRate, levelDbfs };
}

/**
 * Streaming end-of-utterance detector for `auto` mode: feed PCM as it arrives; `push` returns true once
 * speech was seen and then `silenceMs` of continuous non-speech followed (§3.6, "~600 ms").
 */
export class EnergyVad {
  readonly #win: number;
  readonly #threshold: number;
  readonly #silenceWindows: number;
  #carry = new Int16Array(0);
  #speechSeen = false;
  #silentRun = 0;

  constructor(sampleRate = 16000, silenceMs = 600, thresholdDbfs = SPEECH_THRESHOLD_DBFS) {
    this.#win = Math.round(sampleRate / 100);
    this.#threshold = thresholdDbfs;
    this.#silenceWindows = Math.ceil(silenceMs / 10);
  }

  get speechSeen(): boolean {
    return this.#speechSeen;
  }

  push(pcm: Int16Array): boolean {
    let buf = pcm;
    if (this.#carry.length) {
      buf = new Int16Array(this.#carry.length + pcm.length);
      buf.set(this.#carry);
      buf.set(pcm, this.#carry.length);
    }
    let i = 0;
    let ended = false;
    for (; i + this.#win <= buf.length; i += this.#win) {
      if (rmsDbfs(buf, i, i + this.#win) > this.#threshold) {
        this.#speechSeen = true;
        this.#silentRun = 0;
      } else if (this.#speechSeen && ++this.#silentRun >= this.#silenceWindows) {
        ended = true;
      }
    }
    this.#carry = buf.slice(i);
    return ended;
  }
}

/** Linear-interpolation resampler (good enough for echoing speech back; not for hi-fi). */
export function resampleLinear(input: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate || input.length === 0) return input.slice();
  const outLen = Math.round((input.length * toRate) / fromRate);
  const out = new Int16Array(outLen);
  const step = fromRate / toRate;
  const lastIdx = input.length - 1;
  for (let i = 0; i < outLen; i++) {
    const pos = i * step;
    const i0 = Math.floor(pos);
    const frac = pos - i0;
    const a = input[Math.min(i0, lastIdx)]!;
    const b = input[Math.min(i0 + 1, lastIdx)]!;
    out[i] = Math.round(a + (b - a) * frac);
  }
  return out;
}
