/**
 * `relay.rejectUpgrade`: catalogue refusals either as plain HTTP (cheap, before any WebSocket: 429/503)
 * or, when the request is given and the entry has a close code, as an accepted socket closed with that
 * code — the only form a browser can read.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../src/node/logger.ts';
import { createGatewayMetrics } from '../../src/gateway/metrics.ts';
import { createRelay, type Relay } from '../../src/gateway/relay/index.ts';
import type { XzErrorCode } from '../../src/protocol/errors.ts';

let server: Server;
let relay: Relay;
let port: number;
const metrics = createGatewayMetrics();

beforeAll(async () => {
  relay = createRelay({ logger: createLogger({ level: 'silent' }), metrics });
  server = createServer();
  server.on('upgrade', (req, socket) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    relay.rejectUpgrade(socket, q.get('code') as XzErrorCode, q.get('ws') ? req : undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await relay.shutdown(500);
  await new Promise<void>((r) => server.close(() => r()));
});

function attempt(query: string): Promise<{ status?: number; retryAfter?: string; body?: string; code?: number; reason?: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?${query}`);
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'] as string, body }));
    });
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

describe('rejectUpgrade', () => {
  test.each([
    ['XZ_RATE_LIMITED', 429],
    ['XZ_CAPACITY', 503],
    ['XZ_ORIGIN_FORBIDDEN', 403],
  ])('%s → HTTP %i with a JSON body', async (code, status) => {
    const r = await attempt(`code=${code}`);
    expect(r.status).toBe(status);
    expect(JSON.parse(r.body!)).toMatchObject({ error: code });
    if (status === 429 || status === 503) expect(r.retryAfter).toBe('1');
  });

  test.each([
    ['XZ_TICKET_INVALID', 4002],
    ['XZ_MISSING_CREDENTIALS', 4000],
    ['XZ_PROFILE_NOT_ACTIVATED', 4004],
    ['XZ_SHUTTING_DOWN', 1012],
  ])('%s with the request → accepted, closed %i with the catalogue sentence', async (code, closeCode) => {
    const r = await attempt(`code=${code}&ws=1`);
    expect(r.code).toBe(closeCode);
    expect(r.reason?.length).toBeGreaterThan(10);
  });

  test('refusals are counted by code', () => {
    expect(metrics.rejectedConnections.get({ reason: 'XZ_RATE_LIMITED' })).toBe(1);
    expect(metrics.rejectedConnections.get({ reason: 'XZ_TICKET_INVALID' })).toBe(1);
    expect(relay.sessionCount()).toBe(0);
  });
});
