import { spawnSync } from 'child_process';
import { generateKeyPairSync, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** The files a loopback control plane needs: its own CA, the API server's serving pair, the service-account signing pair. */
export interface ControlPlanePki {
  readonly caCertFile: string;
  readonly caKeyFile: string;
  readonly servingCertFile: string;
  readonly servingKeyFile: string;
  readonly serviceAccountKeyFile: string;
  readonly serviceAccountPublicKeyFile: string;
  /** The CA certificate's PEM, which clients trust. */
  readonly caPem: string;
}

/**
 * Makes a throwaway CA and, signed by it, the API server's serving certificate for the loopback
 * address and the in-cluster names (openssl); the service-account key pair comes from node:crypto.
 * Everything is new per control plane and lives in `dir`, which the control plane removes.
 */
export function makeControlPlanePki(dir: string): ControlPlanePki {
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=generator-platform-test-ca', '-keyout', file('ca.key'), '-out', file('ca.crt')]);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=kube-apiserver', '-keyout', file('apiserver.key'), '-out', file('apiserver.csr')]);
  const names = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];
  fs.writeFileSync(file('apiserver.ext'), `subjectAltName=IP:127.0.0.1,${names.map((name) => `DNS:${name}`).join(',')}\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-in', file('apiserver.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '2', '-extfile', file('apiserver.ext'), '-out', file('apiserver.crt')]);
  const serviceAccount = generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(file('sa.key'), serviceAccount.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  fs.writeFileSync(file('sa.pub'), serviceAccount.publicKey.export({ type: 'spki', format: 'pem' }));
  return {
    caCertFile: file('ca.crt'),
    caKeyFile: file('ca.key'),
    servingCertFile: file('apiserver.crt'),
    servingKeyFile: file('apiserver.key'),
    serviceAccountKeyFile: file('sa.key'),
    serviceAccountPublicKeyFile: file('sa.pub'),
    caPem: fs.readFileSync(file('ca.crt'), 'utf8'),
  };
}

function openssl(args: readonly string[]): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`openssl ${args[0]} failed: ${result.stderr || result.error?.message}`);
  }
}
