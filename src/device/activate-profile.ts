/** Activation of a stored profile: the flow from activation.ts plus saving each OTA reply. */
import { activate, type ActivateOptions, type ActivationOutcome } from './activation.ts';
import { runOta, type OtaOptions } from './ota-client.ts';
import type { DeviceProfile, ProfileStore } from './profile-store.ts';

/**
 * Activate profile `name` (default profile when omitted). Each OTA reply is recorded in the
 * profile (websocket url/token — "test-token" when missing —, mqtt, server time, firmware,
 * activation_status). On success the result carries the updated profile.
 */
export async function activateProfile(
  store: ProfileStore,
  name: string | undefined,
  opts: Omit<ActivateOptions, 'onOtaReply' | 'defaultPortalUrl'> = {},
): Promise<ActivationOutcome & { profile: DeviceProfile }> {
  const profile = await store.resolve(name);
  const result = await activate(profile, {
    ...opts,
    defaultPortalUrl: profile.server.authorizationUrl,
    onOtaReply: async (reply) => {
      await store.recordOta(profile.name, reply);
    },
  });
  return { ...result, profile: await store.get(profile.name) };
}

/** One OTA check for a stored profile, recorded like py-xiaozhi does; returns the updated profile. */
export async function refreshProfile(store: ProfileStore, name: string | undefined, opts: OtaOptions = {}): Promise<DeviceProfile> {
  const profile = await store.resolve(name);
  const { reply } = await runOta(profile, opts);
  return store.recordOta(profile.name, reply);
}
