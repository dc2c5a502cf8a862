/**
 * Error type of the device layer (identity, profile store, OTA, activation).
 *
 * Codes are our own `XZ_*` strings (conventions: prefixed UPPER_SNAKE). Callers switch on `code`;
 * `path` names the file for storage errors, `status` the HTTP status for upstream errors.
 */
export type DeviceErrorCode =
  | 'XZ_PROFILE_NOT_FOUND'
  | 'XZ_PROFILE_EXISTS'
  | 'XZ_PROFILE_NAME_INVALID'
  | 'XZ_PROFILE_CORRUPT'
  | 'XZ_PROFILE_IO'
  | 'XZ_IMPORT_SOURCE_INVALID'
  | 'XZ_EXPORT_TARGET_EXISTS'
  | 'XZ_OTA_URL_INVALID'
  | 'XZ_OTA_NETWORK'
  | 'XZ_OTA_TIMEOUT'
  | 'XZ_OTA_HTTP_STATUS'
  | 'XZ_OTA_REJECTED'
  | 'XZ_OTA_BAD_REPLY'
  | 'XZ_ACTIVATION_HTTP_STATUS'
  | 'XZ_ACTIVATION_TIMEOUT'
  | 'XZ_ACTIVATION_INCOMPLETE'
  | 'XZ_CANCELLED';

/** A failure in `src/device`. `message` is English and already redacted (never contains a token). */
export class DeviceError extends Error {
  override readonly name = 'DeviceError';
  readonly code: DeviceErrorCode;
  /** File the error is about (storage errors). */
  readonly path?: string;
  /** HTTP status returned by the server (OTA / activation errors). */
  readonly status?: number;

  constructor(
    code: DeviceErrorCode,
    message: string,
    extra: { path?: string; status?: number; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.code = code;
    if (extra.path !== undefined) this.path = extra.path;
    if (extra.status !== undefined) this.status = extra.status;
  }
}

/** True when `err` is a {@link DeviceError}, optionally with the given code. */
export function isDeviceError(err: unknown, code?: DeviceErrorCode): err is DeviceError {
  return err instanceof DeviceError && (code === undefined || err.code === code);
}
