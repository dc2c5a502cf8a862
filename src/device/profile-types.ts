/** Shapes the profile store hands out and takes (see profile-store.ts). */
import type { DeviceError } from './errors.ts';
import type { DeviceIdentity } from './identity.ts';
import type { FieldPatch, ServerSettings } from './py-xiaozhi-files.ts';
import type { ProfilePaths } from './profile-paths.ts';

/** Facts from the last OTA reply that py-xiaozhi's files have no place for (kept in xiaozhi-web.json). */
export interface LastOta {
  /** ISO time we received the reply. */
  at: string;
  serverTime?: { timestamp: number; timezone_offset?: number; timeZone?: string };
  firmware?: { version: string; url?: string; force?: number };
  /** `websocket.version` (optional Protocol-Version) when the server sent one. */
  websocketVersion?: number;
  /** True when that reply carried `activation` (device not yet bound). */
  activationRequired: boolean;
}

/** One device profile as the gateway and CLI see it. */
export interface DeviceProfile {
  name: string;
  label: string;
  isDefault: boolean;
  identity: DeviceIdentity;
  /** efuse `mac_address` (normally equal to `identity.deviceId`). */
  macAddress: string;
  server: ServerSettings;
  /** efuse `activation_status`. */
  activated: boolean;
  /** `WEBSOCKET_ACCESS_TOKEN`; secret — show only through a mask. */
  token: string | null;
  lastOta: LastOta | null;
  /** True when the py-xiaozhi files stay where they were imported from (`import --link`). */
  linked: boolean;
  createdAt: string | null;
  paths: ProfilePaths;
}

/** `list()` result: readable profiles plus the folders that failed to load (with the reason). */
export interface ProfileList {
  profiles: DeviceProfile[];
  broken: { name: string; error: DeviceError }[];
}

export interface CreateProfileOptions {
  name: string;
  label?: string;
  /** Default: the official OTA URL. */
  otaUrl?: string;
  /** Use this MAC instead of a random locally administered one. */
  mac?: string;
  makeDefault?: boolean;
}

/** Field changes; `undefined` keeps the current value. */
export interface ProfileUpdate extends FieldPatch {
  label?: string;
}

export interface ImportOptions {
  /** A py-xiaozhi data folder, its `config/` folder, or a config.json path. */
  from: string;
  /** efuse.json path when it is not next to config.json. */
  efuseFrom?: string;
  /** Default: derived from the source folder. */
  name?: string;
  label?: string;
  /** Keep using the files in place (py-xiaozhi keeps writing them) instead of copying them. */
  link?: boolean;
  makeDefault?: boolean;
}
