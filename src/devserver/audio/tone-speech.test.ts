import { describe, expect, it } from 'vitest';
import { syllables, toneSpeech } from './tone-speech.ts';

describe('tone speech', () => {
  it('counts CJK characters, Latin vowel groups and digits as syllables', () => {
    expect(syllables('你好')).toHaveLength(2);
    expect(syllables('hello world')).toHaveLength(3);
    expect(syllables('volume 50')).toHaveLength(5);
  });
  it('gets longer with more syllables and is never empty', () => {
    expect(toneSpeech('一二三四五六', 24000).length).toBeGreaterThan(toneSpeech('一', 24000).length * 3);
    expect(toneSpeech('', 24000).length).toBeGreaterThan(0);
  });
});
