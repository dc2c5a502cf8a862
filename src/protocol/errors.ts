/**
 * The failure catalogue shared by gateway, doctor, CLI and web app (aesthetics §7.4): a stable code,
 * the close code or HTTP status it travels as, and one plain sentence per language saying what is
 * wrong and what to do. Gateway-specific close codes are 4000–4099 and documented in docs/close-codes.md.
 */

export type Lang = 'en' | 'zh';

export interface ErrorInfo {
  /** Close code the browser sees (before the upstream opens these are 4xxx; 1xxx for standard cases). */
  closeCode?: number;
  /** HTTP status when the failure is answered before any upgrade. */
  httpStatus?: number;
  /** True when retrying the same thing cannot help until the user changes something (no reconnect loop). */
  permanent: boolean;
  en: string;
  zh: string;
}

const E = (x: ErrorInfo): ErrorInfo => Object.freeze(x);

export const XZ_ERRORS = Object.freeze({
  // ── request problems (before any upstream dial) ──
  XZ_MISSING_CREDENTIALS: E({ closeCode: 4000, httpStatus: 400, permanent: true,
    en: 'No device credentials: connect with a profile ticket, or with token, device_id and client_id.',
    zh: '缺少设备凭据：请使用设备档案票据连接，或提供 token、device_id 和 client_id。' }),
  XZ_BAD_PARAMETER: E({ closeCode: 4001, httpStatus: 400, permanent: true,
    en: 'A connection parameter is malformed (control characters, wrong shape or too long).',
    zh: '连接参数格式错误（包含控制字符、格式不对或过长）。' }),
  XZ_TICKET_INVALID: E({ closeCode: 4002, httpStatus: 401, permanent: true,
    en: 'The connection ticket is unknown, expired or already used; request a new one.',
    zh: '连接票据无效、已过期或已被使用，请重新获取。' }),
  XZ_PROFILE_NOT_FOUND: E({ closeCode: 4003, httpStatus: 404, permanent: true,
    en: 'No device profile with that name exists on the gateway.',
    zh: '网关上不存在该名称的设备档案。' }),
  XZ_PROFILE_NOT_ACTIVATED: E({ closeCode: 4004, httpStatus: 409, permanent: true,
    en: 'This device has not been activated yet: run activation and enter the 6-digit code.',
    zh: '该设备尚未激活：请运行激活流程并输入 6 位验证码。' }),
  XZ_ACCESS_KEY_REQUIRED: E({ httpStatus: 401, permanent: true,
    en: 'This gateway requires an access key.',
    zh: '该网关需要访问密钥。' }),
  XZ_ORIGIN_FORBIDDEN: E({ httpStatus: 403, permanent: true,
    en: 'This page\'s origin is not allowed to use the gateway (ALLOWED_ORIGINS).',
    zh: '当前页面的来源不在网关允许列表中（ALLOWED_ORIGINS）。' }),
  XZ_RATE_LIMITED: E({ httpStatus: 429, permanent: false,
    en: 'Too many connections or requests from this address; wait a moment.',
    zh: '来自该地址的连接或请求过多，请稍后再试。' }),
  XZ_CAPACITY: E({ httpStatus: 503, permanent: false,
    en: 'The gateway is at its session limit; try again later.',
    zh: '网关会话数已满，请稍后再试。' }),
  // ── upstream dial failures (distinct so the page and doctor can name the stage) ──
  XZ_UPSTREAM_AUTH_REJECTED: E({ closeCode: 4010, permanent: true,
    en: 'The XiaoZhi server refused the handshake (HTTP 401/403): the device is unknown or not activated, or the token is wrong.',
    zh: '小智服务器拒绝了握手（HTTP 401/403）：设备未知或未激活，或令牌错误。' }),
  XZ_UPSTREAM_HTTP_ERROR: E({ closeCode: 4011, permanent: false,
    en: 'The XiaoZhi server answered the handshake with an HTTP error instead of upgrading (wrong URL or server trouble).',
    zh: '小智服务器以 HTTP 错误响应握手而非升级（地址错误或服务器故障）。' }),
  XZ_UPSTREAM_DNS: E({ closeCode: 4020, permanent: true,
    en: 'The XiaoZhi server\'s host name could not be resolved (check BACKEND_WS_URL and DNS).',
    zh: '无法解析小智服务器的主机名（请检查 BACKEND_WS_URL 和 DNS）。' }),
  XZ_UPSTREAM_REFUSED: E({ closeCode: 4021, permanent: false,
    en: 'The XiaoZhi server refused the TCP connection (nothing listens on that port).',
    zh: '小智服务器拒绝了 TCP 连接（该端口没有服务在监听）。' }),
  XZ_UPSTREAM_TLS: E({ closeCode: 4022, permanent: true,
    en: 'The XiaoZhi server\'s TLS certificate was not trusted; for a self-hosted server set UPSTREAM_CA_FILE.',
    zh: '小智服务器的 TLS 证书不受信任；自建服务器请设置 UPSTREAM_CA_FILE。' }),
  XZ_UPSTREAM_TIMEOUT: E({ closeCode: 4023, permanent: false,
    en: 'The XiaoZhi server did not complete the WebSocket handshake within 10 s.',
    zh: '小智服务器未在 10 秒内完成 WebSocket 握手。' }),
  XZ_UPSTREAM_UNREACHABLE: E({ closeCode: 4024, permanent: false,
    en: 'The connection to the XiaoZhi server failed (network reset or host unreachable).',
    zh: '连接小智服务器失败（网络被重置或主机不可达）。' }),
  XZ_UPSTREAM_PROTOCOL: E({ closeCode: 1011, permanent: false,
    en: 'The XiaoZhi server broke the WebSocket protocol or sent a message larger than 1 MiB.',
    zh: '小智服务器违反了 WebSocket 协议，或发送了超过 1 MiB 的消息。' }),
  XZ_HELLO_TIMEOUT: E({ closeCode: 4030, permanent: false,
    en: 'The XiaoZhi server did not answer the hello within 10 s.',
    zh: '小智服务器未在 10 秒内响应 hello。' }),
  // ── relay-time conditions ──
  XZ_FRAME_TOO_LARGE: E({ closeCode: 1009, permanent: false,
    en: 'A message was larger than the gateway allows (64 KiB).',
    zh: '消息超过网关允许的大小（64 KiB）。' }),
  XZ_OVERLOADED: E({ closeCode: 1013, permanent: false,
    en: 'The connection fell too far behind (buffers full); reconnect.',
    zh: '连接积压过多（缓冲区已满），请重新连接。' }),
  XZ_SHUTTING_DOWN: E({ closeCode: 1012, permanent: false,
    en: 'The gateway is restarting; reconnect in a moment.',
    zh: '网关正在重启，请稍后重新连接。' }),
  XZ_KEEPALIVE_TIMEOUT: E({ closeCode: 1011, permanent: false,
    en: 'A connection leg stopped answering pings and was closed.',
    zh: '连接的一端不再响应心跳，已被关闭。' }),
  XZ_INTERNAL: E({ closeCode: 1011, permanent: false,
    en: 'The gateway hit an internal error.',
    zh: '网关内部错误。' }),
  // ── diagnoses of an upstream close without status (1005): never "authentication failed" by default ──
  XZ_DIAG_NOT_ACTIVATED: E({ permanent: true,
    en: 'The server ended the session right after hello; this device has not been through OTA and activation, which the official cloud requires.',
    zh: '服务器在 hello 后立即结束会话；该设备未完成 OTA 与激活，而官方云端要求激活。' }),
  XZ_DIAG_PLACEHOLDER_DEVICE: E({ permanent: true,
    en: 'The device id is a placeholder (like web-test-device) that the cloud cannot know; use a real, activated device profile.',
    zh: '设备 ID 是占位值（如 web-test-device），云端无法识别；请使用已激活的真实设备档案。' }),
  XZ_DIAG_HELLO_NOT_SENT: E({ permanent: false,
    en: 'The server closed the session before the client sent its hello.',
    zh: '客户端发送 hello 之前服务器就关闭了会话。' }),
  XZ_DIAG_HELLO_UNANSWERED: E({ permanent: false,
    en: 'The client sent hello but the server closed without answering it; the device is probably not activated or not known to this server.',
    zh: '客户端已发送 hello，但服务器未响应就关闭了；设备可能未激活或不被该服务器识别。' }),
  XZ_DIAG_CLOSED_AFTER_HELLO: E({ permanent: false,
    en: 'The server answered hello and then closed without a status code; on the official cloud this usually means the device is not activated (the test-token itself is normal).',
    zh: '服务器响应了 hello 随后无状态码关闭；在官方云端这通常表示设备未激活（test-token 本身是正常的）。' }),
  XZ_DIAG_CLOSED_ACTIVATED: E({ permanent: false,
    en: 'The server answered hello and closed without a status code although this device is activated; check that it was activated on this server (same OTA URL and device id).',
    zh: '设备已激活，但服务器响应 hello 后无状态码关闭；请确认设备是在该服务器上激活的（相同的 OTA 地址与设备 ID）。' }),
  XZ_DIAG_SESSION_ENDED: E({ permanent: false,
    en: 'The server ended the session normally (idle time-out or end of conversation).',
    zh: '服务器正常结束了会话（空闲超时或对话结束）。' }),
});

export type XzErrorCode = keyof typeof XZ_ERRORS;

/** Plain-words explanation of `code` in `lang`. */
export function explainError(code: XzErrorCode, lang: Lang = 'en'): string {
  return XZ_ERRORS[code][lang];
}

/** The catalogue entry whose close code is `closeCode` (gateway 4xxx codes are unique). */
export function errorForCloseCode(closeCode: number): XzErrorCode | undefined {
  for (const [code, info] of Object.entries(XZ_ERRORS) as [XzErrorCode, ErrorInfo][]) {
    if (info.closeCode === closeCode && closeCode >= 4000) return code;
  }
  return undefined;
}

const STANDARD_CLOSE: Record<number, { en: string; zh: string }> = {
  1000: { en: 'Closed normally.', zh: '正常关闭。' },
  1001: { en: 'The other side went away.', zh: '对端已离开。' },
  1002: { en: 'Protocol error.', zh: '协议错误。' },
  1003: { en: 'Unsupported data.', zh: '不支持的数据。' },
  1005: { en: 'Closed without a status code; this is not an authentication error by itself (usually a device that is not activated, a lost hello, or a normal session end).', zh: '无状态码关闭；这本身并不表示认证失败（通常是设备未激活、hello 丢失或会话正常结束）。' },
  1006: { en: 'The connection dropped without a close frame (network or server crash).', zh: '连接在没有关闭帧的情况下断开（网络或服务器故障）。' },
  1007: { en: 'Invalid UTF-8 in a text message.', zh: '文本消息包含无效的 UTF-8。' },
  1008: { en: 'Policy violation.', zh: '违反策略。' },
  1009: { en: 'Message too large.', zh: '消息过大。' },
  1011: { en: 'Server error.', zh: '服务器错误。' },
  1012: { en: 'Service restarting.', zh: '服务正在重启。' },
  1013: { en: 'Try again later (overloaded).', zh: '请稍后重试（过载）。' },
  1014: { en: 'Bad gateway: the XiaoZhi server connection failed.', zh: '网关错误：与小智服务器的连接失败。' },
  1015: { en: 'TLS handshake failure.', zh: 'TLS 握手失败。' },
};

/** Plain words for any close code a browser may report: catalogue codes first, then RFC 6455 meanings. */
export function describeCloseCode(closeCode: number, lang: Lang = 'en'): string {
  const code = errorForCloseCode(closeCode);
  if (code) return explainError(code, lang);
  const std = STANDARD_CLOSE[closeCode];
  if (std) return std[lang];
  return lang === 'zh' ? `关闭代码 ${closeCode}。` : `Close code ${closeCode}.`;
}

/** True when a reconnect loop cannot fix `closeCode` (auth, activation, configuration problems). */
export function isPermanentCloseCode(closeCode: number): boolean {
  const code = errorForCloseCode(closeCode);
  return code !== undefined && XZ_ERRORS[code].permanent;
}
