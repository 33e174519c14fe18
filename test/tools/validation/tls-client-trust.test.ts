import { stringify } from 'yaml';
import { ACME_VAULT_CA_BUNDLE_PEM } from '../../../lib/config/environments/vault-ca';
import { JsonObject, ManifestObject } from '../../../tools/validation/manifest';
import { PLATFORM_SECURITY_RULES } from '../../../tools/validation/policy/platform-security';
import { TLS_CLIENT_TRUST_RULES } from '../../../tools/validation/policy/tls-client-trust';
import { tempDirsRemovedAfterAll } from '../../support/files';
import { rootCa, serverCertificate } from '../../security/support/openssl-pki';
import { manifest, messagesOf as messagesOfRule } from './support/single-rule';

const messagesOf = (ruleId: string, object: ManifestObject, others: ManifestObject[] = []): string[] => messagesOfRule(TLS_CLIENT_TRUST_RULES, ruleId, object, others);
const makeTempDir = tempDirsRemovedAfterAll();

const VAULT = 'https://vault.acme.internal:8200';
const CA_BUNDLE = Buffer.from(ACME_VAULT_CA_BUNDLE_PEM).toString('base64');

const store = (kind: 'ClusterSecretStore' | 'SecretStore', vault: JsonObject) =>
  manifest('production', 'external-secrets.io/v1beta1', kind, { metadata: { name: 'vault' }, spec: { provider: { vault: { path: 'secret', version: 'v2', ...vault } } } });
const issuer = (kind: 'ClusterIssuer' | 'Issuer', vault: JsonObject) => manifest('production', 'cert-manager.io/v1', kind, { metadata: { name: 'internal-ca' }, spec: { vault: { path: 'pki_int/sign/platform', ...vault } } });

describe('PLATFORM-VAULT-CLIENT-CA: a Vault client outside the cluster names the CA of Vault\'s certificate', () => {
  test.each([
    ['ClusterSecretStore', (vault: JsonObject) => store('ClusterSecretStore', vault)],
    ['SecretStore', (vault: JsonObject) => store('SecretStore', vault)],
    ['ClusterIssuer', (vault: JsonObject) => issuer('ClusterIssuer', vault)],
    ['Issuer', (vault: JsonObject) => issuer('Issuer', vault)],
  ] as const)('%s: without a CA it fails; with the rendered caBundle it passes', (kind, make) => {
    const name = kind.endsWith('Issuer') ? 'internal-ca' : 'vault';
    expect(messagesOf('PLATFORM-VAULT-CLIENT-CA', make({ server: VAULT }))).toEqual([
      `${kind} ${name} reaches Vault at ${VAULT} without a CA bundle: it would trust only its image's public roots, which do not sign vault.acme.internal`,
    ]);
    expect(messagesOf('PLATFORM-VAULT-CLIENT-CA', make({ server: VAULT, caBundle: CA_BUNDLE }))).toEqual([]);
  });

  test('a CA given by reference passes: External Secrets\' caProvider, cert-manager\'s caBundleSecretRef', () => {
    expect(messagesOf('PLATFORM-VAULT-CLIENT-CA', store('ClusterSecretStore', { server: VAULT, caProvider: { type: 'ConfigMap', name: 'vault-ca', key: 'ca.crt', namespace: 'external-secrets' } }))).toEqual([]);
    expect(messagesOf('PLATFORM-VAULT-CLIENT-CA', issuer('ClusterIssuer', { server: VAULT, caBundleSecretRef: { name: 'vault-ca' } }))).toEqual([]);
  });

  test('a Vault Service of the cluster needs no CA from us; another store provider is not a Vault client', () => {
    expect(messagesOf('PLATFORM-VAULT-CLIENT-CA', store('ClusterSecretStore', { server: 'https://vault.vault.svc:8200' }))).toEqual([]);
    expect(messagesOf('PLATFORM-VAULT-CLIENT-CA', issuer('ClusterIssuer', { server: 'https://vault.vault.svc.cluster.local:8200' }))).toEqual([]);
    expect(messagesOf('PLATFORM-VAULT-CLIENT-CA', manifest('production', 'external-secrets.io/v1beta1', 'ClusterSecretStore', { metadata: { name: 'aws' }, spec: { provider: { aws: { service: 'SecretsManager' } } } }))).toEqual([]);
    expect(messagesOf('PLATFORM-VAULT-CLIENT-CA', manifest('production', 'cert-manager.io/v1', 'ClusterIssuer', { metadata: { name: 'letsencrypt' }, spec: { acme: {} } }))).toEqual([]);
  });

  test('a caBundle that is not a CA bundle fails: a server certificate, or not base64 PEM at all', () => {
    const dir = makeTempDir('vault-client-ca-');
    const leaf = serverCertificate(dir, 'vault', 'vault.acme.internal', rootCa(dir, 'ca', 'Test CA'));
    expect(messagesOf('PLATFORM-VAULT-CLIENT-CA', store('ClusterSecretStore', { server: VAULT, caBundle: Buffer.from(leaf.certificatePem).toString('base64') }))).toEqual([
      `ClusterSecretStore vault has a caBundle for ${VAULT} that is not a base64 PEM CA bundle: the certificate (O=Test, CN=vault.acme.internal) is not a CA: it lacks basicConstraints CA:TRUE, so no TLS client accepts it as a trust anchor`,
    ]);
    expect(messagesOf('PLATFORM-VAULT-CLIENT-CA', issuer('ClusterIssuer', { server: VAULT, caBundle: ACME_VAULT_CA_BUNDLE_PEM }))).toEqual([
      `ClusterIssuer internal-ca has a caBundle for ${VAULT} that is not a base64 PEM CA bundle: it holds text outside its PEM CERTIFICATE blocks`,
    ]);
  });
});

const PRIVATE_STORE = 'https://minio.acme.internal:9000';
const barman = (endpointURL: string, endpointCA?: JsonObject): JsonObject => ({ destinationPath: 's3://backups/db', endpointURL, ...(endpointCA ? { endpointCA } : {}) });
const cluster = (spec: JsonObject) => manifest('production', 'postgresql.cnpg.io/v1', 'Cluster', { metadata: { name: 'db' }, spec: { instances: 3, ...spec } });
const caSecret = manifest('production', 'v1', 'Secret', { metadata: { name: 'db-backup-endpoint-ca' }, data: { 'ca.crt': CA_BUNDLE } });
const ENDPOINT_CA = { name: 'db-backup-endpoint-ca', key: 'ca.crt' };

describe('PLATFORM-OBJECT-STORE-CA: a client of a private object store names the CA of its certificate', () => {
  test('a CloudNativePG Cluster archiving to a private endpoint fails without endpointCA, passes with one whose Secret is rendered', () => {
    expect(messagesOf('PLATFORM-OBJECT-STORE-CA', cluster({ backup: { barmanObjectStore: barman(PRIVATE_STORE) } }))).toEqual([
      `Cluster db archives to the private endpoint ${PRIVATE_STORE} without endpointCA: Barman would trust only the public roots, which do not sign minio.acme.internal`,
    ]);
    expect(messagesOf('PLATFORM-OBJECT-STORE-CA', cluster({ backup: { barmanObjectStore: barman(PRIVATE_STORE, ENDPOINT_CA) } }), [caSecret])).toEqual([]);
    expect(messagesOf('PLATFORM-OBJECT-STORE-CA', cluster({ backup: { barmanObjectStore: barman(PRIVATE_STORE, ENDPOINT_CA) } }))).toEqual([
      `Cluster db takes the CA of ${PRIVATE_STORE} from Secret db-backup-endpoint-ca, which nothing in the namespace renders or produces`,
    ]);
  });

  test('the cluster a restore reads from is a client too (externalClusters), also by private address', () => {
    const restore = (endpointCA?: JsonObject) => cluster({ externalClusters: [{ name: 'origin', barmanObjectStore: barman('https://10.20.0.5:9000', endpointCA) }] });
    expect(messagesOf('PLATFORM-OBJECT-STORE-CA', restore())).toEqual([
      'Cluster db archives to the private endpoint https://10.20.0.5:9000 without endpointCA: Barman would trust only the public roots, which do not sign 10.20.0.5',
    ]);
    expect(messagesOf('PLATFORM-OBJECT-STORE-CA', restore(ENDPOINT_CA), [caSecret])).toEqual([]);
  });

  test('a public endpoint (AWS S3) needs no CA of ours', () => {
    expect(messagesOf('PLATFORM-OBJECT-STORE-CA', cluster({ backup: { barmanObjectStore: barman('https://s3.eu-west-1.amazonaws.com') } }))).toEqual([]);
  });

  const loki = (s3: JsonObject, asString = false) => {
    const values = { loki: { storage: { type: 's3', s3 } } };
    const helm = asString ? { values: stringify(values) } : { valuesObject: values };
    return manifest('argocd', 'argoproj.io/v1alpha1', 'Application', { metadata: { name: 'loki' }, spec: { project: 'platform-addons', source: { chart: 'loki', repoURL: 'https://grafana.github.io/helm-charts', targetRevision: '6.12.0', helm } } });
  };

  test.each([false, true])('Loki pointed at a private store fails without http_config.ca_file or when skipping verification (values as a string: %s)', (asString) => {
    expect(messagesOf('PLATFORM-OBJECT-STORE-CA', loki({ endpoint: 'https://s3.acme.lan', region: 'local' }, asString))).toEqual([
      'Application loki points Loki at the private object store https://s3.acme.lan without http_config.ca_file: Loki would trust only the public roots, which do not sign s3.acme.lan',
    ]);
    expect(messagesOf('PLATFORM-OBJECT-STORE-CA', loki({ endpoint: 'https://s3.acme.lan', http_config: { insecure_skip_verify: true, ca_file: '/etc/loki/ca/ca.crt' } }, asString))).toEqual([
      'Application loki lets Loki skip verifying the object store https://s3.acme.lan (http_config.insecure_skip_verify)',
    ]);
    expect(messagesOf('PLATFORM-OBJECT-STORE-CA', loki({ endpoint: 'https://s3.acme.lan', http_config: { ca_file: '/etc/loki/object-storage-ca/ca.crt' } }, asString))).toEqual([]);
  });

  test('Loki on AWS S3 (a region, no endpoint) passes', () => {
    expect(messagesOf('PLATFORM-OBJECT-STORE-CA', loki({ region: 'eu-west-1', insecure: false }))).toEqual([]);
  });
});

describe('PLATFORM-SECRET-DATA admits a Secret only when it holds CA certificates', () => {
  const secret = (data: JsonObject, field: 'data' | 'stringData' = 'data') => manifest('production', 'v1', 'Secret', { metadata: { name: 'db-backup-endpoint-ca' }, [field]: data });
  const secretData = (object: ManifestObject) => messagesOfRule(PLATFORM_SECURITY_RULES, 'PLATFORM-SECRET-DATA', object);

  test('a CA bundle passes, in data or stringData', () => {
    expect(secretData(secret({ 'ca.crt': CA_BUNDLE }))).toEqual([]);
    expect(secretData(secret({ 'ca.crt': ACME_VAULT_CA_BUNDLE_PEM }, 'stringData'))).toEqual([]);
  });

  test('a CA bundle with a key beside it, or any other value, fails', () => {
    const dir = makeTempDir('secret-data-');
    const ca = rootCa(dir, 'ca', 'Test CA');
    expect(secretData(secret({ 'ca.crt': CA_BUNDLE, 'tls.key': Buffer.from(ca.keyPem).toString('base64') }))).toEqual(['Secret db-backup-endpoint-ca holds values in data']);
    expect(secretData(secret({ 'ca.crt': Buffer.from(`${ca.certificatePem}${ca.keyPem}`).toString('base64') }))).toEqual(['Secret db-backup-endpoint-ca holds values in data']);
    expect(secretData(secret({ password: 'hunter2' }, 'stringData'))).toEqual(['Secret db-backup-endpoint-ca holds values in stringData']);
  });
});
