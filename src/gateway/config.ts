/**
 * Gateway configuration: defaults ← `.env` in the working directory ← process environment ← flags.
 * Every setting is validated and all problems are reported together, each naming its setting
 * (peers-and-users.md §1.1: the original read PORT/HOST/BACKEND_WS_URL only and ignored `.env`).
 * The result is frozen; durations and sizes carry their unit in the name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseEnvFile } from './config-env-file.ts';
import { FLAG_SPECS, parseFlags } from './config-flags.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface GatewayConfig {
  port: number;
  host: string;
  /** Legacy upstream (`/api/ws-proxy`): fixed here, never chosen by a client (reliability §2.13). */
  backendWsUrl: string;
  otaUrl: string;
  logLevel: LogLevel;
  /** Extra origins allowed besides the Host's own origin (exact `scheme://host[:port]`). */
  allowedOrigins: readonly string[];
  accessKey: string | null;
  allowOpenGateway: boolean;
  upstreamCaFile: string | null;
  /** PEM text of UPSTREAM_CA_FILE, read at start-up. */
  upstreamCa: string | null;
  tlsCertFile: string | null;
  tlsKeyFile: string | null;
  tlsSelfSigned: boolean;
  dataDir: string;
  maxSessions: number;
  maxSessionsPerIp: number;
  maxNewSessionsPerIpPerSec: number;
  otaRequestsPerMin: number;
  otaBurst: number;
  /** Proxy addresses whose X-Forwarded-For / X-Forwarded-Proto are believed (`loopback` = 127.0.0.1, ::1). */
  trustProxy: readonly string[];
  shutdownTimeoutMs: number;
  otaTimeoutMs: number;
  ticketTtlMs: number;
  /** Protocol-Version sent upstream for legacy-query sessions (the original always sent 1). */
  protocolVersion: 1 | 2 | 3;
  /** How data frames are relayed once both legs are open (relay/index.ts `mode`). */
  relayMode: 'splice' | 'framed';
}

/** Raw setting values by env name (what `.env`, the environment and flags produce). */
export type RawSettings = Partial<Record<SettingName, string>>;

export const SETTINGS = [
  'PORT', 'HOST', 'BACKEND_WS_URL', 'OTA_URL', 'LOG_LEVEL', 'ALLOWED_ORIGINS', 'ACCESS_KEY', 'ALLOW_OPEN_GATEWAY',
  'UPSTREAM_CA_FILE', 'TLS_CERT', 'TLS_KEY', 'TLS_SELF_SIGNED', 'DATA_DIR', 'MAX_SESSIONS', 'MAX_SESSIONS_PER_IP',
  'MAX_NEW_SESSIONS_PER_IP_PER_SEC', 'OTA_REQUESTS_PER_MIN', 'OTA_BURST', 'TRUST_PROXY', 'SHUTDOWN_TIMEOUT_MS',
  'OTA_TIMEOUT_MS', 'TICKET_TTL_MS', 'PROTOCOL_VERSION', 'RELAY_MODE',
] as const;
export type SettingName = (typeof SETTINGS)[number];

export const DEFAULTS: Readonly<Record<SettingName, string>> = Object.freeze({
  PORT: '8080',
  HOST: '127.0.0.1',
  BACKEND_WS_URL: 'wss://api.tenclass.net/xiaozhi/v1/',
  OTA_URL: 'https://api.tenclass.net/xiaozhi/ota/',
  LOG_LEVEL: 'info',
  ALLOWED_ORIGINS: '',
  ACCESS_KEY: '',
  ALLOW_OPEN_GATEWAY: '0',
  UPSTREAM_CA_FILE: '',
  TLS_CERT: '',
  TLS_KEY: '',
  TLS_SELF_SIGNED: '0',
  DATA_DIR: './data',
  MAX_SESSIONS: '2000',
  MAX_SESSIONS_PER_IP: '20',
  MAX_NEW_SESSIONS_PER_IP_PER_SEC: '5',
  OTA_REQUESTS_PER_MIN: '30',
  OTA_BURST: '10',
  TRUST_PROXY: '',
  SHUTDOWN_TIMEOUT_MS: '8000',
  OTA_TIMEOUT_MS: '10000',
  TICKET_TTL_MS: '60000',
  PROTOCOL_VERSION: '1',
  RELAY_MODE: 'splice',
});

/** Start-up configuration problems, one line per setting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export interface LoadConfigOptions {
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Read `<cwd>/.env` (default true). */
  envFile?: boolean;
}

/**
 * Build the configuration from `.env`, the environment and command-line flags (flags win, then the real
 * environment, then `.env`). Throws {@link ConfigError} listing every problem.
 */
export function loadConfig(options: LoadConfigOptions = {}): GatewayConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];
  const raw: RawSettings = {};
  if (options.envFile !== false) {
    const path = resolve(cwd, '.env');
    if (existsSync(path)) {
      const parsed = parseEnvFile(readFileSync(path, 'utf8'));
      for (const p of parsed.problems) problems.push(`.env: ${p}`);
      for (const name of SETTINGS) if (parsed.values[name] !== undefined) raw[name] = parsed.values[name];
    }
  }
  for (const name of SETTINGS) if (env[name] !== undefined && env[name] !== '') raw[name] = env[name];
  // XIAOZHI_DATA_DIR is the device layer's name for the same folder.
  if (raw.DATA_DIR === undefined && env['XIAOZHI_DATA_DIR']) raw.DATA_DIR = env['XIAOZHI_DATA_DIR'];
  const flags = parseFlags(options.argv ?? []);
  problems.push(...flags.problems);
  Object.assign(raw, flags.values);
  return resolveConfig(raw, { cwd, problems });
}

/** Validate raw settings (env names → strings) into a frozen config; throws {@link ConfigError}. */
export function resolveConfig(raw: RawSettings, ctx: { cwd?: string; problems?: string[] } = {}): GatewayConfig {
  const problems = ctx.problems ?? [];
  const cwd = ctx.cwd ?? process.cwd();
  const get = (n: SettingName): string => (raw[n] ?? DEFAULTS[n]).trim();
  const bad = (n: SettingName, why: string) => problems.push(`${n}=${n === 'ACCESS_KEY' ? '[hidden]' : JSON.stringify(raw[n] ?? '')}: ${why}`);

  const int = (n: SettingName, min: number, max: number): number => {
    const s = get(n);
    const v = Number(s);
    if (!/^\d+$/.test(s) || !Number.isSafeInteger(v) || v < min || v > max) {
      bad(n, `must be a whole number from ${min} to ${max}`);
      return Number(DEFAULTS[n]);
    }
    return v;
  };
  const bool = (n: SettingName): boolean => {
    const s = get(n).toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
    bad(n, 'must be 1/0, true/false, yes/no or on/off');
    return false;
  };
  const url = (n: SettingName, protocols: string[]): string => {
    const s = get(n);
    try {
      const u = new URL(s);
      if (!protocols.includes(u.protocol)) throw new Error('protocol');
      if (u.username || u.password) throw new Error('userinfo');
      return s;
    } catch {
      bad(n, `must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL without user:password`);
      return DEFAULTS[n];
    }
  };
  const file = (n: SettingName): string | null => {
    const s = get(n);
    if (!s) return null;
    const abs = isAbsolute(s) ? s : resolve(cwd, s);
    if (!existsSync(abs)) {
      bad(n, `file not found: ${abs}`);
      return null;
    }
    return abs;
  };

  const port = int('PORT', 0, 65535);
  const host = get('HOST');
  if (!host || /[\s/]/.test(host)) bad('HOST', 'must be an IP address or host name to bind, e.g. 127.0.0.1 or 0.0.0.0');
  const backendWsUrl = url('BACKEND_WS_URL', ['ws:', 'wss:']);
  const otaUrl = url('OTA_URL', ['http:', 'https:']);
  const logLevel = get('LOG_LEVEL').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) bad('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  const allowedOrigins: string[] = [];
  for (const o of get('ALLOWED_ORIGINS').split(',').map((x) => x.trim()).filter(Boolean)) {
    if (o === '*' || o === 'null') {
      bad('ALLOWED_ORIGINS', `"${o}" is not allowed: list exact origins like https://app.example.com`);
      continue;
    }
    try {
      const u = new URL(o);
      if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.origin !== o.replace(/\/$/, '')) throw new Error();
      allowedOrigins.push(u.origin);
    } catch {
      bad('ALLOWED_ORIGINS', `"${o}" is not an origin (scheme://host[:port], no path)`);
    }
  }

  const accessKey = get('ACCESS_KEY') || null;
  if (accessKey !== null && (accessKey.length < 12 || !/^[\x21-\x7e]+$/.test(accessKey))) {
    bad('ACCESS_KEY', 'must be at least 12 printable characters without spaces');
  }
  const allowOpenGateway = bool('ALLOW_OPEN_GATEWAY');
  if (!isLoopbackHost(host) && accessKey === null && !allowOpenGateway) {
    problems.push(
      `HOST=${JSON.stringify(host)}: binding to a non-loopback address exposes the gateway; set ACCESS_KEY (or --access-key), ` +
        'or pass --allow-open-gateway / ALLOW_OPEN_GATEWAY=1 if something else protects it',
    );
  }

  const upstreamCaFile = file('UPSTREAM_CA_FILE');
  let upstreamCa: string | null = null;
  if (upstreamCaFile) {
    upstreamCa = readFileSync(upstreamCaFile, 'utf8');
    if (!upstreamCa.includes('-----BEGIN CERTIFICATE-----')) bad('UPSTREAM_CA_FILE', 'does not contain a PEM certificate');
  }
  const tlsCertFile = file('TLS_CERT');
  const tlsKeyFile = file('TLS_KEY');
  if (Boolean(raw.TLS_CERT) !== Boolean(raw.TLS_KEY)) {
    bad(raw.TLS_CERT ? 'TLS_KEY' : 'TLS_CERT', 'TLS_CERT and TLS_KEY must be given together');
  }
  const tlsSelfSigned = bool('TLS_SELF_SIGNED');
  if (tlsSelfSigned && raw.TLS_CERT) bad('TLS_SELF_SIGNED', 'cannot be combined with TLS_CERT/TLS_KEY');

  const dataDirRaw = get('DATA_DIR');
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);

  const maxSessions = int('MAX_SESSIONS', 1, 1_000_000);
  const maxSessionsPerIp = int('MAX_SESSIONS_PER_IP', 1, 1_000_000);
  const maxNewSessionsPerIpPerSec = int('MAX_NEW_SESSIONS_PER_IP_PER_SEC', 1, 1_000_000);
  const otaRequestsPerMin = int('OTA_REQUESTS_PER_MIN', 1, 100_000);
  const otaBurst = int('OTA_BURST', 1, 100_000);

  const trustProxy: string[] = [];
  for (const t of get('TRUST_PROXY').split(',').map((x) => x.trim()).filter(Boolean)) {
    if (t === 'loopback') trustProxy.push('127.0.0.1', '::1', '::ffff:127.0.0.1');
    else if (/^[0-9a-fA-F:.]+$/.test(t)) trustProxy.push(t, ...(t.includes(':') ? [] : [`::ffff:${t}`]));
    else bad('TRUST_PROXY', `"${t}" is not an IP address or "loopback"`);
  }

  const shutdownTimeoutMs = int('SHUTDOWN_TIMEOUT_MS', 100, 9000);
  const otaTimeoutMs = int('OTA_TIMEOUT_MS', 100, 60_000);
  const ticketTtlMs = int('TICKET_TTL_MS', 1000, 600_000);
  const protocolVersion = int('PROTOCOL_VERSION', 1, 3) as 1 | 2 | 3;
  const relayMode = get('RELAY_MODE').toLowerCase() as 'splice' | 'framed';
  if (relayMode !== 'splice' && relayMode !== 'framed') bad('RELAY_MODE', 'must be splice or framed');

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    port, host, backendWsUrl, otaUrl, logLevel, allowedOrigins: Object.freeze(allowedOrigins), accessKey,
    allowOpenGateway, upstreamCaFile, upstreamCa, tlsCertFile, tlsKeyFile, tlsSelfSigned, dataDir, maxSessions,
    maxSessionsPerIp, maxNewSessionsPerIpPerSec, otaRequestsPerMin, otaBurst, trustProxy: Object.freeze(trustProxy),
    shutdownTimeoutMs, otaTimeoutMs, ticketTtlMs, protocolVersion, relayMode,
  });
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Usage text for `--help`. */
export function configHelp(): string {
  const lines = FLAG_SPECS.map((f) => `  ${f.flag.padEnd(34)} ${f.setting.padEnd(32)} default ${JSON.stringify(DEFAULTS[f.setting])}`);
  return `Flags (override environment and .env):\n${lines.join('\n')}\n`;
}
