import { describe, expect, it } from 'vitest';
import { encodeWav, parseWav } from './wav.ts';

describe('wav', () => {
  it('round-trips mono 16-bit', () => {
    const pcm = Int16Array.from([0, 1, -1, 32767, -32768]);
    expect(parseWav(encodeWav(pcm, 22050))).toEqual({ sampleRate: 22050, samples: pcm });
  });
  it('averages stereo and tolerates a streaming data size (espeak-ng --stdout)', () => {
    const img = encodeWav(Int16Array.from([100, 300, -100, -300]), 8000);
    const dv = new DataView(img.buffer);
    dv.setUint16(22, 2, true); // 2 channels → 2 frames
    dv.setUint32(40, 0x7fffffff, true);
    expect(Array.from(parseWav(img).samples)).toEqual([200, -200]);
  });
  it('rejects what is not WAV', () => {
    expect(() => parseWav(new Uint8Array(20))).toThrow(/RIFF/);
  });
});
