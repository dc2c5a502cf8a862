/**
 * Device layer: identities, py-xiaozhi-compatible profile storage, OTA and activation.
 *
 * ```ts
 * import { ProfileStore, resolveDataDir, activateProfile, runOta, activate } from '../device/index.ts';
 *
 * const store = new ProfileStore({ dataDir: resolveDataDir(flag) }); // --data-dir > XIAOZHI_DATA_DIR > ./data
 * await store.list();                          // { profiles: DeviceProfile[], broken: [{ name, error }] }
 * await store.get(name);                       // DeviceProfile (throws DeviceError XZ_PROFILE_NOT_FOUND / _CORRUPT)
 * await store.resolve(name?);                  // name or the default profile
 * await store.has(name); store.getDefault(); store.setDefault(name); store.defaultName();
 * await store.create({ name, label?, otaUrl?, mac?, makeDefault? });      // random locally administered MAC
 * await store.importProfile({ from, efuseFrom?, name?, label?, link?, makeDefault? });
 * await store.exportProfile(name, destDir, { force? });                     // writes config.json + efuse.json
 * await store.readFiles(name);                 // { config, efuse } exact text
 * await store.update(name, { label?, otaUrl?, websocketUrl?, token?, mqtt?, activated?, ... });
 * await store.recordOta(name, otaReply);       // store what an OTA reply said
 * await store.remove(name);
 * const w = await store.watch(name, (ev) => …); // ev: { type:'changed', profile, tokenChanged } | { type:'error', error }
 * w.close();
 *
 * await runOta(profileOrTarget, { signal?, timeoutMs?, client? });         // { reply: OtaReply, url }
 * await refreshProfile(store, name?, otaOpts);                              // runOta + recordOta
 * await activateProfile(store, name?, { signal, onProgress, deadlineMs, pollIntervalMs });
 * await activate(profileOrTarget, { signal, onProgress, deadlineMs, pollIntervalMs, onOtaReply });
 * //   → { outcome:'activated', reply, alreadyActivated } | { outcome:'failed', code, detail, status? } | { outcome:'cancelled' }
 * //   progress: ota-sent {url} · code-issued {code, message, portalUrl, timeoutMs?} · waiting {attempt, status?, error?}
 * //             · activated {alreadyActivated} · failed {code, detail, status?} · cancelled
 * ```
 *
 * Storage layout: see profile-paths.ts. Failures are `DeviceError` with an `XZ_*` code (errors.ts);
 * messages never contain tokens. Use {@link maskToken} whenever a token is shown.
 */
export { DeviceError, isDeviceError, type DeviceErrorCode } from './errors.ts';
export {
  createIdentity, hmacKeyFor, isLocallyAdministeredUnicast, isMac, isUuid, makeIdentity, normalizeMac, randomMac,
  serialNumberFor, signChallenge, type DeviceIdentity, type IdentityFingerprint,
} from './identity.ts';
export { writeFileAtomic, TEMP_SUFFIX } from './atomic-write.ts';
export {
  DEFAULT_TOKEN, OFFICIAL_AUTHORIZATION_URL, OFFICIAL_OTA_URL, type ServerSettings,
} from './py-xiaozhi-files.ts';
export {
  DEFAULT_DATA_DIR, INDEX_FILE, META_FILE, isValidProfileName, resolveDataDir, slugifyProfileName, type ProfilePaths,
} from './profile-paths.ts';
export {
  ProfileStore, type CreateProfileOptions, type DeviceProfile, type ImportOptions, type LastOta, type ProfileList,
  type ProfileUpdate,
} from './profile-store.ts';
export { type ProfileWatchEvent, type ProfileWatchListener, type ProfileWatcher } from './profile-watch.ts';
export { DEFAULT_CLIENT_INFO, buildActivationBody, buildOtaBody, buildOtaHeaders, type ClientInfo, type OtaTarget } from './ota-request.ts';
export { HTTP_TIMEOUT_MS, runOta, type OtaOptions, type OtaResult } from './ota-client.ts';
export { DEFAULT_PORTAL_URL, portalUrlFromMessage } from './portal-url.ts';
export {
  DEFAULT_DEADLINE_MS, DEFAULT_POLL_INTERVAL_MS, activate, type ActivateOptions, type ActivationOutcome, type ActivationProgress,
} from './activation.ts';
export { activateProfile, refreshProfile } from './activate-profile.ts';
export { maskToken } from './mask-token.ts';
