import { describe, expect, test } from 'vitest';
import { classifyDialError, upstreamHeaders } from './upstream-dial.ts';
import type { UpstreamTarget } from './index.ts';

const t: UpstreamTarget = {
  url: 'wss://example.test/xiaozhi/v1/', token: 'abc', deviceId: 'a0:85:e3:f4:49:34',
  clientId: 'c8238260-aa41-46bf-a1af-2cb3e2955931', protocolVersion: 3, context: { via: 'ticket' },
};
const err = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('upstream handshake headers', () => {
  test('exactly the four XiaoZhi headers plus our User-Agent', () => {
    expect(upstreamHeaders(t)).toEqual({
      Authorization: 'Bearer abc', 'Protocol-Version': '3', 'Device-Id': 'a0:85:e3:f4:49:34',
      'Client-Id': 'c8238260-aa41-46bf-a1af-2cb3e2955931', 'User-Agent': 'xiaozhi-web-gateway/0.1',
    });
  });
  test('firmware rule: no Authorization for an empty token, no double scheme', () => {
    expect(upstreamHeaders({ ...t, token: '' })).not.toHaveProperty('Authorization');
    expect(upstreamHeaders({ ...t, token: undefined })).not.toHaveProperty('Authorization');
    expect(upstreamHeaders({ ...t, token: 'Bearer xyz' }).Authorization).toBe('Bearer xyz');
  });
});

describe('dial failure classification', () => {
  test.each([
    [err('getaddrinfo ENOTFOUND x.invalid', 'ENOTFOUND'), 'XZ_UPSTREAM_DNS'],
    [err('getaddrinfo EAI_AGAIN x', 'EAI_AGAIN'), 'XZ_UPSTREAM_DNS'],
    [err('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), 'XZ_UPSTREAM_REFUSED'],
    [err('self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'), 'XZ_UPSTREAM_TLS'],
    [err("Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'), 'XZ_UPSTREAM_TLS'],
    [err('Opening handshake has timed out'), 'XZ_UPSTREAM_TIMEOUT'],
    [err('Unexpected server response: 401'), 'XZ_UPSTREAM_AUTH_REJECTED'],
    [err('Unexpected server response: 403'), 'XZ_UPSTREAM_AUTH_REJECTED'],
    [err('Unexpected server response: 502'), 'XZ_UPSTREAM_HTTP_ERROR'],
    [err('socket hang up', 'ECONNRESET'), 'XZ_UPSTREAM_UNREACHABLE'],
    [err('connect EHOSTUNREACH', 'EHOSTUNREACH'), 'XZ_UPSTREAM_UNREACHABLE'],
  ])('%s → %s', (e, code) => {
    expect(classifyDialError(e).code).toBe(code);
  });
  test('HTTP status is kept for the reason', () => {
    expect(classifyDialError(err('Unexpected server response: 503')).httpStatus).toBe(503);
  });
});
