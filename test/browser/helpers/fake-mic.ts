/**
 * The fake microphone's WAV, made from the committed espeak-ng fixture (test/fixtures/speech-16k.wav).
 * Chromium's fake capture device loops the file, so the speech is followed by enough silence for the
 * devserver's VAD (600 ms) to hear the end of the utterance before the next loop starts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resampleLinear, speechSpan, type SpeechSpan } from '../../../src/devserver/audio/dsp.ts';
import { encodeWav, parseWav } from '../../../src/devserver/audio/wav.ts';

const FIXTURE = fileURLToPath(new URL('../../fixtures/speech-16k.wav', import.meta.url));

/** Chromium captures at 48 kHz; a file at that rate is played as is, not resampled by the fake device. */
const MIC_RATE = 48000;

export interface SpeechMic {
  /** Absolute path of the WAV for `--use-file-for-fake-audio-capture`. */
  path: string;
  /** The fixture's speech span at 16 kHz (what the devserver should hear, give or take the tolerance). */
  speech: SpeechSpan;
  /** One loop of the file, ms. */
  loopMs: number;
}

/**
 * Writes the fixture's audio, padded with digital silence so `silenceAfterMs` follow the speech,
 * resampled to 48 kHz, to `path`.
 */
export function writeSpeechMic(path: string, silenceAfterMs = 1500): SpeechMic {
  const { sampleRate, samples } = parseWav(readFileSync(FIXTURE));
  const speech = speechSpan(samples, sampleRate);
  if (speech.durationMs === 0) throw new Error(`no speech in ${FIXTURE}`);
  const total = speech.end + Math.round((silenceAfterMs * sampleRate) / 1000);
  const padded = new Int16Array(Math.max(total, samples.length));
  padded.set(samples);
  const mic = resampleLinear(padded, sampleRate, MIC_RATE);
  writeFileSync(path, encodeWav(mic, MIC_RATE));
  return { path, speech, loopMs: (mic.length * 1000) / MIC_RATE };
}
