/** The one-sentence verdict at the top of a report. */
import type { Lang } from '../protocol/errors.ts';
import { stageName, tr } from './text.ts';
import type { StageResult } from './types.ts';

const trimEnd = (s: string) => s.trim().replace(/[.。]$/, '');

/** What is wrong and what to do, or that everything works. */
export function summarize(stages: StageResult[], lang: Lang): string {
  const failed = stages.find((s) => s.status === 'fail');
  if (failed) {
    const name = stageName(failed.id, lang);
    const what = trimEnd(failed.detail);
    const todo = failed.hint ? trimEnd(failed.hint) : '';
    return lang === 'zh'
      ? `${name}失败：${what}${todo ? `——${todo}` : ''}。`
      : `${name} failed: ${what}${todo ? ` — ${todo}` : ''}.`;
  }
  const ran = stages.filter((s) => s.status !== 'skip');
  const ms = stages.reduce((a, s) => a + s.ms, 0);
  const hello = stages.find((s) => s.id === 'hello' && s.status === 'ok');
  const turn = stages.find((s) => s.id === 'turn' && (s.status === 'ok' || s.status === 'warn'));
  const sid = hello?.data?.sessionId;
  const packets = turn?.data?.audioPackets;
  const warns = stages.filter((s) => s.status === 'warn');
  const extra = [
    sid !== undefined ? tr(lang, `session ${String(sid)}`, `会话 ${String(sid)}`) : '',
    typeof packets === 'number' ? tr(lang, `test turn received ${packets} audio packets`, `测试对话收到 ${packets} 个音频包`) : '',
  ].filter(Boolean).join(lang === 'zh' ? '，' : ', ');
  const head = tr(lang, `All ${ran.length} checks passed in ${ms} ms`, `全部 ${ran.length} 项检查通过，用时 ${ms} 毫秒`);
  const warnText = warns.length
    ? tr(lang, `; note (${stageName(warns[0]!.id, 'en')}): ${trimEnd(warns[0]!.detail)}`, `；注意（${stageName(warns[0]!.id, 'zh')}）：${trimEnd(warns[0]!.detail)}`)
    : '';
  return lang === 'zh' ? `${head}${extra ? `（${extra}）` : ''}${warnText}。` : `${head}${extra ? ` (${extra})` : ''}${warnText}.`;
}
