import { describe, expect, it } from 'vitest';
import { ApiError, wsUrlFor } from './gateway-api.ts';

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

describe('ApiError', () => {
  it('speaks the UI language and keeps the detail', () => {
    const e = new ApiError('This device has not been activated yet.', 409, 'XZ_PROFILE_NOT_ACTIVATED', '该设备尚未激活。', 'profile "web-1"');
    expect(e.message).toBe('This device has not been activated yet. (profile "web-1")');
    expect(e.text('zh-CN')).toBe('该设备尚未激活。 (profile "web-1")');
    expect(e.text('en')).toBe('This device has not been activated yet. (profile "web-1")');
    expect(new ApiError('x', 500).text('zh-CN')).toBe('x');
  });
});
