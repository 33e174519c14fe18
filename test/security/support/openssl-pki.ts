import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** A certificate made by the real openssl for a test, with its key (kept in the test's temp folder only). */
export interface IssuedCertificate {
  readonly certificatePem: string;
  readonly keyPem: string;
  readonly certificateFile: string;
  readonly keyFile: string;
}

/** The v3 extensions of a certificate, as openssl's config syntax writes them. */
export interface CertificateExtensions {
  readonly basicConstraints?: string;
  readonly keyUsage?: string;
  readonly subjectAltName?: string;
  readonly extendedKeyUsage?: string;
}

function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function extensionFile(dir: string, name: string, extensions: CertificateExtensions): string {
  const lines = Object.entries(extensions)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key} = ${value}`);
  const file = path.join(dir, `${name}.ext`);
  // `req` needs a distinguished_name section even when -subj gives the name.
  fs.writeFileSync(file, `[req]\ndistinguished_name = dn\n[dn]\n[v3]\n${lines.join('\n')}\n`);
  return file;
}

/**
 * Makes a certificate named `name` in `dir` with an EC P-256 key: self-signed when `issuer` is
 * undefined, else signed by it. Valid from now for 30 days.
 */
export function issueCertificate(dir: string, name: string, subject: string, extensions: CertificateExtensions, issuer?: IssuedCertificate): IssuedCertificate {
  const keyFile = path.join(dir, `${name}.key`);
  const certificateFile = path.join(dir, `${name}.pem`);
  const extFile = extensionFile(dir, name, extensions);
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile]);
  if (issuer === undefined) {
    openssl(dir, ['req', '-new', '-x509', '-key', keyFile, '-sha256', '-days', '30', '-subj', subject, '-config', extFile, '-extensions', 'v3', '-out', certificateFile]);
  } else {
    const request = path.join(dir, `${name}.csr`);
    openssl(dir, ['req', '-new', '-key', keyFile, '-subj', subject, '-config', extFile, '-out', request]);
    openssl(dir, ['x509', '-req', '-in', request, '-CA', issuer.certificateFile, '-CAkey', issuer.keyFile, '-CAcreateserial', '-sha256', '-days', '30', '-extfile', extFile, '-extensions', 'v3', '-out', certificateFile]);
  }
  return { certificatePem: fs.readFileSync(certificateFile, 'utf8'), keyPem: fs.readFileSync(keyFile, 'utf8'), certificateFile, keyFile };
}

/** A root CA as a real Vault's issuing CA is made: CA:TRUE, may sign certificates and CRLs. */
export function rootCa(dir: string, name: string, commonName: string): IssuedCertificate {
  return issueCertificate(dir, name, `/O=Test/CN=${commonName}`, { basicConstraints: 'critical, CA:TRUE', keyUsage: 'critical, keyCertSign, cRLSign' });
}

/** A TLS server certificate for `dnsName`, signed by `ca`. */
export function serverCertificate(dir: string, name: string, dnsName: string, ca: IssuedCertificate): IssuedCertificate {
  return issueCertificate(
    dir,
    name,
    `/O=Test/CN=${dnsName}`,
    { basicConstraints: 'critical, CA:FALSE', keyUsage: 'critical, digitalSignature', extendedKeyUsage: 'serverAuth', subjectAltName: `DNS:${dnsName}` },
    ca,
  );
}
