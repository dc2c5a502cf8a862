/**
 * The OTA and activation requests, py-xiaozhi style (protocol §5.1, §5.3). Pure: builds headers
 * and bodies; sending them is ota-client.ts / activation.ts.
 */
import type { DeviceIdentity } from './identity.ts';
import { signChallenge } from './identity.ts';

/** What we report about ourselves. Defaults mirror py-xiaozhi (P: src/constants/system.py). */
export interface ClientInfo {
  /** `application.version`; py-xiaozhi reports its app version, manager-api uses it for unknown devices. */
  appVersion: string;
  /** Name in `User-Agent` (`<boardType>/<appName>-<appVersion>`) and `board.name`. */
  appName: string;
  boardType: string;
  /** `Accept-Language`. */
  language: string;
  /** `board.ip`; py-xiaozhi sends the local address. */
  ip: string;
}

export const DEFAULT_CLIENT_INFO: Readonly<ClientInfo> = Object.freeze({
  appVersion: '2.1.1',
  appName: 'xiaozhi-web',
  boardType: 'bread-compact-wifi',
  language: 'zh-CN',
  ip: '127.0.0.1',
});

/** Who asks: identity, where, and `NETWORK.ACTIVATION_VERSION` (`v2` sends `Activation-Version`). */
export interface OtaTarget {
  identity: DeviceIdentity;
  otaUrl: string;
  activationVersion?: string;
}

/** Headers for OTA and activation (§5.1 table, py-xiaozhi column). */
export function buildOtaHeaders(target: OtaTarget, client: ClientInfo): Record<string, string> {
  const h: Record<string, string> = {
    'Device-Id': target.identity.deviceId,
    'Client-Id': target.identity.clientId,
    'User-Agent': `${client.boardType}/${client.appName}-${client.appVersion}`,
    'Accept-Language': client.language,
    'Content-Type': 'application/json',
  };
  // py-xiaozhi sends its app version here only when ACTIVATION_VERSION == "v2" (the default).
  if ((target.activationVersion ?? 'v2') === 'v2') h['Activation-Version'] = client.appVersion;
  return h;
}

/** py-xiaozhi's OTA body; `elf_sha256` carries the HMAC key (§5.1, P: `_build_ota_payload`). */
export function buildOtaBody(identity: DeviceIdentity, client: ClientInfo): Record<string, unknown> {
  return {
    application: { version: client.appVersion, elf_sha256: identity.hmacKey },
    board: { type: client.boardType, name: client.appName, ip: client.ip, mac: identity.deviceId },
  };
}

/** py-xiaozhi's activation body: `{"Payload":{algorithm, serial_number, challenge, hmac}}` (§5.3). */
export function buildActivationBody(identity: DeviceIdentity, challenge: string): Record<string, unknown> {
  return {
    Payload: {
      algorithm: 'hmac-sha256',
      serial_number: identity.serialNumber,
      challenge,
      hmac: signChallenge(identity.hmacKey, challenge),
    },
  };
}
