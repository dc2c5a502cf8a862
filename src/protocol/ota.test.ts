import { describe, expect, it } from 'vitest';
import { activationUrl, parseOtaReply } from './ota.ts';

describe('parseOtaReply', () => {
  const official = {
    mqtt: { endpoint: 'mqtt.xiaozhi.me', client_id: 'GID_test@@@f4_12@@@uuid', username: 'u', password: 'p', publish_topic: 'device-server', subscribe_topic: 'null' },
    websocket: { url: 'wss://api.tenclass.net/xiaozhi/v1/', token: 'test-token' },
    server_time: { timestamp: 1772084756816, timezone_offset: 480 },
    firmware: { version: '2.0.4', url: '' },
  };
  it('accepts the official reply shape and keeps unknown keys', () => {
    const r = parseOtaReply({ ...official, extra: 1 });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.reply.websocket?.token).toBe('test-token');
      expect((r.reply as Record<string, unknown>).extra).toBe(1);
    }
  });
  it('accepts an activation reply', () => {
    const r = parseOtaReply({ ...official, activation: { code: '123456', message: 'xiaozhi.me\n123456', challenge: 'abc', timeout_ms: 30000 } });
    expect(r.ok && r.reply.activation?.code).toBe('123456');
  });
  it.each([
    [{ error: 'Invalid OTA request' }, 'XZ_OTA_ERROR_BODY'],
    [{ success: false, message: 'device id missing' }, 'XZ_OTA_ERROR_BODY'],
    ['text', 'XZ_OTA_INVALID_REPLY'],
    [[], 'XZ_OTA_INVALID_REPLY'],
    [{}, 'XZ_OTA_INVALID_REPLY'],
    [{ websocket: { url: 'http://x' } }, 'XZ_OTA_INVALID_REPLY'],
    [{ activation: { code: 'abc' } }, 'XZ_OTA_INVALID_REPLY'],
    [{ server_time: { timestamp: 'now' }, websocket: { url: 'ws://x/' } }, 'XZ_OTA_INVALID_REPLY'],
  ])('%j → %s', (body, code) => {
    const r = parseOtaReply(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
  });
  it('error messages inside HTTP 200 carry the server text', () => {
    const r = parseOtaReply({ success: false, message: 'device id missing' });
    expect(!r.ok && r.detail).toBe('device id missing');
  });
  it('derives the activate URL', () => {
    expect(activationUrl('https://api.tenclass.net/xiaozhi/ota/')).toBe('https://api.tenclass.net/xiaozhi/ota/activate');
    expect(activationUrl('http://h:8003/xiaozhi/ota')).toBe('http://h:8003/xiaozhi/ota/activate');
  });
});
