/**
 * Stage 8 (optional): one typed turn. `listen detect` with text is the text-chat channel ES answers
 * (protocol §3.4); we wait for stt → tts start → audio → tts stop (§3.6) and count the audio packets.
 * The time limit is an idle limit: it restarts with every frame, so long spoken answers are fine.
 */
import { describeCloseCode, type Lang } from '../protocol/errors.ts';
import type { StageOutcome } from './check-config.ts';
import { diagnoseNetError } from './net-errors.ts';
import { scrub } from './redact.ts';
import { sentences, tr } from './text.ts';
import type { WsProbe } from './ws-probe.ts';

/**
 * Default utterance: an ordinary sentence, not a wake word — servers treat a bare wake word as the start of
 * listening and may stay silent (ES greets, others just wait for audio), while any text is answered.
 */
export const DEFAULT_TURN_TEXT = { en: 'Hello, this is a connection test.', zh: '你好，这是一次连接测试。' } as const;

export interface TurnStats {
  stt?: string;
  ttsStart: boolean;
  ttsStop: boolean;
  audioPackets: number;
  audioBytes: number;
  firstAudioMs?: number;
  sentences: string[];
}

/** Run the turn on an open, hello-completed probe. `from` = event index after the server hello. */
export async function checkTurn(probe: WsProbe, sessionId: string | undefined, text: string, from: number, idleMs: number, parent: AbortSignal | undefined, token: string | undefined, lang: Lang): Promise<StageOutcome> {
  const t0 = performance.now();
  const stats: TurnStats = { ttsStart: false, ttsStop: false, audioPackets: 0, audioBytes: 0, sentences: [] };
  // Audio that arrived before the turn (e.g. a greeting) is not ours.
  probe.send({ session_id: sessionId ?? '', type: 'listen', state: 'detect', text });
  let i = from;
  let end: 'stop' | 'close' | 'error' | 'idle' | 'aborted' = 'idle';
  let closeInfo: { code: number; reason: string } | undefined;
  let error: Error | undefined;
  for (;;) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), idleMs);
    const onParent = () => ctl.abort();
    parent?.addEventListener('abort', onParent, { once: true });
    const got = await probe.waitFor(i, (e) => e, ctl.signal);
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParent);
    if (!got) { end = parent?.aborted ? 'aborted' : 'idle'; break; }
    i = got.next;
    const e = got.value;
    if (e.kind === 'audio') {
      if (e.at < t0) continue;
      stats.audioPackets++;
      stats.audioBytes += e.bytes;
      stats.firstAudioMs ??= Math.round(e.at - t0);
      continue;
    }
    if (e.kind === 'close') { end = 'close'; closeInfo = e; break; }
    if (e.kind === 'error') { end = 'error'; error = e.error; break; }
    if (e.kind !== 'message') continue;
    const m = e.message;
    if (m.type === 'stt') stats.stt = m.text;
    else if (m.type === 'tts' && m.state === 'start') stats.ttsStart = true;
    else if (m.type === 'tts' && m.state === 'sentence_start') stats.sentences.push(m.text);
    else if (m.type === 'tts' && m.state === 'stop' && stats.ttsStart) { stats.ttsStop = true; end = 'stop'; break; }
  }
  const ms = Math.round(performance.now() - t0);
  const data: Record<string, unknown> = { ...stats, text, turnMs: ms };
  const seen = tr(lang,
    `seen: stt ${stats.stt !== undefined ? `"${scrub(stats.stt, token)}"` : 'no'}, tts start ${stats.ttsStart ? 'yes' : 'no'}, ${stats.audioPackets} audio packet(s), tts stop ${stats.ttsStop ? 'yes' : 'no'}`,
    `已收到：stt ${stats.stt !== undefined ? `“${scrub(stats.stt, token)}”` : '无'}，tts start ${stats.ttsStart ? '有' : '无'}，${stats.audioPackets} 个音频包，tts stop ${stats.ttsStop ? '有' : '无'}`);
  if (end === 'stop') {
    const reply = stats.sentences.join(' ').slice(0, 80);
    if (stats.audioPackets === 0) {
      return { status: 'warn', data, detail: sentences(lang, [tr(lang, 'the turn completed but no audio arrived', '对话完成但没有收到音频'), seen]),
        hint: tr(lang, 'the server\'s TTS may be failing; check its logs', '服务器的语音合成可能出错，请查看其日志') };
    }
    return { status: 'ok', data, detail: sentences(lang, [tr(lang,
      `"${text}" answered in ${ms} ms: ${stats.audioPackets} audio packets (${stats.audioBytes} bytes), first after ${stats.firstAudioMs} ms${reply ? `, reply "${reply}"` : ''}`,
      `“${text}”在 ${ms} 毫秒内得到回答：${stats.audioPackets} 个音频包（${stats.audioBytes} 字节），首包 ${stats.firstAudioMs} 毫秒${reply ? `，回复“${reply}”` : ''}`)]) };
  }
  if (end === 'close' && closeInfo) {
    return { status: 'fail', data: { ...data, closeCode: closeInfo.code }, detail: sentences(lang, [
      tr(lang, `the connection closed during the turn (code ${closeInfo.code}): ${describeCloseCode(closeInfo.code, 'en')}`, `对话过程中连接被关闭（代码 ${closeInfo.code}）：${describeCloseCode(closeInfo.code, 'zh')}`), seen]),
      hint: closeInfo.code === 1006
        ? tr(lang, 'the server or the network dropped the connection mid-reply; check the server logs and any proxy in between', '服务器或网络在回复中途断开了连接；请检查服务器日志以及中间的代理')
        : tr(lang, 'check the server logs for why it ended the session', '请查看服务器日志了解会话结束的原因') };
  }
  if (end === 'error' && error) {
    const d = diagnoseNetError(error, 'WebSocket', lang);
    return { status: 'fail', data, detail: sentences(lang, [d.detail, seen]), hint: d.hint };
  }
  return { status: 'fail', data, detail: sentences(lang, [
    end === 'aborted' ? tr(lang, 'the check was cancelled', '检查已取消')
      : tr(lang, `the server went quiet for ${(idleMs / 1000).toFixed(1)} s during the turn`, `对话过程中服务器 ${(idleMs / 1000).toFixed(1)} 秒没有任何消息`), seen]),
    hint: stats.stt === undefined
      ? tr(lang, 'the server did not take the typed text (listen detect); it may not support text turns — try speaking in the web app', '服务器没有处理文字输入（listen detect），可能不支持文字对话——请在网页中用语音尝试')
      : tr(lang, 'the server heard the text but did not finish speaking; its LLM or TTS may be slow or failing', '服务器收到了文字但没有完成播报；其大模型或语音合成可能过慢或出错') };
}
