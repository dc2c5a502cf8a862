/**
 * py-xiaozhi's `config/config.json` + `config/efuse.json` (protocol §5.5): reading them strictly,
 * pulling out the fields we own, and changing only those fields so unknown keys survive untouched.
 */
import { readFile } from 'node:fs/promises';
import { DeviceError, type DeviceErrorCode } from './errors.ts';
import { isUuid, normalizeMac, type DeviceIdentity } from './identity.ts';

export type JsonObject = { [key: string]: unknown };

/** py-xiaozhi's default OTA URL (P: src/utils/config_manager.py DEFAULT_CONFIG). */
export const OFFICIAL_OTA_URL = 'https://api.tenclass.net/xiaozhi/ota/';
/** py-xiaozhi's default console where the 6-digit code is entered. */
export const OFFICIAL_AUTHORIZATION_URL = 'https://xiaozhi.me/';
/** Token the official OTA returns; py-xiaozhi stores it when the reply has none (§2.5). */
export const DEFAULT_TOKEN = 'test-token';

/** The server part of a profile: OTA URL plus what the last OTA reply said. */
export interface ServerSettings {
  otaUrl: string;
  websocketUrl: string | null;
  /** OTA `mqtt` object stored verbatim (`NETWORK.MQTT_INFO`), or null. */
  mqtt: JsonObject | null;
  /** `NETWORK.ACTIVATION_VERSION`: `v1` skips activation, `v2` (default) runs it. */
  activationVersion: string;
  authorizationUrl: string;
}

/** Fields we own, as read from a config.json/efuse.json pair. */
export interface PyXiaozhiFields {
  identity: DeviceIdentity;
  macAddress: string;
  server: ServerSettings;
  token: string | null;
  activated: boolean;
}

/** A parsed JSON file: its exact text (for byte-for-byte copies) and its object. */
export interface JsonFile {
  path: string;
  text: string;
  data: JsonObject;
}

/**
 * Read a JSON object file. Missing → `missingCode` error; unparsable, half-written or not an
 * object → `XZ_PROFILE_CORRUPT` naming the path. Never repairs or replaces anything.
 */
export async function readJsonFile(
  path: string,
  missingCode: DeviceErrorCode = 'XZ_PROFILE_CORRUPT',
): Promise<JsonFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DeviceError(missingCode, `file not found: ${path}`, { path, cause: err });
    throw new DeviceError('XZ_PROFILE_IO', `cannot read ${path}: ${code ?? String(err)}`, { path, cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new DeviceError('XZ_PROFILE_CORRUPT', `${path} is not valid JSON (corrupt or half-written): ${(err as Error).message}`, { path, cause: err });
  }
  if (!isObject(data)) throw new DeviceError('XZ_PROFILE_CORRUPT', `${path} does not hold a JSON object`, { path });
  return { path, text, data };
}

/** Serialise like py-xiaozhi (`json.dumps(indent=2, ensure_ascii=False)`, no trailing newline). */
export function serializePyJson(data: JsonObject): string {
  return JSON.stringify(data, null, 2);
}

/** Extract and validate the fields we own; a missing identity field is reported with its path. */
export function extractFields(config: JsonFile, efuse: JsonFile): PyXiaozhiFields {
  const sys = objAt(config.data, 'SYSTEM_OPTIONS');
  const net = objAt(sys, 'NETWORK');
  const efuseMac = str(efuse.data['mac_address']);
  const deviceIdRaw = str(sys['DEVICE_ID']) ?? efuseMac;
  const deviceId = deviceIdRaw === null ? null : normalizeMac(deviceIdRaw);
  if (deviceId === null) throw corrupt(config.path, 'SYSTEM_OPTIONS.DEVICE_ID (a MAC address)');
  const clientId = str(sys['CLIENT_ID']);
  if (clientId === null || !isUuid(clientId)) throw corrupt(config.path, 'SYSTEM_OPTIONS.CLIENT_ID (a UUID)');
  const serialNumber = str(efuse.data['serial_number']);
  if (serialNumber === null) throw corrupt(efuse.path, 'serial_number');
  const hmacKey = str(efuse.data['hmac_key']);
  if (hmacKey === null) throw corrupt(efuse.path, 'hmac_key');
  const mqtt = net['MQTT_INFO'];
  // Older files and P's docs call the flag `activated` (§5.5).
  const activatedRaw = 'activation_status' in efuse.data ? efuse.data['activation_status'] : efuse.data['activated'];
  return {
    identity: { deviceId, clientId: clientId.toLowerCase(), serialNumber, hmacKey },
    macAddress: normalizeMac(efuseMac ?? '') ?? deviceId,
    server: {
      otaUrl: str(net['OTA_VERSION_URL']) ?? OFFICIAL_OTA_URL,
      websocketUrl: str(net['WEBSOCKET_URL']),
      mqtt: isObject(mqtt) ? mqtt : null,
      activationVersion: str(net['ACTIVATION_VERSION']) ?? 'v2',
      authorizationUrl: str(net['AUTHORIZATION_URL']) ?? OFFICIAL_AUTHORIZATION_URL,
    },
    token: str(net['WEBSOCKET_ACCESS_TOKEN']),
    activated: activatedRaw === true,
  };
}

/** Changes to the fields we own; `undefined` leaves a field as it is. */
export interface FieldPatch {
  otaUrl?: string;
  websocketUrl?: string | null;
  token?: string | null;
  mqtt?: JsonObject | null;
  activationVersion?: string;
  authorizationUrl?: string;
  activated?: boolean;
}

/** Apply a patch to config.json's object in place, touching only `SYSTEM_OPTIONS.NETWORK.*` keys we own. */
export function patchConfig(config: JsonObject, patch: FieldPatch): void {
  const set = (key: string, value: unknown) => {
    if (value === undefined) return;
    const net = ensureObj(ensureObj(config, 'SYSTEM_OPTIONS'), 'NETWORK');
    net[key] = value;
  };
  set('OTA_VERSION_URL', patch.otaUrl);
  set('WEBSOCKET_URL', patch.websocketUrl);
  set('WEBSOCKET_ACCESS_TOKEN', patch.token);
  set('MQTT_INFO', patch.mqtt);
  set('ACTIVATION_VERSION', patch.activationVersion);
  set('AUTHORIZATION_URL', patch.authorizationUrl);
}

/** Apply the activation flag to efuse.json's object in place (keeps the legacy key if that is what the file uses). */
export function patchEfuse(efuse: JsonObject, patch: FieldPatch): void {
  if (patch.activated === undefined) return;
  const key = !('activation_status' in efuse) && 'activated' in efuse ? 'activated' : 'activation_status';
  efuse[key] = patch.activated;
}

/** A new config.json object, shaped like py-xiaozhi's DEFAULT_CONFIG network section (§5.5). */
export function newConfigObject(identity: DeviceIdentity, otaUrl: string): JsonObject {
  return {
    SYSTEM_OPTIONS: {
      CLIENT_ID: identity.clientId,
      DEVICE_ID: identity.deviceId,
      NETWORK: {
        OTA_VERSION_URL: otaUrl,
        WEBSOCKET_URL: null,
        WEBSOCKET_ACCESS_TOKEN: null,
        MQTT_INFO: null,
        ACTIVATION_VERSION: 'v2',
        AUTHORIZATION_URL: OFFICIAL_AUTHORIZATION_URL,
      },
    },
  };
}

/** A new efuse.json object as py-xiaozhi's `_create_efuse_file` writes it. */
export function newEfuseObject(identity: DeviceIdentity, fingerprint?: JsonObject): JsonObject {
  const out: JsonObject = {
    mac_address: identity.deviceId,
    serial_number: identity.serialNumber,
    hmac_key: identity.hmacKey,
    activation_status: false,
  };
  if (fingerprint) out['device_fingerprint'] = fingerprint;
  return out;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function objAt(o: JsonObject, key: string): JsonObject {
  const v = o[key];
  return isObject(v) ? v : {};
}

function ensureObj(o: JsonObject, key: string): JsonObject {
  const v = o[key];
  if (isObject(v)) return v;
  const fresh: JsonObject = {};
  o[key] = fresh;
  return fresh;
}

function corrupt(path: string, what: string): DeviceError {
  return new DeviceError('XZ_PROFILE_CORRUPT', `${path}: missing or invalid ${what}`, { path });
}
