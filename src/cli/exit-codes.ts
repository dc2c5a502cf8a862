/**
 * Exit codes of the `xiaozhi-web` command (documented in docs/cli.md and `xiaozhi-web --help`).
 * Scripts may rely on them; never renumber.
 */
export const EXIT = Object.freeze({
  /** Success. */
  OK: 0,
  /** Any other failure (profile exists / not found, a part not available in this build, unexpected error). */
  FAILURE: 1,
  /** Usage error: unknown command or option, missing or malformed argument. */
  USAGE: 2,
  /** Device not activated, or the activation server refused / did not complete activation. */
  NOT_ACTIVATED: 3,
  /** Cancelled (Ctrl-C) or the activation deadline passed. */
  CANCELLED: 4,
  /** Network or upstream failure: OTA unreachable, timed out, HTTP error, error body, bad reply. */
  NETWORK: 5,
  /** A config/storage file is corrupt or unreadable (its path is printed). */
  STORAGE: 6,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
