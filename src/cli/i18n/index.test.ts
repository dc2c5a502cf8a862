import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { messages, pickLang } from './index.ts';
import { zh } from './zh.ts';

describe('pickLang', () => {
  it('prefers --lang, then LC_ALL, LC_MESSAGES, LANG', () => {
    expect(pickLang('en', { LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(pickLang(undefined, { LANG: 'zh_CN.UTF-8' })).toBe('zh');
    expect(pickLang(undefined, { LANG: 'zh_CN.UTF-8', LC_ALL: 'C' })).toBe('en');
    expect(pickLang(undefined, { LANG: 'en_US', LC_MESSAGES: 'zh_TW' })).toBe('zh');
    expect(pickLang(undefined, {})).toBe('en');
  });
});

describe('catalogues', () => {
  it('zh has every en key with the same kind of value and no English left in descriptions', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const k of Object.keys(en) as (keyof typeof en)[]) expect(typeof zh[k]).toBe(typeof en[k]);
    expect(messages('zh')['cmd.activate']).not.toBe(en['cmd.activate']);
  });
});
