/**
 * WAV files for the fake microphone: a synthetic voice-like signal (no espeak/sox needed),
 * 48 kHz mono 16-bit.
 */
import { writeFileSync } from 'node:fs';

/** Writes a PCM16 mono WAV; `fill(t)` returns the sample at time t seconds in [-1, 1]. */
export function writeWav(path: string, seconds: number, rate = 48000, fill: (t: number) => number = utterance): string {
  const n = Math.round(seconds * rate);
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + n * 2, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) {
    const v = Math.max(-1, Math.min(1, fill(i / rate)));
    buf.writeInt16LE(Math.round(v * 32767), 44 + i * 2);
  }
  writeFileSync(path, buf);
  return path;
}

/**
 * An utterance: 1.2 s of syllable-like bursts of a harmonic tone (RMS ≈ 0.1), then 1.3 s of digital
 * silence so a server VAD sees the end of speech (the fake device loops the file).
 */
export function utterance(t: number): number {
  return t % 2.5 < 1.2 ? voiceLike(t) : 0;
}

/** Syllable-like bursts of a harmonic tone (RMS ≈ 0.1). */
export function voiceLike(t: number): number {
  const env = 0.5 - 0.5 * Math.cos(2 * Math.PI * 4 * t);
  const f = 220;
  const s = Math.sin(2 * Math.PI * f * t) + 0.5 * Math.sin(2 * Math.PI * 2 * f * t) + 0.25 * Math.sin(2 * Math.PI * 3 * f * t);
  return 0.18 * env * s;
}
