/**
 * Who is asking: the socket's peer address, or — only when that peer is a configured proxy
 * (TRUST_PROXY) — the right-most untrusted address of X-Forwarded-For (reliability §2.11: the ws README
 * example believes the header from anyone, which lets every client pick its own rate-limit key).
 */
import type { IncomingMessage } from 'node:http';

export function clientIp(req: IncomingMessage, trustProxy: readonly string[]): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustProxy.length === 0 || !trustProxy.includes(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const list = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = list.length - 1; i >= 0; i--) {
    if (!trustProxy.includes(list[i]!)) return list[i]!;
  }
  return list[0] ?? peer;
}

/** `https` when this hop is TLS, or when a trusted proxy says so with X-Forwarded-Proto. */
export function requestProto(req: IncomingMessage, trustProxy: readonly string[]): 'http' | 'https' {
  const peer = req.socket.remoteAddress ?? '';
  if (trustProxy.includes(peer)) {
    const xf = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim().toLowerCase();
    if (xf === 'https' || xf === 'http') return xf;
  }
  return (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
}
