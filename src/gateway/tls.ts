/**
 * HTTPS for the gateway itself: TLS_CERT + TLS_KEY files, or `--tls-self-signed`, which makes (once) a
 * self-signed certificate for localhost/127.0.0.1/::1 and the bind host with the `openssl` command-line
 * tool, stored under DATA_DIR/tls/. Browsers need HTTPS (or localhost) for the microphone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '../node/logger.ts';
import type { GatewayConfig } from './config.ts';

export interface TlsMaterial {
  cert: string;
  key: string;
}

export class TlsSetupError extends Error {
  override readonly name = 'TlsSetupError';
}

export async function loadTls(config: GatewayConfig, logger: Logger): Promise<TlsMaterial | null> {
  if (config.tlsCertFile && config.tlsKeyFile) {
    return { cert: readFileSync(config.tlsCertFile, 'utf8'), key: readFileSync(config.tlsKeyFile, 'utf8') };
  }
  if (!config.tlsSelfSigned) return null;
  const dir = join(config.dataDir, 'tls');
  const certPath = join(dir, 'self-signed-cert.pem');
  const keyPath = join(dir, 'self-signed-key.pem');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    makeSelfSigned(dir, certPath, keyPath, config.host);
    logger.warn({ event: 'tls_self_signed', certPath }, 'created a self-signed certificate; browsers will warn until you trust it');
  }
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}

function makeSelfSigned(dir: string, certPath: string, keyPath: string, host: string): void {
  const names = new Set(['DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);
  if (host && host !== '0.0.0.0' && host !== '::') names.add(isIP(host) ? `IP:${host}` : `DNS:${host}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '825',
      '-subj', '/CN=xiaozhi-web gateway', '-addext', `subjectAltName=${[...names].join(',')}`,
      '-keyout', keyPath, '-out', certPath,
    ], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new TlsSetupError(
      missing
        ? 'TLS_SELF_SIGNED: the `openssl` command was not found; install OpenSSL or give TLS_CERT and TLS_KEY files'
        : `TLS_SELF_SIGNED: openssl failed to create a certificate: ${String((err as { stderr?: Buffer }).stderr ?? err).trim().slice(0, 300)}`,
    );
  }
}
