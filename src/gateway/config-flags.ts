/** Command-line flags of the gateway; each maps to one setting of config.ts and overrides env/.env. */
import type { SettingName } from './config.ts';

export interface FlagSpec {
  flag: string;
  setting: SettingName;
  /** Boolean flags take no value (`--tls-self-signed`); `--no-x` is not supported on purpose. */
  boolean?: boolean;
}

export const FLAG_SPECS: readonly FlagSpec[] = [
  { flag: '--port', setting: 'PORT' },
  { flag: '--host', setting: 'HOST' },
  { flag: '--backend-ws-url', setting: 'BACKEND_WS_URL' },
  { flag: '--ota-url', setting: 'OTA_URL' },
  { flag: '--log-level', setting: 'LOG_LEVEL' },
  { flag: '--allowed-origins', setting: 'ALLOWED_ORIGINS' },
  { flag: '--access-key', setting: 'ACCESS_KEY' },
  { flag: '--allow-open-gateway', setting: 'ALLOW_OPEN_GATEWAY', boolean: true },
  { flag: '--upstream-ca-file', setting: 'UPSTREAM_CA_FILE' },
  { flag: '--tls-cert', setting: 'TLS_CERT' },
  { flag: '--tls-key', setting: 'TLS_KEY' },
  { flag: '--tls-self-signed', setting: 'TLS_SELF_SIGNED', boolean: true },
  { flag: '--data-dir', setting: 'DATA_DIR' },
  { flag: '--max-sessions', setting: 'MAX_SESSIONS' },
  { flag: '--max-sessions-per-ip', setting: 'MAX_SESSIONS_PER_IP' },
  { flag: '--max-new-sessions-per-ip-per-sec', setting: 'MAX_NEW_SESSIONS_PER_IP_PER_SEC' },
  { flag: '--ota-requests-per-min', setting: 'OTA_REQUESTS_PER_MIN' },
  { flag: '--ota-burst', setting: 'OTA_BURST' },
  { flag: '--trust-proxy', setting: 'TRUST_PROXY' },
  { flag: '--shutdown-timeout-ms', setting: 'SHUTDOWN_TIMEOUT_MS' },
  { flag: '--ota-timeout-ms', setting: 'OTA_TIMEOUT_MS' },
  { flag: '--ticket-ttl-ms', setting: 'TICKET_TTL_MS' },
  { flag: '--protocol-version', setting: 'PROTOCOL_VERSION' },
  { flag: '--relay-mode', setting: 'RELAY_MODE' },
];

/** Parse `--flag value`, `--flag=value` and boolean `--flag`; unknown flags are problems, not ignored. */
export function parseFlags(argv: readonly string[]): { values: Partial<Record<SettingName, string>>; problems: string[] } {
  const values: Partial<Record<SettingName, string>> = {};
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = FLAG_SPECS.find((f) => f.flag === name);
    if (!spec) {
      problems.push(`${arg.startsWith('-') ? `unknown flag ${name}` : `unexpected argument ${JSON.stringify(arg)}`} (see --help)`);
      continue;
    }
    if (spec.boolean) {
      values[spec.setting] = eq > 0 ? arg.slice(eq + 1) : '1';
      continue;
    }
    if (eq > 0) values[spec.setting] = arg.slice(eq + 1);
    else if (i + 1 < argv.length) values[spec.setting] = argv[++i]!;
    else problems.push(`${name} (${spec.setting}) needs a value`);
  }
  return { values, problems };
}
