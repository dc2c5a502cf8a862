import { describe, expect, it } from 'vitest';
import { textReply, voiceTurnContent } from './turn-content.ts';

describe('voiceTurnContent', () => {
  it('reports duration and level of the voiced span and echoes it at 24 kHz', () => {
    const pcm = new Int16Array(32000);
    for (let i = 8000; i < 24000; i++) pcm[i] = Math.round(16384 * Math.sin(i / 3));
    const c = voiceTurnContent(pcm);
    expect(c.stt).toBe('[voice 1.00 s, level -9 dBFS]');
    expect(c.durationMs).toBe(1000);
    expect(c.audio24k).toHaveLength(24000);
  });
  it('says so when nothing was voiced', () => {
    expect(voiceTurnContent(new Int16Array(16000))).toMatchObject({ stt: '[no speech, 1.00 s of audio]', audio24k: null, durationMs: 0 });
  });
});

describe('textReply', () => {
  const intent = { name: 'self.audio_speaker.set_volume', arguments: { volume: 50 }, describe: 'volume 50' };
  it('echoes, reports tool results and errors', () => {
    expect(textReply('hi', null, null)).toBe('You said: hi');
    expect(textReply('音量50', intent, { ok: true, text: 'true' })).toBe('OK, volume 50 (device answered: true).');
    expect(textReply('音量50', intent, { ok: false, error: 'Unknown tool: x' })).toBe('Could not do volume 50: Unknown tool: x');
    expect(textReply('音量50', intent, null)).toMatch(/no MCP tools/);
  });
});
