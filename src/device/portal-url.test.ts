import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTAL_URL, portalUrlFromMessage } from './portal-url.ts';

describe('portalUrlFromMessage', () => {
  it.each([
    ['xiaozhi.me\n123456', 'https://xiaozhi.me/'],
    ['https://console.example.com/device\n123456', 'https://console.example.com/device'],
    ['http://127.0.0.1:8003/xiaozhi/devserver/\n654321', 'http://127.0.0.1:8003/xiaozhi/devserver/'],
    ['192.168.1.5:8001\n111111', 'http://192.168.1.5:8001/'],
    ['localhost:3000/activate\n1', 'http://localhost:3000/activate'],
  ])('%j → %s', (message, expected) => {
    expect(portalUrlFromMessage(message)).toBe(expected);
  });

  it('falls back when the first line is prose or missing', () => {
    expect(portalUrlFromMessage('请登录控制台输入验证码\n123456')).toBe(DEFAULT_PORTAL_URL);
    expect(portalUrlFromMessage(undefined)).toBe(DEFAULT_PORTAL_URL);
    expect(portalUrlFromMessage('', 'https://my.portal/')).toBe('https://my.portal/');
    expect(portalUrlFromMessage('javascript:alert(1)')).toBe(DEFAULT_PORTAL_URL);
  });
});
