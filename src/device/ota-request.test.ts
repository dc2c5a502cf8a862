import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeIdentity } from './identity.ts';
import { DEFAULT_CLIENT_INFO, buildActivationBody, buildOtaBody, buildOtaHeaders } from './ota-request.ts';

const identity = makeIdentity({ mac: '02:11:22:33:44:55', hostname: 'h', clientId: '975b0760-0000-4000-8000-000000000000' });
const client = { ...DEFAULT_CLIENT_INFO, ip: '10.0.0.7' };

describe('OTA request (py-xiaozhi style, §5.1)', () => {
  it('sends the py-xiaozhi headers', () => {
    expect(buildOtaHeaders({ identity, otaUrl: 'x' }, client)).toEqual({
      'Device-Id': '02:11:22:33:44:55',
      'Client-Id': '975b0760-0000-4000-8000-000000000000',
      'Activation-Version': '2.1.1',
      'User-Agent': 'bread-compact-wifi/xiaozhi-web-2.1.1',
      'Accept-Language': 'zh-CN',
      'Content-Type': 'application/json',
    });
  });

  it('omits Activation-Version for ACTIVATION_VERSION v1', () => {
    expect(buildOtaHeaders({ identity, otaUrl: 'x', activationVersion: 'v1' }, client)).not.toHaveProperty('Activation-Version');
  });

  it('body carries version, HMAC key as elf_sha256 and the board', () => {
    expect(buildOtaBody(identity, client)).toEqual({
      application: { version: '2.1.1', elf_sha256: identity.hmacKey },
      board: { type: 'bread-compact-wifi', name: 'xiaozhi-web', ip: '10.0.0.7', mac: '02:11:22:33:44:55' },
    });
  });

  it('activation body wraps the signed challenge in Payload', () => {
    const hmac = createHmac('sha256', Buffer.from(identity.hmacKey, 'utf8')).update('abc').digest('hex');
    expect(buildActivationBody(identity, 'abc')).toEqual({
      Payload: { algorithm: 'hmac-sha256', serial_number: identity.serialNumber, challenge: 'abc', hmac },
    });
  });
});
