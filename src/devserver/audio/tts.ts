/** Reply audio for text turns: an external command (e.g. `espeak-ng --stdout`) or the tone stand-in. */
import { spawn } from 'node:child_process';
import { resampleLinear } from './dsp.ts';
import { toneSpeech } from './tone-speech.ts';
import { parseWav } from './wav.ts';

const TTS_TIMEOUT_MS = 10_000;
const MAX_WAV_BYTES = 16 * 1024 * 1024;

/**
 * Synthesize `text` as 24 kHz mono PCM. With `command`, runs it without a shell (text appended as the
 * last argument) and reads a WAV from stdout; any failure falls back to tones so a turn always has audio.
 */
export async function synthesize(text: string, command?: string, sampleRate = 24000): Promise<{ pcm: Int16Array; engine: string }> {
  if (command) {
    try {
      const wav = await runTts(command, text);
      const { samples, sampleRate: rate } = parseWav(wav);
      return { pcm: resampleLinear(samples, rate, sampleRate), engine: command.split(/\s+/)[0] ?? 'tts' };
    } catch {
      /* fall through to tones */
    }
  }
  return { pcm: toneSpeech(text, sampleRate), engine: 'tones' };
}

function runTts(command: string, text: string): Promise<Uint8Array> {
  const [bin, ...args] = command.trim().split(/\s+/);
  return new Promise((resolve, reject) => {
    const child = spawn(bin!, [...args, text], { stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('tts timeout')); }, TTS_TIMEOUT_MS);
    child.stdout.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_WAV_BYTES) child.kill('SIGKILL');
      else chunks.push(c);
    });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(new Uint8Array(Buffer.concat(chunks))); else reject(new Error(`tts exited with ${code}`));
    });
  });
}
