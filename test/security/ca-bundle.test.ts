import { ACME_VAULT_CA_BUNDLE_PEM } from '../../lib/config/environments/vault-ca';
import { CaBundle } from '../../lib/security/ca-bundle';
import { hostOf, isClusterServiceHost, isPrivateUseHost } from '../../lib/security/endpoint-trust';
import { tempDirsRemovedAfterAll } from '../support/files';
import { issueCertificate, IssuedCertificate, rootCa, serverCertificate } from './support/openssl-pki';

const makeTempDir = tempDirsRemovedAfterAll();

describe('CaBundle: the CA certificates a TLS client trusts for an endpoint we do not issue', () => {
  let dir: string;
  let ca: IssuedCertificate;
  let nextCa: IssuedCertificate;
  beforeAll(() => {
    dir = makeTempDir('ca-bundle-');
    ca = rootCa(dir, 'ca', 'Test Vault CA');
    nextCa = rootCa(dir, 'next-ca', 'Test Vault CA 2');
  });

  test('accepts the example organisation\'s Vault CA and reports its subject and notAfter (expiry is reported, never checked against the clock)', () => {
    const bundle = CaBundle.fromPem(ACME_VAULT_CA_BUNDLE_PEM);
    expect(bundle.certificates).toEqual([
      {
        subject: 'O=Acme Corporation (example organisation)\nCN=Acme Vault Root CA (example)',
        notAfter: 'Dec  2 04:22:36 2036 GMT',
        fingerprint256: '31:D9:86:1E:34:2A:80:3F:C8:78:A0:36:8D:2B:43:8D:7E:B1:0D:AD:4F:AA:5C:B1:1D:09:79:6D:D7:10:EE:AC',
      },
    ]);
    expect(bundle.pem).toBe(ACME_VAULT_CA_BUNDLE_PEM);
    expect(Buffer.from(bundle.base64, 'base64').toString('utf8')).toBe(ACME_VAULT_CA_BUNDLE_PEM);
  });

  test('holds the old and the new root while one is rotated, in the order given, whatever the line endings', () => {
    const bundle = CaBundle.fromPem(`${ca.certificatePem.replace(/\n/g, '\r\n')}\n\n${nextCa.certificatePem}`);
    expect(bundle.certificates.map((certificate) => certificate.subject)).toEqual(['O=Test\nCN=Test Vault CA', 'O=Test\nCN=Test Vault CA 2']);
    expect(bundle.pem).toBe(`${ca.certificatePem.trim()}\n${nextCa.certificatePem.trim()}\n`);
  });

  test('accepts a CA without a key usage extension, which RFC 5280 allows every usage', () => {
    const unrestricted = issueCertificate(dir, 'unrestricted', '/CN=Unrestricted CA', { basicConstraints: 'critical, CA:TRUE' });
    expect(CaBundle.problemOf(unrestricted.certificatePem)).toBeUndefined();
  });

  test('refuses what is not a bundle of CA certificates, saying why', () => {
    const leaf = serverCertificate(dir, 'vault', 'vault.acme.internal', ca);
    const cannotSign = issueCertificate(dir, 'no-sign', '/CN=CRL signer', { basicConstraints: 'critical, CA:TRUE', keyUsage: 'critical, cRLSign, digitalSignature' });
    const damaged = ca.certificatePem.replace(/^(-----BEGIN CERTIFICATE-----\n)(.)/, (_all, head: string, first: string) => `${head}${first === 'A' ? 'B' : 'A'}`);
    const cases: [string, string][] = [
      ['', 'no PEM certificate in it'],
      ['vault.acme.internal', 'it holds text outside its PEM CERTIFICATE blocks'],
      [`${ca.certificatePem}${ca.keyPem}`, 'it holds a "EC PRIVATE KEY" PEM block; a CA bundle holds only CERTIFICATE blocks (public data: never a key)'],
      [`# Vault CA\n${ca.certificatePem}`, 'it holds text outside its PEM CERTIFICATE blocks'],
      [leaf.certificatePem, 'the certificate (O=Test, CN=vault.acme.internal) is not a CA: it lacks basicConstraints CA:TRUE, so no TLS client accepts it as a trust anchor'],
      [cannotSign.certificatePem, 'the certificate (CN=CRL signer) has a key usage extension without keyCertSign, so it cannot have signed a server certificate'],
      [`${ca.certificatePem}${ca.certificatePem}`, 'certificate 2 of 2 (O=Test, CN=Test Vault CA) repeats certificate 1'],
      ['-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n', 'the certificate is not base64 PEM'],
    ];
    for (const [pem, problem] of cases) {
      expect(CaBundle.problemOf(pem)).toBe(problem);
      expect(() => CaBundle.fromPem(pem)).toThrow(`CaBundle: ${problem}`);
    }
    expect(CaBundle.problemOf(damaged)).toMatch(/^the certificate does not parse as X\.509 \(/);
  });
});

describe('which endpoints need a CA of their own', () => {
  test.each([
    ['vault.acme.internal', true],
    ['minio.local', true],
    ['nas.home.arpa', true],
    ['s3.lan', true],
    ['objects.acme.corp', true],
    ['10.20.30.40', true],
    ['172.16.0.1', true],
    ['172.32.0.1', false],
    ['192.168.1.10', true],
    ['127.0.0.1', true],
    ['169.254.169.254', true],
    ['::1', true],
    ['fd12:3456::1', true],
    ['fe80::1', true],
    ['2001:db8::1', false],
    ['s3.eu-west-1.amazonaws.com', false],
    ['internal.example.com', false],
  ])('%s is private: %s', (host, expected) => {
    expect(isPrivateUseHost(host)).toBe(expected);
  });

  test('cluster Services are told apart by their suffix, and hosts are read from URLs', () => {
    expect(isClusterServiceHost('vault.vault.svc')).toBe(true);
    expect(isClusterServiceHost('vault.vault.svc.cluster.local')).toBe(true);
    expect(isClusterServiceHost('vault.acme.internal')).toBe(false);
    expect(hostOf('https://vault.acme.internal:8200')).toBe('vault.acme.internal');
    expect(hostOf('https://[fd00::1]:9000/bucket')).toBe('fd00::1');
    expect(hostOf('not a url')).toBeUndefined();
  });
});
