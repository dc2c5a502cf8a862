/**
 * One POST to the OTA server for the relay (reliability §2.17): node:http(s) so UPSTREAM_CA_FILE can be
 * trusted in addition to the system CAs (verification stays on), 10 s deadline, reply capped at 256 KiB,
 * no redirects followed (a redirect could point anywhere). Bodies are never logged.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { trustStore } from '../../node/http-post.ts';

export interface UpstreamReply {
  status: number;
  text: string;
}

export class OtaUpstreamError extends Error {
  constructor(readonly code: 'XZ_OTA_TIMEOUT' | 'XZ_OTA_NETWORK' | 'XZ_OTA_TOO_LARGE', message: string) {
    super(message);
  }
}

const MAX_REPLY_BYTES = 256 * 1024;

export function postUpstream(
  url: string,
  headers: Record<string, string>,
  body: string,
  opts: { timeoutMs: number; ca?: string | null },
): Promise<UpstreamReply> {
  const u = new URL(url);
  const isHttps = u.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (isHttps ? httpsRequest : httpRequest)(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ...(isHttps && opts.ca ? { ca: trustStore(opts.ca) } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_REPLY_BYTES) {
            req.destroy(new OtaUpstreamError('XZ_OTA_TOO_LARGE', 'OTA server reply exceeds 256 KiB'));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(toError(err)));
      },
    );
    req.setTimeout(opts.timeoutMs, () => req.destroy(new OtaUpstreamError('XZ_OTA_TIMEOUT', `OTA server did not answer within ${opts.timeoutMs / 1000} s`)));
    req.on('error', (err) => reject(toError(err)));
    req.end(body);
  });
}

function toError(err: unknown): OtaUpstreamError {
  if (err instanceof OtaUpstreamError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return new OtaUpstreamError('XZ_OTA_NETWORK', `OTA server unreachable${code ? ` (${code})` : ''}`);
}
