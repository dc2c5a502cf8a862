/** Test helpers for the doctor: identities and throw-away certificates made with openssl. */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let seq = 0;
/** A fresh locally-administered MAC and UUID pair. */
export function identity(): { deviceId: string; clientId: string } {
  seq++;
  const b = [0x02, 0xd0, (process.pid >> 8) & 0xff, process.pid & 0xff, (seq >> 8) & 0xff, seq & 0xff];
  return { deviceId: b.map((x) => x.toString(16).padStart(2, '0')).join(':'), clientId: randomUUID() };
}

export interface TestCert {
  cert: string;
  key: string;
}

/** A self-signed certificate (`openssl req -x509 …`) with the given subjectAltName. */
export function selfSigned(san: string): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'xz-doctor-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', `subjectAltName=${san}`,
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
