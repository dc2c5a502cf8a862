/** Map failures to exit codes and localized one-line explanations. */
import { isDeviceError, type DeviceErrorCode } from '../device/index.ts';
import type { CliContext } from './context.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

const BY_CODE: Record<DeviceErrorCode, ExitCode> = {
  XZ_PROFILE_NOT_FOUND: EXIT.FAILURE,
  XZ_PROFILE_EXISTS: EXIT.FAILURE,
  XZ_EXPORT_TARGET_EXISTS: EXIT.FAILURE,
  XZ_IMPORT_SOURCE_INVALID: EXIT.FAILURE,
  XZ_PROFILE_NAME_INVALID: EXIT.USAGE,
  XZ_OTA_URL_INVALID: EXIT.USAGE,
  XZ_PROFILE_CORRUPT: EXIT.STORAGE,
  XZ_PROFILE_IO: EXIT.STORAGE,
  XZ_OTA_NETWORK: EXIT.NETWORK,
  XZ_OTA_TIMEOUT: EXIT.NETWORK,
  XZ_OTA_HTTP_STATUS: EXIT.NETWORK,
  XZ_OTA_REJECTED: EXIT.NETWORK,
  XZ_OTA_BAD_REPLY: EXIT.NETWORK,
  XZ_ACTIVATION_HTTP_STATUS: EXIT.NOT_ACTIVATED,
  XZ_ACTIVATION_INCOMPLETE: EXIT.NOT_ACTIVATED,
  XZ_ACTIVATION_TIMEOUT: EXIT.CANCELLED,
  XZ_CANCELLED: EXIT.CANCELLED,
};

/** Exit code for a device-layer error code. */
export function exitCodeFor(code: DeviceErrorCode): ExitCode {
  return BY_CODE[code];
}

/** Print `err` in the user's language and return the exit code to use. */
export function reportError(ctx: CliContext, err: unknown): ExitCode {
  if (isDeviceError(err)) {
    const code = exitCodeFor(err.code);
    const line = `${err.message} [${err.code}]`;
    if (code === EXIT.STORAGE) ctx.err(ctx.m['err.storage'](line));
    else if (code === EXIT.NETWORK) ctx.err(ctx.m['err.network'](line));
    else if (code === EXIT.USAGE) ctx.err(ctx.m['err.usage'](line));
    else ctx.err(ctx.m['err.generic'](line));
    return code;
  }
  ctx.err(ctx.m['err.generic'](err instanceof Error ? err.message : String(err)));
  return EXIT.FAILURE;
}
