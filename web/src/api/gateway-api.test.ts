import { describe, expect, it } from 'vitest';
import { ApiError, ticketRefusal, wsUrlFor } from './gateway-api.ts';

describe('gateway-api helpers', () => {
  it('maps the ticket path to ws: or wss: on the page origin', () => {
    expect(wsUrlFor('/api/ws?ticket=abc', 'http://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080/api/ws?ticket=abc');
    expect(wsUrlFor('/api/ws?ticket=abc', 'https://example.org')).toBe('wss://example.org/api/ws?ticket=abc');
    expect(wsUrlFor('wss://x.example/api/ws?ticket=1', 'http://127.0.0.1')).toBe('wss://x.example/api/ws?ticket=1');
  });

  it('classifies permanent API errors', () => {
    expect(new ApiError('x', 404).permanent).toBe(true);
    expect(new ApiError('x', 409).permanent).toBe(true);
    expect(new ApiError('x', 429).permanent).toBe(false);
    expect(new ApiError('x', 503).permanent).toBe(false);
    expect(new ApiError('x', 0).permanent).toBe(false);
  });
});

describe('ticketRefusal', () => {
  it('asks for a ticket only for an activated profile with a WebSocket URL (as the gateway issues them)', () => {
    expect(ticketRefusal({ activated: true, websocketUrl: 'ws://127.0.0.1:1/xiaozhi/v1/' })).toBeNull();
    expect(ticketRefusal({ activated: false, websocketUrl: 'ws://127.0.0.1:1/xiaozhi/v1/' })).toBe('XZ_PROFILE_NOT_ACTIVATED');
    expect(ticketRefusal({ activated: true, websocketUrl: null })).toBe('XZ_PROFILE_NOT_ACTIVATED');
  });
});

describe('ApiError', () => {
  it('speaks the UI language and keeps the detail', () => {
    const e = new ApiError('This device has not been activated yet.', 409, 'XZ_PROFILE_NOT_ACTIVATED', '该设备尚未激活。', 'profile "web-1"');
    expect(e.message).toBe('This device has not been activated yet. (profile "web-1")');
    expect(e.text('zh-CN')).toBe('该设备尚未激活。 (profile "web-1")');
    expect(e.text('en')).toBe('This device has not been activated yet. (profile "web-1")');
    expect(new ApiError('x', 500).text('zh-CN')).toBe('x');
  });
});

describe('GatewayApi over real HTTP', () => {
  it('unwraps {profile}, sends JSON with the access key header, and turns error bodies into ApiError', async () => {
    const { createServer } = await import('node:http');
    const seen: { method?: string; url?: string; key?: string | string[]; type?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, key: req.headers['x-access-key'], type: req.headers['content-type'], body });
        res.setHeader('content-type', 'application/json');
        if (req.url === '/api/profiles' && req.method === 'POST') {
          res.statusCode = 201;
          return res.end(JSON.stringify({ profile: { name: 'kitchen', label: 'Kitchen', deviceId: 'aa', clientId: 'c', activated: false } }));
        }
        if (req.url === '/api/tickets') {
          res.statusCode = 409;
          return res.end(JSON.stringify({ error: { code: 'XZ_PROFILE_NOT_ACTIVATED', message: 'Not activated.', zh: '未激活。', detail: 'profile "kitchen"' } }));
        }
        res.statusCode = 500;
        res.end('not json');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      const { GatewayApi } = await import('./gateway-api.ts');
      const api = new GatewayApi({ base: `http://127.0.0.1:${port}`, accessKey: () => 'k1' });
      const p = await api.createProfile('Kitchen');
      expect(p.name).toBe('kitchen');
      expect(seen[0]).toMatchObject({ method: 'POST', key: 'k1', type: 'application/json', body: '{"label":"Kitchen"}' });
      const err = await api.ticket('kitchen').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ status: 409, code: 'XZ_PROFILE_NOT_ACTIVATED', permanent: true });
      expect((err as ApiError).text('zh-CN')).toBe('未激活。 (profile "kitchen")');
      const broken = await api.info().catch((e: unknown) => e);
      expect(broken).toMatchObject({ status: 500, message: 'HTTP 500', permanent: false });
      const down = await new GatewayApi({ base: 'http://127.0.0.1:1' }).info().catch((e: unknown) => e);
      expect(down).toMatchObject({ status: 0, permanent: false });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
