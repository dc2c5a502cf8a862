/**
 * Stand-in TTS for text turns (no speech engine offline): one short tone per syllable, pitch taken
 * from the character, so the reply length follows the text and a listener hears "something said".
 */

const SYLLABLE_MS = 160;
const GAP_MS = 40;
const WORD_GAP_MS = 80;

/** Rough syllable units: each CJK character, each vowel group of a Latin word, each digit. */
export function syllables(text: string): string[] {
  const out: string[] = [];
  for (const token of text.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[A-Za-z]+|\d/gu) ?? []) {
    if (/^[A-Za-z]+$/.test(token)) {
      const groups = token.match(/[aeiouy]+/gi)?.length ?? 1;
      for (let i = 0; i < Math.max(1, groups); i++) out.push(token);
    } else out.push(token);
  }
  return out;
}

/** Synthesize the tone pattern for `text` at `sampleRate`; at least one syllable. */
export function toneSpeech(text: string, sampleRate = 24000, amplitude = 0.3): Int16Array {
  const units = syllables(text);
  if (units.length === 0) units.push('.');
  const sylN = Math.round((sampleRate * SYLLABLE_MS) / 1000);
  const gapN = Math.round((sampleRate * GAP_MS) / 1000);
  const total = units.length * (sylN + gapN) + Math.round((sampleRate * WORD_GAP_MS) / 1000);
  const out = new Int16Array(total);
  let o = 0;
  for (const u of units) {
    const freq = 180 + ((u.codePointAt(0) ?? 0) % 17) * 20;
    for (let i = 0; i < sylN; i++) {
      // Raised-cosine envelope avoids clicks.
      const env = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / sylN);
      out[o + i] = Math.round(amplitude * 32767 * env * Math.sin((2 * Math.PI * freq * i) / sampleRate));
    }
    o += sylN + gapN;
  }
  return out;
}
