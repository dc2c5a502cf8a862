/**
 * What the CLI (`src/cli/commands/doctor.ts`) and the gateway (`POST /api/doctor`) actually pass:
 * DoctorOptions plus a profile name and store, `url` for the WebSocket URL and `upstreamCa`. This turns
 * such a call into plain DoctorOptions. Profile fields fill in what the caller did not give; explicit
 * CLI flags win. Only a structural view of the profile store is used (no runtime import of src/device).
 */
import type { DoctorOptions } from './types.ts';

/** The official endpoints (protocol §2.1), used when nothing else names a server. */
export const OFFICIAL_OTA_URL = 'https://api.tenclass.net/xiaozhi/ota/';
export const OFFICIAL_WS_URL = 'wss://api.tenclass.net/xiaozhi/v1/';

/** The parts of a device profile the doctor reads (src/device DeviceProfile). */
export interface ProfileView {
  name: string;
  identity: { deviceId: string; clientId: string; serialNumber?: string; hmacKey?: string };
  server: { otaUrl: string; websocketUrl: string | null };
  activated: boolean;
  token: string | null;
}

export interface ProfileSource {
  resolve(name?: string): Promise<ProfileView>;
}

/** Extra fields the hosts send. */
export interface HostExtras {
  /** Set by the CLI: the doctor prints its report and returns an exit code. */
  command?: 'doctor' | 'check-token';
  profile?: string;
  store?: ProfileSource;
  dataDir?: string;
  /** CLI spelling of `wsUrl`. */
  url?: string;
  /** Gateway spelling of `ca` (UPSTREAM_CA_FILE contents). */
  upstreamCa?: string | null;
  /** CLI: print JSON instead of text. */
  json?: boolean;
}

export type HostOptions = DoctorOptions & HostExtras;

/** Error thrown when the named profile cannot be used; its message is shown in the config stage. */
export class ProfileLoadError extends Error {
  constructor(readonly profileName: string | undefined, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

const isCliFlagCall = (o: HostOptions) => o.command !== undefined;

/** Resolve host-style options to DoctorOptions (may read the profile store). */
export async function resolveHostOptions(o: HostOptions): Promise<DoctorOptions> {
  const { command, profile: profileName, store, dataDir: _d, url, upstreamCa, json: _j, ...base } = o;
  const out: DoctorOptions = { ...base };
  if (url && !out.wsUrl) out.wsUrl = url;
  if (upstreamCa && out.ca === undefined) out.ca = upstreamCa;

  const explicitIdentity = !!(out.deviceId || out.clientId || out.token);
  // A profile is used when named, or (doctor without explicit identity) the default one.
  const wantProfile = !!store && command !== 'check-token' && (profileName !== undefined || !explicitIdentity);
  if (wantProfile && store) {
    let p: ProfileView;
    try {
      p = await store.resolve(profileName || undefined);
    } catch (err) {
      throw new ProfileLoadError(profileName, err);
    }
    const cli = isCliFlagCall(o);
    out.deviceId ??= p.identity.deviceId;
    out.clientId ??= p.identity.clientId;
    out.identity ??= { serialNumber: p.identity.serialNumber, hmacKey: p.identity.hmacKey };
    out.token ??= p.token ?? undefined;
    out.activated ??= p.activated;
    // The profile names its server; the gateway's OTA_URL is only a default. CLI flags win.
    if (!cli || !out.otaUrl) out.otaUrl = p.server.otaUrl || out.otaUrl;
    // With an OTA URL the WebSocket URL comes fresh from the OTA reply (§2.1 rule).
    if (!out.wsUrl && !out.otaUrl && p.server.websocketUrl) out.wsUrl = p.server.websocketUrl;
  }
  if (command === 'check-token') {
    delete out.otaUrl; // check-token never runs OTA
    out.wsUrl ??= OFFICIAL_WS_URL;
  } else if (command === 'doctor' && !out.otaUrl && !out.wsUrl) {
    out.otaUrl = OFFICIAL_OTA_URL;
  }
  return out;
}

/** Exit codes, identical to src/cli/exit-codes.ts (documented in docs/cli.md; never renumber). */
export const DOCTOR_EXIT = Object.freeze({ OK: 0, FAILURE: 1, USAGE: 2, NOT_ACTIVATED: 3, CANCELLED: 4, NETWORK: 5 });
