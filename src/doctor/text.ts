/** Tiny bilingual helpers: every user-facing doctor sentence exists in English and Chinese. */
import type { Lang } from '../protocol/errors.ts';
import type { StageId } from './types.ts';

/** Pick the sentence for `lang`. */
export const tr = (lang: Lang, en: string, zh: string): string => (lang === 'zh' ? zh : en);

/** Short stage names used in reports and summaries. */
export const STAGE_NAMES: Record<StageId, { en: string; zh: string }> = {
  config: { en: 'Configuration', zh: '配置' },
  dns: { en: 'DNS', zh: 'DNS 解析' },
  'tcp-tls': { en: 'TCP/TLS', zh: 'TCP/TLS 连接' },
  ota: { en: 'OTA', zh: 'OTA 检查' },
  activation: { en: 'Activation', zh: '设备激活' },
  'ws-upgrade': { en: 'WebSocket upgrade', zh: 'WebSocket 升级' },
  hello: { en: 'Hello', zh: 'Hello 握手' },
  turn: { en: 'Test turn', zh: '测试对话' },
};

export const stageName = (id: StageId, lang: Lang): string => STAGE_NAMES[id][lang];

/** Join sentences, making sure each ends with punctuation suited to the language. */
export function sentences(lang: Lang, parts: (string | undefined)[]): string {
  const end = lang === 'zh' ? '。' : '.';
  return parts
    .filter((p): p is string => !!p && p.trim() !== '')
    .map((p) => (/[.。!！?？]$/.test(p.trim()) ? p.trim() : p.trim() + end))
    .join(lang === 'zh' ? '' : ' ');
}
