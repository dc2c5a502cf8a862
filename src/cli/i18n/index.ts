/** Pick the output language and look up messages. */
import { en, type Messages } from './en.ts';
import { zh } from './zh.ts';

export type Lang = 'zh' | 'en';
export type { Messages };

/** `--lang` wins; else LC_ALL, LC_MESSAGES, LANG (POSIX precedence) starting with "zh" → zh; else en. */
export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  if (flag === 'zh' || flag === 'en') return flag;
  const locale = env['LC_ALL'] || env['LC_MESSAGES'] || env['LANG'] || '';
  return locale.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function messages(lang: Lang): Messages {
  return lang === 'zh' ? zh : en;
}
