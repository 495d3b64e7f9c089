// The workspace's self-signed TLS certificate: created once, persisted in the data dir, reused across restarts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  cert: string;
  key: string;
  certPath: string;
}

/** Loads the certificate from dataDir/tls, or creates one valid for 127.0.0.1 and localhost. */
export async function loadOrCreateCertificate(dataDir: string): Promise<TlsMaterial> {
  const dir = join(dataDir, 'tls');
  const certPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = readFileSync(certPath, 'utf8');
    // Re-create an expired (or nearly expired) certificate rather than serve one clients reject.
    if (new X509Certificate(cert).validTo && Date.parse(new X509Certificate(cert).validTo) > Date.now() + 86_400_000) {
      return { cert, key: readFileSync(keyPath, 'utf8'), certPath };
    }
  }
  mkdirSync(dir, { recursive: true });
  // EC keys generate in milliseconds (RSA 2048 can take a second), which keeps start-up under 2 s.
  const pems = await generate([{ name: 'commonName', value: 'amlops local workspace' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 5 * 365 * 86_400_000),
    extensions: [
      // The certificate is its own CA: clients add it as a trusted root (tlsOptions.ca / NODE_EXTRA_CA_CERTS).
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  writeFileSync(certPath, pems.cert);
  return { cert: pems.cert, key: pems.private, certPath };
}
