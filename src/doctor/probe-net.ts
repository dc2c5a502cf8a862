/**
 * Stages 2 and 3: resolve each host the run will talk to, then open TCP (and TLS for https/wss) to it
 * with verification on. Every socket is destroyed before the stage returns.
 */
import { lookup } from 'node:dns/promises';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Lang } from '../protocol/errors.ts';
import type { StageOutcome } from './check-config.ts';
import { diagnoseNetError } from './net-errors.ts';
import { sentences, tr } from './text.ts';
import { trustStore } from '../node/http-post.ts';
import { raceSignal } from './timing.ts';

export interface NetTarget {
  /** Which URL needs it. */
  role: 'ota' | 'ws';
  host: string;
  port: number;
  tls: boolean;
}

/** Distinct host:port targets of the given URLs (OTA first). */
export function targetsOf(urls: { ota?: URL; ws?: URL }): NetTarget[] {
  const out: NetTarget[] = [];
  for (const [role, u] of [['ota', urls.ota], ['ws', urls.ws]] as const) {
    if (!u) continue;
    const tls = u.protocol === 'https:' || u.protocol === 'wss:';
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const port = u.port ? Number(u.port) : tls ? 443 : 80;
    if (!out.some((t) => t.host === host && t.port === port && t.tls === tls)) out.push({ role, host, port, tls });
  }
  return out;
}

const label = (t: NetTarget) => (t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`);

/** Stage 2: DNS. IP literals need no lookup. */
export async function probeDns(targets: NetTarget[], signal: AbortSignal, lang: Lang): Promise<StageOutcome> {
  const lines: string[] = [];
  const data: Record<string, unknown> = {};
  for (const host of [...new Set(targets.map((t) => t.host))]) {
    if (isIP(host)) {
      lines.push(tr(lang, `${host} is an IP address (no lookup needed)`, `${host} 是 IP 地址（无需解析）`));
      data[host] = [host];
      continue;
    }
    try {
      const addrs = await raceSignal(lookup(host, { all: true }), signal);
      data[host] = addrs.map((a) => a.address);
      lines.push(`${host} → ${addrs.map((a) => a.address).slice(0, 3).join(', ')}`);
    } catch (err) {
      const d = diagnoseNetError(err, host, lang);
      return { status: 'fail', detail: d.detail, hint: d.hint, data: { ...data, host, code: d.code, errno: d.errno } };
    }
  }
  return { status: 'ok', detail: sentences(lang, lines), data };
}

interface ConnectInfo {
  protocol?: string | null;
  subject?: string;
  issuer?: string;
  validTo?: string;
  daysLeft?: number;
}

function connectOnce(t: NetTarget, signal: AbortSignal, ca: string | Buffer | undefined): Promise<ConnectInfo> {
  return new Promise((resolve, reject) => {
    let sock: Socket | TLSSocket;
    const done = (err: unknown, info?: ConnectInfo) => {
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      if (err) reject(err);
      else resolve(info ?? {});
    };
    const onAbort = () => done(signal.reason);
    if (t.tls) {
      const s = tlsConnect({
        host: t.host,
        port: t.port,
        servername: isIP(t.host) ? undefined : t.host,
        ca: trustStore(ca),
        ALPNProtocols: ['http/1.1'],
      });
      sock = s;
      s.once('secureConnect', () => {
        const cert = s.getPeerCertificate();
        const validTo = cert?.valid_to;
        const daysLeft = validTo ? Math.floor((Date.parse(validTo) - Date.now()) / 86_400_000) : undefined;
        done(undefined, { protocol: s.getProtocol(), subject: cert?.subject?.CN, issuer: cert?.issuer?.CN ?? cert?.issuer?.O, validTo, daysLeft });
      });
    } else {
      sock = netConnect({ host: t.host, port: t.port });
      sock.once('connect', () => done(undefined));
    }
    sock.once('error', (err) => done(err));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Stage 3: TCP connect, plus a verified TLS handshake for secure URLs. */
export async function probeTcpTls(targets: NetTarget[], signal: AbortSignal, lang: Lang, ca?: string | Buffer): Promise<StageOutcome> {
  const lines: string[] = [];
  const warns: string[] = [];
  const data: Record<string, unknown> = {};
  for (const t of targets) {
    try {
      const info = await connectOnce(t, signal, ca);
      data[label(t)] = { role: t.role, tls: t.tls, ...info };
      if (!t.tls) {
        lines.push(tr(lang, `${label(t)} TCP connected (no TLS)`, `${label(t)} TCP 已连接（无 TLS）`));
        continue;
      }
      lines.push(tr(lang, `${label(t)} ${info.protocol ?? 'TLS'} verified, certificate for ${info.subject ?? '?'} valid until ${info.validTo ?? '?'}`,
        `${label(t)} ${info.protocol ?? 'TLS'} 校验通过，证书 ${info.subject ?? '?'} 有效期至 ${info.validTo ?? '?'}`));
      if (info.daysLeft !== undefined && info.daysLeft < 7) {
        warns.push(tr(lang, `the certificate of ${t.host} expires in ${info.daysLeft} day(s)`, `${t.host} 的证书将在 ${info.daysLeft} 天后过期`));
      }
    } catch (err) {
      const d = diagnoseNetError(err, label(t), lang);
      return { status: 'fail', detail: d.detail, hint: d.hint, data: { ...data, target: label(t), role: t.role, code: d.code, errno: d.errno } };
    }
  }
  return { status: warns.length ? 'warn' : 'ok', detail: sentences(lang, [...lines, ...warns]), data };
}
