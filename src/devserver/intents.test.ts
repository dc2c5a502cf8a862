import { describe, expect, it } from 'vitest';
import { matchIntent } from './intents.ts';

describe('matchIntent', () => {
  it.each([
    ['音量调到50', 'self.audio_speaker.set_volume', { volume: 50 }],
    ['Set volume to 50', 'self.audio_speaker.set_volume', { volume: 50 }],
    ['volume 150', 'self.audio_speaker.set_volume', { volume: 100 }],
    ['把亮度调到30', 'self.screen.set_brightness', { brightness: 30 }],
    ['brightness 5', 'self.screen.set_brightness', { brightness: 5 }],
    ['switch to dark mode', 'self.screen.set_theme', { theme: 'dark' }],
    ['换成浅色主题', 'self.screen.set_theme', { theme: 'light' }],
    ['device status please', 'self.get_device_status', {}],
  ])('%s', (text, name, args) => {
    expect(matchIntent(text)).toMatchObject({ name, arguments: args });
  });
  it('leaves ordinary sentences alone', () => {
    expect(matchIntent('what a nice day')).toBeNull();
    expect(matchIntent('turn the volume up')).toBeNull();
  });
});
