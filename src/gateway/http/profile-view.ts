/**
 * How a stored device profile is shown to browsers (no secrets: the token only as a hint, never the
 * HMAC key) and turned into an upstream target for a ticket (token stays server-side).
 */
import type { DeviceProfile } from '../../device/profile-store.ts';
import { tokenHint } from '../../protocol/token-hint.ts';
import type { GatewayConfig } from '../config.ts';
import type { UpstreamTarget } from '../relay/index.ts';

export interface ProfileSummary {
  name: string;
  label: string;
  deviceId: string;
  clientId: string;
  activated: boolean;
  tokenHint: string | null;
  otaUrl: string;
  websocketUrl: string | null;
  isDefault: boolean;
}

export function summarizeProfile(p: DeviceProfile): ProfileSummary {
  return {
    name: p.name,
    label: p.label,
    deviceId: p.identity.deviceId,
    clientId: p.identity.clientId,
    activated: p.activated,
    tokenHint: tokenHint(p.token),
    otaUrl: p.server.otaUrl,
    websocketUrl: p.server.websocketUrl,
    isDefault: p.isDefault,
  };
}

export type TargetResult = { ok: true; target: UpstreamTarget } | { ok: false; status: number; code: string; detail: string };

/** The upstream a ticket for `p` leads to; refused while the server still asks for activation. */
export function targetFromProfile(p: DeviceProfile, config: GatewayConfig): TargetResult {
  const url = p.server.websocketUrl;
  if (!url) {
    return { ok: false, status: 409, code: 'XZ_PROFILE_NOT_ACTIVATED', detail: `profile "${p.name}" has no WebSocket URL yet: run activation (OTA) first` };
  }
  if (!/^wss?:\/\//i.test(url)) {
    return { ok: false, status: 409, code: 'XZ_BAD_PARAMETER', detail: `profile "${p.name}" has an invalid WebSocket URL` };
  }
  if (!p.activated && p.lastOta?.activationRequired) {
    return { ok: false, status: 409, code: 'XZ_PROFILE_NOT_ACTIVATED', detail: `the server still asks profile "${p.name}" to be activated` };
  }
  const v = p.lastOta?.websocketVersion;
  const target: UpstreamTarget = {
    url,
    deviceId: p.identity.deviceId,
    clientId: p.identity.clientId,
    protocolVersion: v === 2 || v === 3 ? v : 1,
    context: { profileName: p.name, deviceActivated: p.activated, via: 'ticket' },
  };
  if (p.token) target.token = p.token;
  if (config.upstreamCa) target.ca = config.upstreamCa;
  return { ok: true, target };
}
