/** Error replies in one shape: `{ error: { code, message, zh } }` with the catalogue's status and words. */
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { XZ_ERRORS, type XzErrorCode } from '../../protocol/errors.ts';

export interface ErrorBody {
  error: { code: string; message: string; zh?: string; detail?: string };
}

/** Body for a catalogue code; `detail` adds specifics (never a secret). */
export function errorBody(code: XzErrorCode | string, detail?: string): ErrorBody {
  const info = (XZ_ERRORS as Record<string, { en: string; zh: string } | undefined>)[code];
  const body: ErrorBody = { error: { code, message: info?.en ?? detail ?? code } };
  if (info) body.error.zh = info.zh;
  if (detail !== undefined) body.error.detail = detail;
  return body;
}

export function sendError(reply: FastifyReply, status: number, code: XzErrorCode | string, detail?: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send(errorBody(code, detail));
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests',
  500: 'Internal Server Error', 503: 'Service Unavailable',
};

/** Answer an upgrade request with plain HTTP and drop the socket (before any WebSocket exists). */
export function rejectSocket(
  socket: Duplex,
  status: number,
  code: XzErrorCode | string,
  detail?: string,
  headers: Record<string, string> = {},
): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(errorBody(code, detail));
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    'Cache-Control: no-store',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  setTimeout(() => socket.destroy(), 1000).unref();
}

export type { ServerResponse };
