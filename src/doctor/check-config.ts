/**
 * Stage 1, pure: are the URLs, identity values and token usable at all? Catches the known confusions
 * before any socket opens: placeholder device ids (protocol §9 item 9), non-MAC ids (manager-api pattern,
 * §5.2), http:// used as a WebSocket URL, and header-unsafe values (reliability §2.13).
 */
import { XZ_ERRORS, type Lang } from '../protocol/errors.ts';
import {
  isCanonicalMac,
  isMacShaped,
  isSafeHeaderValue,
  isUuid,
  OTA_PLACEHOLDER_TOKEN,
  PLACEHOLDER_DEVICE_IDS,
} from '../protocol/identity-format.ts';
import { redactUrl, tokenHint } from './redact.ts';
import { sentences, tr } from './text.ts';
import type { DoctorOptions, StageResult } from './types.ts';

/** The official cloud's hosts (protocol §2.1). */
export function isOfficialHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'tenclass.net' || h.endsWith('.tenclass.net') || h === 'xiaozhi.me' || h.endsWith('.xiaozhi.me');
}

export type StageOutcome = Omit<StageResult, 'id' | 'ms'>;

export interface ConfigPlan {
  otaUrl?: URL;
  wsUrl?: URL;
}

export interface ConfigCheck {
  outcome: StageOutcome;
  plan: ConfigPlan;
}

/** Check the options; `plan` holds the parsed URLs for the later stages. */
export function checkConfig(opts: DoctorOptions, lang: Lang): ConfigCheck {
  const fails: string[] = [];
  const hints: string[] = [];
  const warns: string[] = [];
  const notes: string[] = [];
  const plan: ConfigPlan = {};

  const parse = (raw: string, kind: 'ota' | 'ws'): URL | undefined => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      fails.push(tr(lang, `the ${kind === 'ota' ? 'OTA' : 'WebSocket'} URL "${redactUrl(raw)}" does not parse`,
        `${kind === 'ota' ? 'OTA' : 'WebSocket'} 地址“${redactUrl(raw)}”无法解析`));
      hints.push(tr(lang, 'write a full URL such as wss://api.tenclass.net/xiaozhi/v1/', '请填写完整地址，例如 wss://api.tenclass.net/xiaozhi/v1/'));
      return undefined;
    }
    const want = kind === 'ota' ? ['http:', 'https:'] : ['ws:', 'wss:'];
    if (!want.includes(u.protocol)) {
      fails.push(tr(lang, `the ${kind === 'ota' ? 'OTA' : 'WebSocket'} URL must start with ${want.map((p) => p + '//').join(' or ')} (got ${u.protocol}//)`,
        `${kind === 'ota' ? 'OTA' : 'WebSocket'} 地址必须以 ${want.map((p) => p + '//').join(' 或 ')} 开头（实际为 ${u.protocol}//）`));
      if (kind === 'ws' && (u.protocol === 'http:' || u.protocol === 'https:')) {
        hints.push(tr(lang, `use ${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}${u.pathname}`, `请改用 ${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}${u.pathname}`));
      }
      return undefined;
    }
    return u;
  };

  if (opts.otaUrl) plan.otaUrl = parse(opts.otaUrl, 'ota');
  if (opts.wsUrl) plan.wsUrl = parse(opts.wsUrl, 'ws');
  if (!opts.otaUrl && !opts.wsUrl) {
    fails.push(tr(lang, 'neither a WebSocket URL nor an OTA URL was given', '既没有 WebSocket 地址也没有 OTA 地址'));
    hints.push(tr(lang, 'give --ota-url (recommended, e.g. https://api.tenclass.net/xiaozhi/ota/) or --url', '请提供 --ota-url（推荐，例如 https://api.tenclass.net/xiaozhi/ota/）或 --url'));
  }
  if (!opts.otaUrl) notes.push(tr(lang, 'no OTA URL: OTA and activation are not checked', '未提供 OTA 地址：不检查 OTA 与激活'));

  // Device-Id: the cloud keys sessions on a registered MAC (§2.5) and every OTA server wants a MAC (§5.1).
  // Only a bare WebSocket check against a self-hosted server (ES accepts any id, §2.4) is let through with a warning.
  const deviceId = opts.deviceId ?? '';
  const strictId = !!opts.otaUrl || !plan.wsUrl || isOfficialHost(plan.wsUrl.hostname);
  const idProblem = (failText: string, hint: string) => {
    if (strictId) {
      fails.push(failText);
      hints.push(hint);
    } else {
      warns.push(tr(lang, `${failText}: a self-hosted server may accept it, the official cloud will not`, `${failText}：自建服务器可能接受，官方云端不会接受`));
    }
  };
  if (!deviceId) {
    fails.push(tr(lang, 'no device id', '缺少设备 ID'));
    hints.push(tr(lang, 'use a device profile or pass --device-id with the MAC the server knows', '请使用设备档案，或通过 --device-id 提供服务器已知的 MAC'));
  } else if (PLACEHOLDER_DEVICE_IDS.has(deviceId.toLowerCase())) {
    idProblem(tr(lang, `device id "${deviceId}" is a placeholder`, `设备 ID“${deviceId}”是占位值`), XZ_ERRORS.XZ_DIAG_PLACEHOLDER_DEVICE[lang]);
  } else if (!isSafeHeaderValue(deviceId)) {
    fails.push(tr(lang, 'the device id contains characters a header cannot carry', '设备 ID 含有无法放入请求头的字符'));
    hints.push(XZ_ERRORS.XZ_BAD_PARAMETER[lang]);
  } else if (!isMacShaped(deviceId)) {
    idProblem(tr(lang, `device id "${deviceId}" is not MAC-shaped`, `设备 ID“${deviceId}”不是 MAC 地址格式`),
      tr(lang, 'a device id is a MAC like a0:85:e3:f4:49:34; create a profile to get a valid one', '设备 ID 应为形如 a0:85:e3:f4:49:34 的 MAC；创建设备档案即可获得有效 ID'));
  } else if (!isCanonicalMac(deviceId)) {
    warns.push(tr(lang, `device id "${deviceId}" is not in the firmware form (lowercase, colons); use exactly the form used at OTA time`,
      `设备 ID“${deviceId}”不是固件格式（小写、冒号分隔）；请与 OTA 时使用的形式保持一致`));
  }

  const clientId = opts.clientId ?? '';
  if (!clientId) {
    fails.push(tr(lang, 'no client id', '缺少客户端 ID'));
    hints.push(tr(lang, 'pass --client-id (the UUID used at OTA time) or use a device profile', '请通过 --client-id 提供 OTA 时使用的 UUID，或使用设备档案'));
  } else if (!isSafeHeaderValue(clientId)) {
    fails.push(tr(lang, 'the client id contains characters a header cannot carry', '客户端 ID 含有无法放入请求头的字符'));
    hints.push(XZ_ERRORS.XZ_BAD_PARAMETER[lang]);
  } else if (!isUuid(clientId)) {
    warns.push(tr(lang, `client id "${clientId}" is not a UUID (firmware and py-xiaozhi always use one)`, `客户端 ID“${clientId}”不是 UUID（固件和 py-xiaozhi 都使用 UUID）`));
  }

  const token = opts.token;
  if (token !== undefined && token !== '' && !isSafeHeaderValue(token, 4096)) {
    fails.push(tr(lang, 'the token contains characters a header cannot carry', '令牌含有无法放入请求头的字符'));
    hints.push(tr(lang, 'copy the token again without line breaks or spaces around it', '请重新复制令牌，不要带换行或首尾空格'));
  } else if (token === OTA_PLACEHOLDER_TOKEN) {
    notes.push(tr(lang, 'token test…ken is the usual official value and is normal', '令牌 test…ken 是官方的常规值，属正常'));
  } else if (!token && !opts.otaUrl) {
    warns.push(tr(lang, 'no token: the Authorization header is left out (fine only for a server with auth disabled)', '没有令牌：将不发送 Authorization 头（仅适用于关闭认证的服务器）'));
  }

  if (opts.ca !== undefined && !String(opts.ca).includes('-----BEGIN CERTIFICATE-----')) {
    fails.push(tr(lang, 'the extra CA is not a PEM certificate', '附加 CA 不是 PEM 格式证书'));
    hints.push(tr(lang, 'pass the server\'s CA certificate file in PEM form', '请提供服务器 CA 证书的 PEM 文件'));
  }
  if (opts.activated === false) notes.push(tr(lang, 'the profile says this device is not activated yet', '设备档案显示该设备尚未激活'));

  const data: Record<string, unknown> = {
    otaUrl: opts.otaUrl ? redactUrl(opts.otaUrl) : undefined,
    wsUrl: opts.wsUrl ? redactUrl(opts.wsUrl) : undefined,
    deviceId: deviceId || undefined,
    clientId: clientId || undefined,
    token: tokenHint(token),
  };
  if (fails.length > 0) {
    return { plan, outcome: { status: 'fail', detail: sentences(lang, fails), hint: sentences(lang, hints), data } };
  }
  const tok = !token && opts.otaUrl ? tr(lang, '(from OTA)', '（由 OTA 下发）') : tokenHint(token);
  const okLine = tr(lang, `device ${deviceId}, client ${clientId}, token ${tok}`, `设备 ${deviceId}，客户端 ${clientId}，令牌 ${tok}`);
  return {
    plan,
    outcome: {
      status: warns.length > 0 ? 'warn' : 'ok',
      detail: sentences(lang, [okLine, ...warns, ...notes]),
      data,
    },
  };
}
