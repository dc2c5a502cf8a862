import { describe, expect, it } from 'vitest';
import { defaultLang, loadPreferences } from './preferences.ts';

describe('preferences', () => {
  it('defaults the language from the browser languages', () => {
    expect(defaultLang(['zh-TW', 'en'])).toBe('zh-CN');
    expect(defaultLang(['zh'])).toBe('zh-CN');
    expect(defaultLang(['en-GB', 'zh-CN'])).toBe('en');
    expect(defaultLang(['fr'])).toBe('en');
  });

  it('falls back to defaults without storage (Node, private mode)', () => {
    const p = loadPreferences();
    expect(p.volume).toBe(80);
    expect(['light', 'dark']).toContain(p.theme);
  });
});
