/**
 * Device identity by the py-xiaozhi scheme (protocol §5.4): Device-Id (lowercase colon MAC),
 * Client-Id (UUID v4), serial number and HMAC key, plus the challenge signature.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname as osHostname, type as osType } from 'node:os';
import { isUuid } from '../protocol/identity-format.ts';

export { isUuid };

/** Everything a device needs to identify itself to OTA, activation and the WebSocket. */
export interface DeviceIdentity {
  /** `Device-Id` header: lowercase colon-separated MAC, e.g. `02:1a:2b:3c:4d:5e`. */
  deviceId: string;
  /** `Client-Id` header: UUID v4. */
  clientId: string;
  /** py-xiaozhi serial: `SN-<MD5(mac_clean)[0:8] upper>-<mac_clean>`. */
  serialNumber: string;
  /** 64 lowercase hex chars; the HMAC is keyed with this string's UTF-8 bytes (§5.4). */
  hmacKey: string;
}

/** Inputs of py-xiaozhi's fingerprint (P: src/activation/identity.py). */
export interface IdentityFingerprint {
  system?: string;
  hostname?: string | null;
  mac_address?: string | null;
  machine_id?: string | null;
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Normalise `AA-BB-CC-DD-EE-FF` / `aabbccddeeff` / `AA:BB:…` to `aa:bb:…`; null when not a MAC. */
export function normalizeMac(input: string): string | null {
  const clean = input.replace(/[^0-9a-zA-Z]/g, '').toLowerCase();
  if (!/^[0-9a-f]{12}$/.test(clean)) return null;
  return clean.match(/../g)!.join(':');
}

/** True for a lowercase colon MAC string. */
export function isMac(value: string): boolean {
  return MAC_RE.test(value);
}

/** True when the MAC's first octet has the locally-administered bit set and the multicast bit clear. */
export function isLocallyAdministeredUnicast(mac: string): boolean {
  const n = normalizeMac(mac);
  if (n === null) return false;
  const first = parseInt(n.slice(0, 2), 16);
  return (first & 0x02) === 0x02 && (first & 0x01) === 0;
}

/**
 * A fresh random locally administered unicast MAC (§5.4: a proxy has no NIC MAC to borrow; never
 * derive one from browser or host properties, §9 item 9).
 */
export function randomMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0]! | 0x02) & 0xfe;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** py-xiaozhi serial number for a MAC (or, without one, for the machine id / hostname). */
export function serialNumberFor(fp: IdentityFingerprint): string {
  if (fp.mac_address) {
    const macClean = fp.mac_address.toLowerCase().replace(/:/g, '');
    return `SN-${md5Hex(macClean).slice(0, 8).toUpperCase()}-${macClean}`;
  }
  const identifier = (fp.machine_id || fp.hostname || 'unknown').slice(0, 12);
  return `SN-${md5Hex(identifier).slice(0, 8).toUpperCase()}-${identifier.toUpperCase()}`;
}

/** py-xiaozhi HMAC key: SHA-256 hex of the present items of hostname, MAC, machine id joined by `||`. */
export function hmacKeyFor(fp: IdentityFingerprint): string {
  const items = [fp.hostname, fp.mac_address, fp.machine_id].filter((x): x is string => !!x);
  if (items.length === 0) items.push(fp.system || pythonSystemName());
  return createHash('sha256').update(items.join('||'), 'utf8').digest('hex');
}

/**
 * Activation signature: lowercase hex HMAC-SHA256 over the UTF-8 challenge, keyed with the UTF-8
 * bytes of the hex key string — not the 32 decoded bytes (§5.4, §9 item 12).
 */
export function signChallenge(hmacKey: string, challenge: string): string {
  return createHmac('sha256', Buffer.from(hmacKey, 'utf8')).update(challenge, 'utf8').digest('hex');
}

/** Build an identity from explicit inputs (pure apart from the random Client-Id unless given). */
export function makeIdentity(opts: {
  mac: string;
  hostname?: string | null;
  machineId?: string | null;
  clientId?: string;
}): DeviceIdentity {
  const mac = normalizeMac(opts.mac);
  if (mac === null) throw new TypeError(`not a MAC address: ${opts.mac}`);
  const fp: IdentityFingerprint = { hostname: opts.hostname, mac_address: mac, machine_id: opts.machineId };
  return {
    deviceId: mac,
    clientId: opts.clientId ?? randomUUID(),
    serialNumber: serialNumberFor(fp),
    hmacKey: hmacKeyFor(fp),
  };
}

/**
 * A new identity for this host: random locally administered MAC (unless `mac` is given), random
 * Client-Id, and serial / HMAC key derived as py-xiaozhi would on this host with that MAC.
 * Also returns the fingerprint so it can be stored in `efuse.json` like py-xiaozhi does.
 */
export function createIdentity(opts: { mac?: string } = {}): {
  identity: DeviceIdentity;
  fingerprint: IdentityFingerprint;
} {
  const mac = opts.mac === undefined ? randomMac() : normalizeMac(opts.mac);
  if (mac === null) throw new TypeError(`not a MAC address: ${opts.mac}`);
  const fingerprint: IdentityFingerprint = {
    system: pythonSystemName(),
    hostname: osHostname() || null,
    mac_address: mac,
    machine_id: readMachineId(),
  };
  const identity = makeIdentity({ mac, hostname: fingerprint.hostname, machineId: fingerprint.machine_id });
  return { identity, fingerprint };
}

function md5Hex(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

/** Python's `platform.system()` spelling. */
function pythonSystemName(): string {
  const t = osType();
  return t === 'Windows_NT' ? 'Windows' : t;
}

/** What py-machineid returns on Linux (first readable of the dbus / systemd ids), else null. */
function readMachineId(): string | null {
  for (const p of ['/var/lib/dbus/machine-id', '/etc/machine-id']) {
    try {
      const id = readFileSync(p, 'utf8').trim();
      if (id) return id;
    } catch {
      // try the next location
    }
  }
  return null;
}
