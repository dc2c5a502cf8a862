/**
 * Complete utterances in audio the devserver received: speech with silence before and after it.
 * Voiced/silent is decided per 10 ms window exactly as `speechSpan` does (same threshold), and each
 * burst is measured by `speechSpan` itself, so the received span and the fixture's span are the same
 * measurement.
 */
import { rmsDbfs, speechSpan, SPEECH_THRESHOLD_DBFS, type SpeechSpan } from '../../../src/devserver/audio/dsp.ts';

/**
 * Speech bursts of `pcm` separated by at least `minGapMs` of silence, and only those with at least
 * `minGapMs` of silence on both sides inside `pcm` (a burst cut by the start or end of the turn is left
 * out). Spans are in samples of `pcm`.
 */
export function completeBursts(pcm: Int16Array, sampleRate: number, minGapMs = 400): SpeechSpan[] {
  const win = Math.round(sampleRate / 100);
  const gapWindows = Math.ceil(minGapMs / 10);
  const voiced: boolean[] = [];
  for (let i = 0; i + win <= pcm.length; i += win) voiced.push(rmsDbfs(pcm, i, i + win) > SPEECH_THRESHOLD_DBFS);
  // Runs of voiced windows, merged across pauses shorter than minGapMs (pauses inside a sentence).
  const runs: [number, number][] = [];
  for (let w = 0; w < voiced.length; w++) {
    if (!voiced[w]) continue;
    const last = runs.at(-1);
    if (last && w - last[1] < gapWindows) last[1] = w + 1;
    else runs.push([w, w + 1]);
  }
  const out: SpeechSpan[] = [];
  for (const [k, [a, b]] of runs.entries()) {
    const before = a - (runs[k - 1]?.[1] ?? 0);
    const after = (runs[k + 1]?.[0] ?? voiced.length) - b;
    if (before < gapWindows || after < gapWindows) continue;
    const span = speechSpan(pcm.subarray(a * win, b * win), sampleRate);
    out.push({ ...span, start: span.start + a * win, end: span.end + a * win });
  }
  return out;
}
