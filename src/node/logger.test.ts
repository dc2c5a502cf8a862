import { describe, expect, test } from 'vitest';
import { createLogger, hashDeviceId, redactUrl } from './logger.ts';

const MARKER = 'MARKER-TOKEN-7f3a9c';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(s) } });
  return { logger, lines };
}

describe('logger redaction', () => {
  test('secret keys never reach the output, at the top level or nested', () => {
    const { logger, lines } = capture();
    logger.info({ token: MARKER, authorization: `Bearer ${MARKER}`, ticket: MARKER, access_token: MARKER }, 'top');
    logger.info({ req: { headers: { authorization: `Bearer ${MARKER}`, cookie: MARKER } }, upstream: { token: MARKER } }, 'nested');
    logger.info({ query: { token: MARKER } }, 'query object');
    expect(lines).toHaveLength(3);
    expect(lines.join('')).not.toContain(MARKER);
    expect(lines.join('')).toContain('[REDACTED]');
  });

  test('URLs are logged without query values or userinfo', () => {
    expect(redactUrl(`/api/ws-proxy?token=${MARKER}&device_id=a0:85&lang=zh`)).toBe(
      '/api/ws-proxy?token=[REDACTED]&device_id=[REDACTED]&lang=zh',
    );
    expect(redactUrl(`wss://user:${MARKER}@api.example/xiaozhi/v1/?access_token=${MARKER}#frag`)).toBe(
      'wss://api.example/xiaozhi/v1/?access_token=[REDACTED]',
    );
    expect(redactUrl('/plain')).toBe('/plain');
    const { logger, lines } = capture();
    logger.info({ url: `/ws?ticket=${MARKER}` }, 'x');
    expect(lines[0]).not.toContain(MARKER);
  });

  test('device ids are hashed, stable and not reversible by eye', () => {
    const h = hashDeviceId('a0:85:e3:f4:49:34');
    expect(h).toMatch(/^[0-9a-f]{12}$/);
    expect(hashDeviceId('a0:85:e3:f4:49:34')).toBe(h);
    expect(hashDeviceId('a0:85:e3:f4:49:35')).not.toBe(h);
    const { logger, lines } = capture();
    logger.info({ deviceId: 'a0:85:e3:f4:49:34' }, 'x');
    expect(lines[0]).not.toContain('a0:85:e3');
    expect(lines[0]).toContain(h);
  });
});
