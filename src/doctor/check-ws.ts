/**
 * Stages 6 and 7: the WebSocket upgrade (an HTTP status instead of 101 is named) and the hello exchange
 * (answered within the limit, firmware 10 s: protocol §3.3). A close without status right after hello is
 * diagnosed as the protocol notes say (§2.7): not activated / unknown device, never "bad token".
 */
import { DEFAULT_UPLINK_AUDIO } from '../protocol/audio-params.ts';
import type { ProtocolVersion } from '../protocol/binary-frame.ts';
import { describeCloseCode, XZ_ERRORS, type Lang } from '../protocol/errors.ts';
import { isMacShaped, PLACEHOLDER_DEVICE_IDS } from '../protocol/identity-format.ts';
import type { ServerHello } from '../protocol/messages.ts';
import type { StageOutcome } from './check-config.ts';
import { diagnoseNetError } from './net-errors.ts';
import { redactUrl, scrub } from './redact.ts';
import { sentences, tr } from './text.ts';
import type { DoctorOptions } from './types.ts';
import { WsProbe, type ProbeEvent } from './ws-probe.ts';

/** The four handshake headers (§2.2). The token gets `Bearer ` unless it already holds a space, like the firmware. */
export function handshakeHeaders(opts: DoctorOptions, token: string | undefined, version: ProtocolVersion = 1): Record<string, string> {
  const h: Record<string, string> = { 'Protocol-Version': String(version), 'Device-Id': opts.deviceId ?? '', 'Client-Id': opts.clientId ?? '' };
  if (token) h.Authorization = token.includes(' ') ? token : `Bearer ${token}`;
  return h;
}

export interface UpgradeCheck {
  outcome: StageOutcome;
  probe?: WsProbe;
}

/** Stage 6: open the WebSocket. */
export async function checkUpgrade(url: string, opts: DoctorOptions, token: string | undefined, version: ProtocolVersion, signal: AbortSignal, lang: Lang): Promise<UpgradeCheck> {
  const shown = redactUrl(url);
  const r = await WsProbe.open(url, { headers: handshakeHeaders(opts, token, version), ca: opts.ca, signal });
  if (r.ok) {
    return { probe: r.probe, outcome: { status: 'ok', detail: tr(lang, `${shown} upgraded (101 Switching Protocols)`, `${shown} 已升级（101 Switching Protocols）`), data: { url: shown } } };
  }
  if ('httpStatus' in r) {
    const body = scrub(r.body.replace(/\s+/g, ' ').trim().slice(0, 120), token);
    const auth = r.httpStatus === 401 || r.httpStatus === 403;
    const data = { url: shown, httpStatus: r.httpStatus, code: auth ? 'XZ_UPSTREAM_AUTH_REJECTED' : 'XZ_UPSTREAM_HTTP_ERROR' };
    const detail = tr(lang, `the server refused the upgrade with HTTP ${r.httpStatus}${body ? ` (${body})` : ''}`, `服务器以 HTTP ${r.httpStatus} 拒绝了升级${body ? `（${body}）` : ''}`);
    let hint: string;
    if (auth) {
      hint = sentences(lang, [XZ_ERRORS.XZ_UPSTREAM_AUTH_REJECTED[lang], opts.otaUrl
        ? tr(lang, 'the token from OTA was used; check that the server knows this device id and client id', '已使用 OTA 下发的令牌；请确认服务器认识该设备 ID 与客户端 ID')
        : tr(lang, 'run with --ota-url to fetch a fresh token for this device id and client id', '请加上 --ota-url 为该设备 ID 与客户端 ID 获取新令牌')]);
    } else if (r.httpStatus === 200 || r.httpStatus === 404) {
      hint = tr(lang, 'the URL does not lead to the WebSocket endpoint; it usually ends in /xiaozhi/v1/', '该地址不是 WebSocket 接口，通常以 /xiaozhi/v1/ 结尾');
    } else {
      hint = XZ_ERRORS.XZ_UPSTREAM_HTTP_ERROR[lang];
    }
    return { outcome: { status: 'fail', detail, hint, data } };
  }
  const d = diagnoseNetError(r.error, shown, lang);
  return { outcome: { status: 'fail', detail: d.detail, hint: d.hint, data: { url: shown, code: d.code, errno: d.errno } } };
}

/** The client hello in firmware shape (§3.1). */
export const CLIENT_HELLO = Object.freeze({
  type: 'hello', version: 1, transport: 'websocket', features: { mcp: true }, audio_params: { ...DEFAULT_UPLINK_AUDIO },
});

export interface HelloCheck {
  outcome: StageOutcome;
  hello?: ServerHello;
  /** Index in `probe.events` just after the server hello. */
  next: number;
}

/** Texts the server sent that were not hello (ES prints auth failures this way: §2.4, §2.6). */
function strayTexts(events: ProbeEvent[], token: string | undefined): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.kind === 'text') out.push(scrub(e.text.slice(0, 100), token));
    if (e.kind === 'message' && e.message.type === 'stt') out.push(scrub(e.message.text.slice(0, 100), token));
    if (e.kind === 'message' && e.message.type === 'error') out.push(scrub(e.message.message.slice(0, 100), token));
  }
  return out;
}

function closeHint(opts: DoctorOptions, lang: Lang): string {
  const id = opts.deviceId ?? '';
  if (PLACEHOLDER_DEVICE_IDS.has(id.toLowerCase()) || !isMacShaped(id)) return XZ_ERRORS.XZ_DIAG_PLACEHOLDER_DEVICE[lang];
  return sentences(lang, [
    opts.activated === false
      ? tr(lang, 'the profile says this device is not activated: activate it (run OTA and enter the 6-digit code)', '设备档案显示该设备未激活：请先激活（运行 OTA 并输入 6 位验证码）')
      : opts.otaUrl
        ? tr(lang, 'make sure this exact device id and client id were activated on this server', '请确认正是该设备 ID 与客户端 ID 在此服务器上完成了激活')
        : tr(lang, 'run the doctor with --ota-url to check activation; the token (even test-token) is probably not the problem', '请加上 --ota-url 运行诊断以检查激活；令牌（即使是 test-token）大概率不是问题所在'),
  ]);
}

/**
 * Stage 7: send hello, wait `timeoutMs` for the answer, then watch `settleMs` for an immediate close
 * (the official cloud's way of turning away unknown or unactivated devices).
 */
export async function checkHello(probe: WsProbe, opts: DoctorOptions, token: string | undefined, version: ProtocolVersion, waitSignal: AbortSignal, settleMs: number, lang: Lang): Promise<HelloCheck> {
  const t0 = performance.now();
  probe.send({ ...CLIENT_HELLO, version }); // hello version = Protocol-Version (§3.1)
  const got = await probe.waitFor(0, (e) => {
    if (e.kind === 'message' && e.message.type === 'hello') return e;
    if (e.kind === 'close' || e.kind === 'error') return e;
    return undefined;
  }, waitSignal);
  const stray = strayTexts(probe.events, token);
  const said = stray.length ? tr(lang, `the server said: "${stray.join(' / ')}"`, `服务器消息：“${stray.join(' / ')}”`) : undefined;
  if (!got) {
    const ms = Math.round(performance.now() - t0);
    return { next: 0, outcome: { status: 'fail', data: { code: 'XZ_HELLO_TIMEOUT', waitedMs: ms },
      detail: sentences(lang, [tr(lang, `hello sent, but the server did not answer within ${(ms / 1000).toFixed(1)} s`, `已发送 hello，但服务器在 ${(ms / 1000).toFixed(1)} 秒内未响应`), said]),
      hint: sentences(lang, [tr(lang, 'a server that drops the hello usually does not know this device (not activated or not bound)', '服务器丢弃 hello 通常是因为不认识该设备（未激活或未绑定）'), closeHint(opts, lang)]) } };
  }
  const e = got.value;
  if (e.kind === 'error') {
    const d = diagnoseNetError(e.error, 'WebSocket', lang);
    return { next: got.next, outcome: { status: 'fail', detail: d.detail, hint: d.hint, data: { code: d.code } } };
  }
  if (e.kind === 'close') {
    const noStatus = e.code === 1005;
    const authText = stray.some((s) => s.includes('认证失败'));
    return { next: got.next, outcome: { status: 'fail',
      data: { code: noStatus ? 'XZ_DIAG_HELLO_UNANSWERED' : undefined, closeCode: e.code, closeReason: scrub(e.reason, token) },
      detail: sentences(lang, [
        noStatus ? XZ_ERRORS.XZ_DIAG_HELLO_UNANSWERED[lang]
          : tr(lang, `the server closed before answering hello (code ${e.code}${e.reason ? `, "${scrub(e.reason, token)}"` : ''}): ${describeCloseCode(e.code, 'en')}`,
            `服务器在响应 hello 前关闭了连接（代码 ${e.code}${e.reason ? `，“${scrub(e.reason, token)}”` : ''}）：${describeCloseCode(e.code, 'zh')}`),
        said]),
      hint: authText
        ? tr(lang, 'the server rejected the token (认证失败): fetch a fresh one through OTA for this device id and client id', '服务器拒绝了令牌（认证失败）：请通过 OTA 为该设备 ID 与客户端 ID 重新获取令牌')
        : closeHint(opts, lang) } };
  }
  if (e.kind !== 'message' || e.message.type !== 'hello') throw new Error('unreachable');
  const hello = e.message;
  const helloMs = Math.round(e.at - t0);
  const data: Record<string, unknown> = { sessionId: hello.session_id, audioParams: hello.audio_params, version: hello.version, helloMs };
  if (hello.transport !== 'websocket') {
    return { next: got.next, outcome: { status: 'fail', data,
      detail: tr(lang, `the server hello says transport "${hello.transport}", not "websocket"; firmware ignores such a hello`, `服务器 hello 的 transport 为“${hello.transport}”而不是“websocket”，固件会忽略它`),
      hint: tr(lang, 'the server is misconfigured for WebSocket clients', '服务器对 WebSocket 客户端的配置有误') } };
  }
  // Settle: does the server hang up right after answering?
  const settle = new AbortController();
  const settleTimer = setTimeout(() => settle.abort(), settleMs);
  await probe.waitFor(got.next, (ev) => (ev.kind === 'close' ? ev : undefined), settle.signal);
  clearTimeout(settleTimer);
  if (probe.closed) {
    const c = probe.closed;
    const afterMs = Math.round(c.at - e.at);
    const stray2 = strayTexts(probe.events, token);
    const said2 = stray2.length ? tr(lang, `the server said: "${stray2.join(' / ')}"`, `服务器消息：“${stray2.join(' / ')}”`) : undefined;
    return { next: got.next, outcome: { status: 'fail',
      data: { ...data, closeCode: c.code, closeAfterMs: afterMs, code: c.code === 1005 ? 'XZ_DIAG_CLOSED_AFTER_HELLO' : undefined },
      detail: sentences(lang, [
        c.code === 1005
          ? tr(lang, `the server answered hello (session ${hello.session_id ?? '?'}) and closed without a status code ${afterMs} ms later`, `服务器响应了 hello（会话 ${hello.session_id ?? '?'}），${afterMs} 毫秒后无状态码关闭`)
          : tr(lang, `the server answered hello and closed ${afterMs} ms later with code ${c.code}: ${describeCloseCode(c.code, 'en')}`, `服务器响应了 hello，${afterMs} 毫秒后以代码 ${c.code} 关闭：${describeCloseCode(c.code, 'zh')}`),
        said2]),
      hint: sentences(lang, [c.code === 1005 ? XZ_ERRORS.XZ_DIAG_CLOSED_AFTER_HELLO[lang] : undefined, closeHint(opts, lang)]) } };
  }
  const ap = hello.audio_params;
  return { hello, next: got.next, outcome: { status: 'ok', data,
    detail: tr(lang,
      `answered in ${helloMs} ms: session ${hello.session_id ?? '(none)'}${ap ? `, downlink ${ap.format} ${ap.sample_rate} Hz ${ap.channels} ch ${ap.frame_duration} ms` : ', default audio (24000 Hz, 60 ms)'}`,
      `${helloMs} 毫秒内响应：会话 ${hello.session_id ?? '（无）'}${ap ? `，下行 ${ap.format} ${ap.sample_rate} Hz ${ap.channels} 声道 ${ap.frame_duration} 毫秒` : '，默认音频（24000 Hz，60 毫秒）'}`) } };
}
