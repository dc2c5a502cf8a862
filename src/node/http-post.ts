/**
 * A small JSON POST over node:http(s) with an extra CA, a size cap and an abort signal (fetch cannot take a
 * CA). Used by the doctor, and by OTA/activation when UPSTREAM_CA_FILE names a private CA.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

/** The system roots plus `ca`: Node's `ca` option replaces the roots, so an extra CA is appended. */
export function trustStore(ca: string | Buffer | undefined): string[] | undefined {
  return ca === undefined ? undefined : [...rootCertificates, String(ca)];
}

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

const MAX_BODY = 256 * 1024;

/** POST `body` as JSON; resolves with status and text (cut at 256 KiB), rejects on socket errors or abort. */
export function postJson(url: URL, headers: Record<string, string>, body: unknown, signal: AbortSignal, ca?: string | Buffer): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const secure = url.protocol === 'https:';
    const req = (secure ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: { ...headers, 'Content-Length': String(payload.length) },
      signal,
      ...(secure ? { ca: trustStore(ca) } : {}),
    });
    req.once('error', (err) => reject(signal.aborted ? signal.reason : err));
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_BODY) chunks.push(c);
        size += c.length;
      });
      res.once('error', (err) => reject(signal.aborted ? signal.reason : err));
      res.once('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8') });
      });
    });
    req.end(payload);
  });
}
