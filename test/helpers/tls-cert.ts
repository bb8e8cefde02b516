// A throwaway self-signed certificate for 127.0.0.1/localhost, generated with openssl at test time
// (no key material is committed). The directory is removed by remove().
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  key: string;
  cert: string;
  remove(): void;
}

export function makeTestCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'tcp-keepalive-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'pipe', timeout: 10000 },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`openssl could not make a test certificate (is openssl installed?): ${String(error)}`);
  }
}

/** One throwaway certificate for a test file: made before its tests, removed after them. */
export function useTestCert(): () => TestCert {
  let cert: TestCert | undefined;
  beforeAll(() => {
    cert = makeTestCert();
  });
  afterAll(() => cert?.remove());
  return () => {
    if (!cert) throw new Error('useTestCert(): the certificate is made in beforeAll');
    return cert;
  };
}
