import { once } from 'events';
import * as https from 'https';
import { AddressInfo } from 'net';
import { App } from 'cdk8s';
import { ClusterCertificateAuthorityChart } from '../../charts/cluster-certificate-authority-chart';
import { EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { ACME_VAULT_CA_BUNDLE_PEM } from '../../lib/config/environments/vault-ca';
import { CaBundle } from '../../lib/security/ca-bundle';
import { CertificateAuthoritySigner, InternalCertificateAuthority } from '../../lib/security/internal-certificate-authority';
import { VaultSecretStore } from '../../lib/security/vault-secret-store';
import { tempDirsRemovedAfterAll } from '../support/files';
import { emptyChart, find, kinds, KubeObject, objectsOf, renderChart } from '../support/kube';
import { IssuedCertificate, rootCa, serverCertificate } from './support/openssl-pki';

const makeTempDir = tempDirsRemovedAfterAll();
const VAULT_HOST = 'vault.acme.internal';

/** The PEM a rendered caBundle field carries (base64, format: byte). */
const decoded = (caBundle: string): string => Buffer.from(caBundle, 'base64').toString('utf8');

/**
 * What a Vault client sees when it calls /v1/sys/health on the test server as `serverName`,
 * trusting exactly `ca` (or, without it, only node's public roots, as an image's would be).
 */
function callVault(port: number, serverName: string, ca: string | undefined): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const request = https.get({ host: '127.0.0.1', port, servername: serverName, path: '/v1/sys/health', agent: false, ...(ca !== undefined ? { ca } : {}) }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

describe('a Vault client trusts exactly the CA bundle it is rendered with (real TLS, certificates made by openssl)', () => {
  let ca: IssuedCertificate;
  let server: https.Server;
  let port: number;

  beforeAll(async () => {
    const dir = makeTempDir('vault-trust-');
    ca = rootCa(dir, 'vault-ca', 'Test Vault CA');
    const vaultCertificate = serverCertificate(dir, 'vault', VAULT_HOST, ca);
    server = https.createServer({ key: vaultCertificate.keyPem, cert: vaultCertificate.certificatePem }, (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"initialized":true,"sealed":false}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  /** The caBundle of the ClusterSecretStore VaultSecretStore renders for `bundle`. */
  const storeCaBundle = (bundle: CaBundle): string => {
    const chart = emptyChart();
    new VaultSecretStore(chart, 'vault', { server: `https://${VAULT_HOST}:8200`, role: 'generator-platform-production', caBundle: bundle, namespaces: ['generator-platform'] });
    return find(objectsOf(chart), 'ClusterSecretStore', 'vault').spec.provider.vault.caBundle;
  };

  test('the ClusterSecretStore\'s caBundle, decoded, verifies Vault; without it the client fails', async () => {
    const rendered = decoded(storeCaBundle(CaBundle.fromPem(ca.certificatePem)));
    expect(rendered).toBe(ca.certificatePem);
    expect(await callVault(port, VAULT_HOST, rendered)).toEqual({ status: 200 });
    expect(await callVault(port, VAULT_HOST, undefined)).toEqual({ error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  test('the Vault-PKI ClusterIssuer\'s caBundle verifies Vault the same way', async () => {
    const chart = emptyChart();
    new InternalCertificateAuthority(chart, 'internal-ca', {
      signer: CertificateAuthoritySigner.vaultPki({ server: `https://${VAULT_HOST}:8200`, caBundle: CaBundle.fromPem(ca.certificatePem), signPath: 'pki_int/sign/platform', role: 'cert-manager' }),
    });
    const rendered = decoded(find(objectsOf(chart), 'ClusterIssuer', 'internal-ca').spec.vault.caBundle);
    expect(await callVault(port, VAULT_HOST, rendered)).toEqual({ status: 200 });
  });

  test('trust is narrow: another CA (the example organisation\'s) fails, and so does the right CA for another name', async () => {
    expect(await callVault(port, VAULT_HOST, decoded(storeCaBundle(CaBundle.fromPem(ACME_VAULT_CA_BUNDLE_PEM))))).toEqual({ error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(await callVault(port, 'vault.other.internal', ca.certificatePem)).toEqual({ error: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  test('a bundle during rotation (the new CA added before the old one goes) still verifies the server the old CA signed', async () => {
    const dir = makeTempDir('vault-rotation-');
    const next = rootCa(dir, 'next-ca', 'Test Vault CA 2');
    const rendered = decoded(storeCaBundle(CaBundle.fromPem(`${next.certificatePem}${ca.certificatePem}`)));
    expect(await callVault(port, VAULT_HOST, rendered)).toEqual({ status: 200 });
  });
});

describe('what the environments render from vaultCaBundlePem', () => {
  test.each(Object.values(EnvironmentName))('%s: every Vault ClusterSecretStore it renders carries the configured CA bundle', (name) => {
    const stores = kinds(renderChart(ENVIRONMENTS[name]), 'ClusterSecretStore').filter((store) => store.spec.provider.vault !== undefined);
    expect(stores.length).toBeGreaterThan(0);
    expect(stores.map((store) => decoded(store.spec.provider.vault.caBundle))).toEqual(stores.map(() => ENVIRONMENTS[name].vaultCaBundlePem));
  });

  test.each([EnvironmentName.STAGING, EnvironmentName.PRODUCTION])('%s: the Vault-PKI ClusterIssuer carries it too', (name) => {
    const config = ENVIRONMENTS[name];
    const chart = new ClusterCertificateAuthorityChart(new App(), 'ca', { certificates: config.certificates, vaultAddress: config.vaultAddress, vaultCaBundlePem: config.vaultCaBundlePem, environmentNamespaces: [config.namespace] });
    const issuer = find(chart.toJson() as KubeObject[], 'ClusterIssuer', 'internal-ca');
    expect(issuer.spec.vault.server).toBe(config.vaultAddress);
    expect(decoded(issuer.spec.vault.caBundle)).toBe(config.vaultCaBundlePem);
  });
});
