import { spawnSync } from 'child_process';
import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tls from 'tls';

/** A throwaway certificate authority made with `openssl` for one test run: never trusted anywhere else. */
export interface TestCertificateAuthority {
  readonly certFile: string;
  readonly keyFile: string;
}

/** A key pair issued by a TestCertificateAuthority. */
export interface TestKeyPair {
  readonly certFile: string;
  readonly keyFile: string;
}

function openssl(...args: string[]): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`openssl ${args.join(' ')} failed: ${result.error ?? ''}${result.stderr}`);
  }
}

/** A self-signed ECDSA P-256 root in `dir`, like the internal CA cert-manager runs for development. */
export function createTestCertificateAuthority(dir: string, name: string): TestCertificateAuthority {
  const ca = { certFile: path.join(dir, `${name}.crt`), keyFile: path.join(dir, `${name}.key`) };
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', `/CN=${name}`, '-keyout', ca.keyFile, '-out', ca.certFile);
  return ca;
}

/**
 * An ECDSA P-256 key pair (PKCS#8, as cert-manager writes it) signed by `ca` for `subjectAltNames`
 * (e.g. `DNS:localhost`, `IP:127.0.0.1`), usable as server and client certificate like the one
 * `TlsCertificate` requests with `clientAuth`.
 */
export function issueTestKeyPair(ca: TestCertificateAuthority, dir: string, name: string, subjectAltNames: readonly string[]): TestKeyPair {
  const pair = { certFile: path.join(dir, `${name}.crt`), keyFile: path.join(dir, `${name}.key`) };
  const request = path.join(dir, `${name}.csr`);
  const extensions = path.join(dir, `${name}.ext`);
  fs.writeFileSync(extensions, [
    `subjectAltName=${subjectAltNames.join(',')}`,
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth,clientAuth',
  ].join('\n') + '\n');
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', pair.keyFile, '-out', request);
  openssl('x509', '-req', '-in', request, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-days', '1', '-extfile', extensions, '-out', pair.certFile);
  return pair;
}

/** SHA-256 fingerprint of the certificate in `certFile`. */
export function fingerprintOf(certFile: string): string {
  return new X509Certificate(fs.readFileSync(certFile)).fingerprint256;
}

/**
 * SHA-256 fingerprint of the certificate a TLS server on 127.0.0.1:`port` presents to a new
 * connection, verified against `caFile` including the address (as a Node client checks the host).
 */
export function servedFingerprint(port: number, caFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: fs.readFileSync(caFile), minVersion: 'TLSv1.2' }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.destroy();
      resolve(fingerprint);
    });
    socket.once('error', reject);
  });
}
