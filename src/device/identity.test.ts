import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createIdentity, hmacKeyFor, isLocallyAdministeredUnicast, makeIdentity, normalizeMac, randomMac, serialNumberFor,
  signChallenge,
} from './identity.ts';

// Expected values computed independently here with node:crypto, following the py-xiaozhi formulas
// quoted in protocol §5.4 (serial from the colon-less MAC, key from "hostname||mac||machine_id").
const MAC = '58:11:22:b7:26:42';
const HOST = 'studio-pc';
const MACHINE = '3d1219c7c4c5404aaa1f6d2a48adfda4';

describe('py-xiaozhi identity scheme', () => {
  it('serial number = SN-<md5(mac_clean)[0:8] upper>-<mac_clean>', () => {
    const md5 = createHash('md5').update('581122b72642').digest('hex');
    expect(serialNumberFor({ mac_address: MAC })).toBe(`SN-${md5.slice(0, 8).toUpperCase()}-581122b72642`);
    // Fixed vector computed once with Python hashlib (py-xiaozhi's own library), so a slip that
    // both sides share cannot pass unnoticed.
    expect(serialNumberFor({ mac_address: MAC })).toBe('SN-24C37EE9-581122b72642');
  });

  it('serial without MAC uses the first 12 chars of machine id, upper-cased', () => {
    const id = MACHINE.slice(0, 12);
    const md5 = createHash('md5').update(id).digest('hex').slice(0, 8).toUpperCase();
    expect(serialNumberFor({ machine_id: MACHINE, hostname: HOST })).toBe(`SN-${md5}-${id.toUpperCase()}`);
  });

  it('HMAC key = sha256hex("hostname||mac||machine_id"), skipping missing items', () => {
    const full = createHash('sha256').update(`${HOST}||${MAC}||${MACHINE}`).digest('hex');
    expect(hmacKeyFor({ hostname: HOST, mac_address: MAC, machine_id: MACHINE })).toBe(full);
    expect(full).toBe('4d38539a8e0a1923a72bbdbb66b9e0d1e9cafe11cd8bc536cb3223be72a946ac'); // Python hashlib
    const noMachine = createHash('sha256').update(`${HOST}||${MAC}`).digest('hex');
    expect(hmacKeyFor({ hostname: HOST, mac_address: MAC, machine_id: null })).toBe(noMachine);
    expect(hmacKeyFor({ system: 'Linux' })).toBe(createHash('sha256').update('Linux').digest('hex'));
  });

  it('signature is keyed with the hex string UTF-8 bytes, not the decoded bytes', () => {
    const key = hmacKeyFor({ hostname: HOST, mac_address: MAC, machine_id: MACHINE });
    const challenge = 'c0ffee-challenge-Ω';
    const expected = createHmac('sha256', Buffer.from(key, 'utf8')).update(Buffer.from(challenge, 'utf8')).digest('hex');
    const wrongScheme = createHmac('sha256', Buffer.from(key, 'hex')).update(challenge).digest('hex');
    expect(signChallenge(key, challenge)).toBe(expected);
    expect(signChallenge(key, challenge)).not.toBe(wrongScheme);
    expect(expected).toBe('ed46f249b33efff059c1137ac0dc96fdfd248726dbe50aea0cd2df0eb66f45fc'); // Python hmac
  });

  it('makeIdentity bundles the pieces and normalises the MAC', () => {
    const id = makeIdentity({ mac: '58-11-22-B7-26-42', hostname: HOST, machineId: MACHINE, clientId: 'x' });
    expect(id.deviceId).toBe(MAC);
    expect(id.serialNumber).toBe(serialNumberFor({ mac_address: MAC }));
    expect(id.hmacKey).toBe(hmacKeyFor({ hostname: HOST, mac_address: MAC, machine_id: MACHINE }));
    expect(() => makeIdentity({ mac: 'web-client' })).toThrow(/not a MAC/);
  });
});

describe('random MACs', () => {
  it('are locally administered unicast, lowercase colon form and distinct', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const mac = randomMac();
      expect(mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
      const first = parseInt(mac.slice(0, 2), 16);
      expect(first & 0x02).toBe(0x02);
      expect(first & 0x01).toBe(0);
      expect(isLocallyAdministeredUnicast(mac)).toBe(true);
      seen.add(mac);
    }
    expect(seen.size).toBe(500);
  });

  it('classifies known MACs', () => {
    expect(isLocallyAdministeredUnicast('a0:85:e3:f4:49:34')).toBe(false); // vendor (globally unique)
    expect(isLocallyAdministeredUnicast('03:00:00:00:00:01')).toBe(false); // multicast
    expect(isLocallyAdministeredUnicast('02:00:00:00:00:01')).toBe(true);
    expect(normalizeMac('AABBCCDDEEFF')).toBe('aa:bb:cc:dd:ee:ff');
    expect(normalizeMac('aa:bb:cc')).toBeNull();
  });

  it('createIdentity gives a fresh UUID v4 and a random MAC each time', () => {
    const a = createIdentity().identity;
    const b = createIdentity().identity;
    expect(a.deviceId).not.toBe(b.deviceId);
    expect(a.clientId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.clientId).not.toBe(b.clientId);
    expect(isLocallyAdministeredUnicast(a.deviceId)).toBe(true);
  });
});
