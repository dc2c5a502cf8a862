/**
 * Stages 4 and 5: the OTA check exactly as py-xiaozhi sends it (protocol §5.1), a validated reply (§5.2:
 * an `error` or `success:false` inside HTTP 200 is a failure), then activation state — `activation` in the
 * reply means "not activated". The doctor reports the code and where to enter it; it never polls (§5.3).
 */
import { XZ_ERRORS, type Lang } from '../protocol/errors.ts';
import { OTA_PLACEHOLDER_TOKEN } from '../protocol/identity-format.ts';
import { parseOtaReply, type OtaReply } from '../protocol/ota.ts';
import type { StageOutcome } from './check-config.ts';
import { postJson } from '../node/http-post.ts';
import { diagnoseNetError } from './net-errors.ts';
import { redactUrl, scrub, tokenHint } from './redact.ts';
import { sentences, tr } from './text.ts';
import type { DoctorOptions } from './types.ts';

const APP_VERSION = '2.1.1';
const BOARD_TYPE = 'bread-compact-wifi';

/** py-xiaozhi's OTA headers (§5.1 table). */
export function otaHeaders(opts: DoctorOptions): Record<string, string> {
  return {
    'Device-Id': opts.deviceId ?? '',
    'Client-Id': opts.clientId ?? '',
    'Activation-Version': APP_VERSION,
    'User-Agent': `${BOARD_TYPE}/xiaozhi-web-${APP_VERSION}`,
    'Accept-Language': 'zh-CN',
    'Content-Type': 'application/json',
  };
}

/** py-xiaozhi's OTA body; `elf_sha256` carries the HMAC key when the identity has one (§5.1). */
export function otaBody(opts: DoctorOptions): Record<string, unknown> {
  const application: Record<string, unknown> = { version: APP_VERSION };
  if (opts.identity?.hmacKey) application.elf_sha256 = opts.identity.hmacKey;
  return { application, board: { type: BOARD_TYPE, name: 'xiaozhi-web', ip: '127.0.0.1', mac: opts.deviceId ?? '' } };
}

export interface OtaCheck {
  outcome: StageOutcome;
  reply?: OtaReply;
}

/** Stage 4: POST the OTA URL and judge the reply. */
export async function checkOta(url: URL, opts: DoctorOptions, signal: AbortSignal, lang: Lang): Promise<OtaCheck> {
  const shown = redactUrl(url.toString());
  let res;
  try {
    res = await postJson(url, otaHeaders(opts), otaBody(opts), signal, opts.ca);
  } catch (err) {
    const d = diagnoseNetError(err, shown, lang);
    return { outcome: { status: 'fail', detail: d.detail, hint: d.hint, data: { url: shown, code: d.code, errno: d.errno } } };
  }
  const snippet = scrub(res.text.replace(/\s+/g, ' ').slice(0, 160), opts.token);
  const data: Record<string, unknown> = { url: shown, httpStatus: res.status };
  if (res.status !== 200) {
    return { outcome: { status: 'fail', data,
      detail: tr(lang, `the OTA server answered HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`, `OTA 服务器返回 HTTP ${res.status}${snippet ? `：${snippet}` : ''}`),
      hint: res.status === 404 || res.status === 405
        ? tr(lang, 'the OTA URL path is probably wrong; it usually ends in /xiaozhi/ota/', 'OTA 地址路径可能有误，通常以 /xiaozhi/ota/ 结尾')
        : tr(lang, 'check the OTA URL and the device id and client id it was given', '请检查 OTA 地址以及发送的设备 ID 和客户端 ID') } };
  }
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    return { outcome: { status: 'fail', data,
      detail: tr(lang, `the OTA reply is not JSON: ${snippet || '(empty)'}`, `OTA 回复不是 JSON：${snippet || '（空）'}`),
      hint: tr(lang, 'the URL probably points at a web page, not the OTA API (…/xiaozhi/ota/)', '该地址可能指向网页而不是 OTA 接口（…/xiaozhi/ota/）') } };
  }
  const parsed = parseOtaReply(json);
  if (!parsed.ok) {
    const inside200 = parsed.code === 'XZ_OTA_ERROR_BODY';
    return { outcome: { status: 'fail', data: { ...data, code: parsed.code },
      detail: inside200
        ? tr(lang, `the OTA server reported an error inside HTTP 200: ${scrub(parsed.detail, opts.token)}`, `OTA 服务器在 HTTP 200 中返回了错误：${scrub(parsed.detail, opts.token)}`)
        : tr(lang, `the OTA reply is malformed: ${parsed.detail}`, `OTA 回复格式错误：${parsed.detail}`),
      hint: inside200
        ? tr(lang, 'the server refused this device id / client id pair; use the identity registered with this server', '服务器拒绝了该设备 ID/客户端 ID 组合；请使用在该服务器注册过的身份')
        : tr(lang, 'the server is not a XiaoZhi OTA endpoint or is misconfigured', '该服务器不是小智 OTA 接口或配置有误') } };
  }
  const reply = parsed.reply;
  const lines: string[] = [];
  const warns: string[] = [];
  if (reply.websocket) {
    const tok = reply.websocket.token ?? '';
    data.wsUrl = redactUrl(reply.websocket.url);
    data.token = tokenHint(tok);
    lines.push(tr(lang, `OTA gives WebSocket ${redactUrl(reply.websocket.url)} with token ${tokenHint(tok)}`, `OTA 下发 WebSocket ${redactUrl(reply.websocket.url)}，令牌 ${tokenHint(tok)}`));
    if (tok === OTA_PLACEHOLDER_TOKEN) lines.push(tr(lang, 'test-token is the normal official value', 'test-token 是官方的常规值，属正常'));
  } else if (!opts.wsUrl) {
    warns.push(tr(lang, 'the OTA reply has no websocket section (MQTT only), and no WebSocket URL was given', 'OTA 回复中没有 websocket 部分（仅 MQTT），也没有提供 WebSocket 地址'));
  }
  if (reply.mqtt) lines.push(tr(lang, 'MQTT is offered too (not used here)', '同时提供了 MQTT（此处不使用）'));
  if (reply.firmware) data.firmware = reply.firmware.version;
  if (reply.server_time) {
    const skew = Math.round((Date.now() - reply.server_time.timestamp) / 1000);
    data.clockSkewS = skew;
    if (Math.abs(skew) > 300) warns.push(tr(lang, `this machine's clock differs from the server by ${skew} s`, `本机时钟与服务器相差 ${skew} 秒`));
  }
  return { reply, outcome: { status: warns.length ? 'warn' : 'ok', detail: sentences(lang, [...lines, ...warns]), data } };
}

/** Where the user enters the code: the first line of `activation.message` when it is not the code itself. */
export function activationPortal(message: string | undefined, code: string, otaUrl: URL): string {
  const first = (message ?? '').split('\n').map((s) => s.trim()).find((s) => s && s !== code && !/^\d+$/.test(s));
  if (first) return first;
  return otaUrl.hostname === 'api.tenclass.net' ? 'https://xiaozhi.me/' : `${otaUrl.protocol}//${otaUrl.host}/`;
}

/** Stage 5: judge the activation state from the OTA reply. */
export function checkActivation(reply: OtaReply, otaUrl: URL, opts: DoctorOptions, lang: Lang): StageOutcome {
  const act = reply.activation;
  if (act) {
    const portal = activationPortal(act.message, act.code, otaUrl);
    return {
      status: 'fail',
      detail: tr(lang, `this device is not activated yet; its activation code is ${act.code}`, `该设备尚未激活；激活码为 ${act.code}`),
      hint: tr(lang, `enter the code ${act.code} at ${portal} (add a device in your agent's console), then run the doctor again — it does not wait for activation`,
        `请在 ${portal} 输入激活码 ${act.code}（在智能体控制台中添加设备），然后重新运行诊断——诊断不会等待激活`),
      data: { code: act.code, portal, timeoutMs: act.timeout_ms, reason: XZ_ERRORS.XZ_PROFILE_NOT_ACTIVATED[lang] },
    };
  }
  const note = opts.activated === false
    ? tr(lang, 'the profile still says "not activated": update it', '设备档案仍标记为“未激活”，请更新')
    : undefined;
  return {
    status: note ? 'warn' : 'ok',
    detail: sentences(lang, [tr(lang, 'the device is activated (the OTA reply has no activation section)', '设备已激活（OTA 回复中没有 activation 部分）'), note]),
    data: { activated: true },
  };
}
