/**
 * Plain words for socket-level failures (DNS, TCP, TLS) from Node error codes. Certificate problems are
 * named precisely — self-signed, expired, wrong host name, missing chain — because "TLS failed" alone
 * sends users to the wrong fix.
 */
import { XZ_ERRORS, type Lang, type XzErrorCode } from '../protocol/errors.ts';
import { tr } from './text.ts';

export interface NetDiagnosis {
  /** Catalogue code the failure maps to. */
  code: XzErrorCode;
  /** What happened, in `lang`. */
  detail: string;
  /** What to do, in `lang`. */
  hint: string;
  /** The raw Node error code, when there is one. */
  errno?: string;
}

const TLS_CODES: Record<string, { en: string; zh: string }> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: { en: 'the server certificate is self-signed', zh: '服务器证书是自签名证书' },
  SELF_SIGNED_CERT_IN_CHAIN: { en: 'the certificate chain ends in a self-signed root that is not trusted', zh: '证书链的根证书是不受信任的自签名证书' },
  CERT_HAS_EXPIRED: { en: 'the server certificate has expired', zh: '服务器证书已过期' },
  CERT_NOT_YET_VALID: { en: 'the server certificate is not valid yet (check the clock)', zh: '服务器证书尚未生效（请检查系统时间）' },
  ERR_TLS_CERT_ALTNAME_INVALID: { en: 'the certificate does not name this host (hostname mismatch)', zh: '证书中的主机名与所连接的主机不符' },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { en: 'the certificate chain is incomplete (the server does not send its intermediate certificate)', zh: '证书链不完整（服务器未发送中间证书）' },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { en: 'the certificate was issued by a CA this machine does not trust', zh: '证书由本机不信任的 CA 签发' },
  UNABLE_TO_GET_ISSUER_CERT: { en: 'the certificate issuer could not be found', zh: '找不到证书的签发者' },
  CERT_REVOKED: { en: 'the server certificate was revoked', zh: '服务器证书已被吊销' },
  CERT_UNTRUSTED: { en: 'the server certificate is not trusted', zh: '服务器证书不受信任' },
  ERR_SSL_WRONG_VERSION_NUMBER: { en: 'the server did not answer with TLS (is it plain ws:// / http:// on that port?)', zh: '服务器未使用 TLS 应答（该端口是否是明文 ws:// / http://？）' },
};

/** Extract a Node error code from an error or its cause. */
export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 3 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when `err` is a certificate/TLS failure. */
export function isTlsError(err: unknown): boolean {
  const code = errorCode(err) ?? '';
  return code in TLS_CODES || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /CERT/.test(code);
}

/** Diagnose a socket error seen while talking to `host` (a `host:port` string, for the message). */
export function diagnoseNetError(err: unknown, host: string, lang: Lang): NetDiagnosis {
  const errno = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const tls = errno ? TLS_CODES[errno] : undefined;
  if (tls || isTlsError(err)) {
    const what = tls ? tls[lang] : tr(lang, `TLS failed: ${message}`, `TLS 失败：${message}`);
    const hint = errno === 'ERR_TLS_CERT_ALTNAME_INVALID'
      ? tr(lang, 'connect with the host name the certificate was issued for, or reissue the certificate for this name', '请使用证书签发时的主机名连接，或为该主机名重新签发证书')
      : errno === 'CERT_HAS_EXPIRED' || errno === 'CERT_NOT_YET_VALID'
        ? tr(lang, 'renew the server certificate (or fix this machine\'s clock)', '请更新服务器证书（或校正本机时间）')
        : errno === 'ERR_SSL_WRONG_VERSION_NUMBER'
          ? tr(lang, 'use ws:// or http:// for a server without TLS', '没有 TLS 的服务器请使用 ws:// 或 http://')
          : tr(lang, 'for a self-hosted server pass its CA certificate (--ca / UPSTREAM_CA_FILE); verification stays on', '自建服务器请提供其 CA 证书（--ca / UPSTREAM_CA_FILE）；证书校验始终开启');
    return { code: 'XZ_UPSTREAM_TLS', detail: `${host}: ${what}${errno ? ` (${errno})` : ''}`, hint, errno };
  }
  switch (errno) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return { code: 'XZ_UPSTREAM_DNS', errno, detail: tr(lang, `${host}: the host name could not be resolved (${errno})`, `${host}：无法解析主机名（${errno}）`),
        hint: tr(lang, 'check the spelling of the host in the URL and this machine\'s DNS', '请检查地址中的主机名拼写和本机 DNS 设置') };
    case 'ECONNREFUSED':
      return { code: 'XZ_UPSTREAM_REFUSED', errno, detail: tr(lang, `${host}: connection refused — nothing listens on that port (ECONNREFUSED)`, `${host}：连接被拒绝，该端口没有服务在监听（ECONNREFUSED）`),
        hint: tr(lang, 'start the server or fix the port in the URL', '请启动服务器或修正地址中的端口') };
    case 'ETIMEDOUT':
    case 'XZ_TIMEOUT':
      return { code: 'XZ_UPSTREAM_TIMEOUT', errno, detail: tr(lang, `${host}: no answer in time`, `${host}：未在规定时间内应答`),
        hint: tr(lang, 'check firewalls and that the host and port are right', '请检查防火墙以及主机和端口是否正确') };
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EPIPE':
      return { code: 'XZ_UPSTREAM_UNREACHABLE', errno, detail: tr(lang, `${host}: ${XZ_ERRORS.XZ_UPSTREAM_UNREACHABLE.en} (${errno})`, `${host}：${XZ_ERRORS.XZ_UPSTREAM_UNREACHABLE.zh}（${errno}）`),
        hint: tr(lang, 'check the network path (proxy, firewall, VPN) to the server', '请检查到服务器的网络路径（代理、防火墙、VPN）') };
    default:
      return { code: 'XZ_UPSTREAM_UNREACHABLE', errno, detail: `${host}: ${message}${errno ? ` (${errno})` : ''}`,
        hint: tr(lang, 'check the URL and the network path to the server', '请检查地址以及到服务器的网络路径') };
  }
}
