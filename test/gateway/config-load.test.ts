import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveConfig } from '../../src/gateway/config.ts';
import { createGateway } from '../../src/gateway/gateway.ts';
import { parseEnvFile } from '../../src/gateway/config-env-file.ts';

function dirWithEnv(text?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'xzw-cfg-'));
  if (text !== undefined) writeFileSync(join(dir, '.env'), text);
  return dir;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('gateway config', () => {
  it('defaults match the original proxy, but bind to loopback', () => {
    const c = loadConfig({ env: {}, cwd: dirWithEnv() });
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.backendWsUrl).toBe('wss://api.tenclass.net/xiaozhi/v1/');
    expect(c.otaUrl).toBe('https://api.tenclass.net/xiaozhi/ota/');
    expect(c.maxSessionsPerIp).toBe(20);
    expect(c.ticketTtlMs).toBe(60_000);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.allowedOrigins)).toBe(true);
  });

  it('reads .env from the working directory; environment beats .env; flags beat both', () => {
    const cwd = dirWithEnv('# comment\nPORT=9001\nexport LOG_LEVEL="debug"\nBACKEND_WS_URL=ws://127.0.0.1:1/x # trailing comment\nOTA_URL=http://127.0.0.1:2/ota/\n');
    const fromFile = loadConfig({ env: {}, cwd });
    expect(fromFile.port).toBe(9001);
    expect(fromFile.logLevel).toBe('debug');
    expect(fromFile.backendWsUrl).toBe('ws://127.0.0.1:1/x');
    const envWins = loadConfig({ env: { PORT: '9002' }, cwd });
    expect(envWins.port).toBe(9002);
    const flagsWin = loadConfig({ env: { PORT: '9002' }, cwd, argv: ['--port', '9003', '--log-level=warn', '--allowed-origins', 'http://a.test:8006, https://b.test'] });
    expect(flagsWin.port).toBe(9003);
    expect(flagsWin.logLevel).toBe('warn');
    expect(flagsWin.allowedOrigins).toEqual(['http://a.test:8006', 'https://b.test']);
  });

  it('reports every bad value at once, each naming its setting', () => {
    const cwd = dirWithEnv('PORT=70000\nthis is not a line\n');
    const problems = problemsOf(() =>
      loadConfig({
        env: { LOG_LEVEL: 'loud', BACKEND_WS_URL: 'http://not-ws.example', MAX_SESSIONS: '-1', ALLOWED_ORIGINS: '*', UPSTREAM_CA_FILE: '/nope/ca.pem' },
        cwd,
        argv: ['--bogus', '--port'],
      }),
    );
    const text = problems.join('\n');
    for (const name of ['.env: line 2', 'LOG_LEVEL', 'BACKEND_WS_URL', 'MAX_SESSIONS', 'ALLOWED_ORIGINS', 'UPSTREAM_CA_FILE', 'unknown flag --bogus', '--port (PORT) needs a value']) {
      expect(text).toContain(name);
    }
    expect(problems.length).toBeGreaterThanOrEqual(8);
  });

  it('non-loopback binding requires ACCESS_KEY unless ALLOW_OPEN_GATEWAY (checked by validation, nothing is bound)', () => {
    const problems = problemsOf(() => resolveConfig({ HOST: '0.0.0.0' }));
    expect(problems.join('\n')).toMatch(/HOST="0\.0\.0\.0".*ACCESS_KEY/);
    expect(problemsOf(() => resolveConfig({ HOST: '192.168.1.20' })).length).toBe(1);
    expect(resolveConfig({ HOST: '0.0.0.0', ACCESS_KEY: 'a-long-enough-key' }).accessKey).toBe('a-long-enough-key');
    expect(resolveConfig({ HOST: '0.0.0.0', ALLOW_OPEN_GATEWAY: 'true' }).allowOpenGateway).toBe(true);
    expect(resolveConfig({ HOST: '::1' }).host).toBe('::1');
    expect(resolveConfig({ HOST: 'localhost' }).host).toBe('localhost');
    // A short key is refused, and the message never echoes the key.
    const short = problemsOf(() => resolveConfig({ HOST: '0.0.0.0', ACCESS_KEY: 'short-key' }));
    expect(short.join('\n')).toContain('ACCESS_KEY');
    expect(short.join('\n')).not.toContain('short-key');
  });

  it('the programmatic API enforces the same exposure rule before building anything', async () => {
    await expect(createGateway({ host: '0.0.0.0', dataDir: dirWithEnv() }, { logger: false })).rejects.toThrow(ConfigError);
    await expect(createGateway({ host: '10.1.2.3', allowOpenGateway: false, dataDir: dirWithEnv() }, { logger: false })).rejects.toThrow(/ACCESS_KEY/);
  });

  it('boolean flags, TLS pairs and TRUST_PROXY are validated', () => {
    const c = loadConfig({ env: {}, cwd: dirWithEnv(), argv: ['--allow-open-gateway', '--host', '0.0.0.0', '--trust-proxy', 'loopback,10.0.0.5'] });
    expect(c.allowOpenGateway).toBe(true);
    expect(c.trustProxy).toContain('127.0.0.1');
    expect(c.trustProxy).toContain('10.0.0.5');
    expect(problemsOf(() => resolveConfig({ ALLOW_OPEN_GATEWAY: 'maybe' })).join()).toContain('ALLOW_OPEN_GATEWAY');
    expect(problemsOf(() => resolveConfig({ TLS_CERT: __filename })).join()).toContain('TLS_KEY');
    expect(problemsOf(() => resolveConfig({ TRUST_PROXY: 'everyone' })).join()).toContain('TRUST_PROXY');
    expect(problemsOf(() => resolveConfig({ SHUTDOWN_TIMEOUT_MS: '20000' })).join()).toContain('SHUTDOWN_TIMEOUT_MS');
  });

  it('parses .env quoting like a shell-ish dotenv', () => {
    const r = parseEnvFile('A=1\nB="two words # not a comment"\nC=\'x\'\nD=plain # comment\n  \n#x\nE="unterminated\n');
    expect(r.values).toEqual({ A: '1', B: 'two words # not a comment', C: 'x', D: 'plain' });
    expect(r.problems).toEqual(['line 7 (E): unterminated quote']);
  });
});
