import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { ACME_VAULT_CA_BUNDLE_PEM } from '../../lib/config/environments/vault-ca';
import { EnvironmentName } from '../../lib/config/environment-config';
import { LOGGING_SETTINGS, LOG_RETENTION_DAYS } from '../../lib/config/logging';
import { ClusterLogging, checkedLogging } from '../../lib/gitops/logging-settings';
import { lokiHelmValues } from '../../lib/gitops/loki-values';
import { PropError } from '../../lib/platform/prop-error';
import { CaBundle } from '../../lib/security/ca-bundle';
import { PointInTimeRecovery } from '../../lib/stores/postgres/point-in-time-recovery';
import { EnvironmentScope } from '../../tools/validation/environment-scope';
import { ManifestObject } from '../../tools/validation/manifest';
import { OBJECT_RULES } from '../../tools/validation/rules';
import { tempDirsRemovedAfterAll } from '../support/files';
import { helmBinary } from '../support/helm';
import { find, KubeObject } from '../support/kube';
import { renderPostgres } from '../stores/support/postgres-fixtures';

const makeTempDir = tempDirsRemovedAfterAll();
/** The example organisation's CA stands in for a private object store's: any CA bundle will do here. */
const CA = CaBundle.fromPem(ACME_VAULT_CA_BUNDLE_PEM);
const PRIVATE_ENDPOINT = 'https://minio.acme.internal:9000';

/** The findings of the trust and secret-data rules of the gate on rendered objects (one environment, as the gate groups them). */
function trustFindings(objects: readonly KubeObject[]): string[] {
  const manifests: ManifestObject[] = objects.map((object, index) => ({
    environment: 'production',
    file: 'production/objects.yaml',
    documentIndex: index,
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace,
    body: object,
  }));
  const scope = new EnvironmentScope(manifests);
  const rules = OBJECT_RULES.filter((rule) => ['PLATFORM-OBJECT-STORE-CA', 'PLATFORM-SECRET-DATA', 'PLATFORM-VAULT-CLIENT-CA'].includes(rule.id));
  return manifests.flatMap((object) => rules.flatMap((rule) => rule.check(object, scope).map((violation) => `${rule.id}: ${violation.message}`)));
}

describe('PostgreSQL backups to a private object store trust its CA', () => {
  test('with the CA: a public Secret holds it and both the archive and the restore source name it; the gate passes', () => {
    const { objects } = renderPostgres({ backupEndpointUrl: PRIVATE_ENDPOINT, backupEndpointCaBundle: CA, backupServerName: 'pg-r1', recovery: PointInTimeRecovery.fromBackups() });
    const spec = find(objects, 'Cluster', 'pg').spec;
    expect(spec.backup.barmanObjectStore).toMatchObject({ endpointURL: PRIVATE_ENDPOINT, endpointCA: { name: 'pg-backup-endpoint-ca', key: 'ca.crt' } });
    expect(spec.externalClusters[0].barmanObjectStore).toMatchObject({ endpointURL: PRIVATE_ENDPOINT, endpointCA: { name: 'pg-backup-endpoint-ca', key: 'ca.crt' } });
    const secret = find(objects, 'Secret', 'pg-backup-endpoint-ca');
    expect(Buffer.from(secret.data['ca.crt'], 'base64').toString('utf8')).toBe(ACME_VAULT_CA_BUNDLE_PEM);
    expect(trustFindings(objects)).toEqual([]);
  });

  test('without the CA the construct refuses a private endpoint, and the gate would too', () => {
    expect(() => renderPostgres({ backupEndpointUrl: PRIVATE_ENDPOINT })).toThrow(PropError);
    expect(() => renderPostgres({ backupEndpointUrl: 'https://10.20.0.5:9000' })).toThrow(
      'PostgresCluster pg: backupEndpointCaBundle is undefined; give the CA that signs the certificate of 10.20.0.5: a private endpoint has no certificate from a public CA, so every WAL upload would fail verification',
    );
    const { objects } = renderPostgres({ backupEndpointUrl: PRIVATE_ENDPOINT, backupEndpointCaBundle: CA });
    const cluster = find(objects, 'Cluster', 'pg');
    delete cluster.spec.backup.barmanObjectStore.endpointCA;
    expect(trustFindings(objects)).toEqual([
      `PLATFORM-OBJECT-STORE-CA: Cluster pg archives to the private endpoint ${PRIVATE_ENDPOINT} without endpointCA: Barman would trust only the public roots, which do not sign minio.acme.internal`,
    ]);
  });

  test('AWS S3 needs no CA of ours: no Secret, no endpointCA', () => {
    const { objects } = renderPostgres();
    expect(find(objects, 'Cluster', 'pg').spec.backup.barmanObjectStore.endpointCA).toBeUndefined();
    expect(objects.filter((object) => object.kind === 'Secret')).toEqual([]);
  });
});

const clusterLogging = (environment: EnvironmentName, settings: Partial<ClusterLogging>): ClusterLogging => ({
  ...LOGGING_SETTINGS[environment]!,
  clusterName: environment,
  environment,
  credentialsVaultPath: `generator-platform/${environment}/loki-object-storage`,
  retentionDays: LOG_RETENTION_DAYS[environment]!,
  objectStorageCidrs: ['52.218.0.0/17'],
  kubernetesApiCidrs: ['10.0.0.0/28'],
  ...settings,
});
const productionLogging = (settings: Partial<ClusterLogging>): ClusterLogging => clusterLogging(EnvironmentName.PRODUCTION, settings);

describe('Loki on a private object store trusts its CA', () => {
  test('checkedLogging refuses a private endpoint without a CA, and a CA that is not one', () => {
    expect(() => checkedLogging(productionLogging({ s3Endpoint: PRIVATE_ENDPOINT }))).toThrow(
      `cluster production: s3EndpointCaBundlePem = (not set); ${PRIVATE_ENDPOINT} is a private endpoint that no public CA certifies. Fix: set it to the PEM of the CA that signs the object store's certificate in LOGGING_SETTINGS (lib/config/logging.ts)`,
    );
    expect(() => checkedLogging(productionLogging({ s3Endpoint: PRIVATE_ENDPOINT, s3EndpointCaBundlePem: 'ca.crt' }))).toThrow(
      'cluster production: s3EndpointCaBundlePem = "ca.crt"…; not a CA bundle: it holds text outside its PEM CERTIFICATE blocks.',
    );
    expect(() => checkedLogging(productionLogging({ s3Endpoint: 'http://minio.acme.internal:9000' }))).toThrow('s3Endpoint = http://minio.acme.internal:9000; not an https:// endpoint');
    expect(checkedLogging(productionLogging({ s3Endpoint: PRIVATE_ENDPOINT, s3EndpointCaBundlePem: ACME_VAULT_CA_BUNDLE_PEM })).s3Endpoint).toBe(PRIVATE_ENDPOINT);
  });

  test('the values of AWS S3 are unchanged: no endpoint, no CA', () => {
    const values = lokiHelmValues(productionLogging({})) as any;
    expect(values.loki.storage.s3).toEqual({ region: 'eu-west-1', s3ForcePathStyle: false, insecure: false });
    expect(values.write.extraVolumes).toBeUndefined();
    // The logging namespace's NetworkPolicies ride along in extraObjects; no CA Secret does.
    expect(values.extraObjects.map((object: KubeObject) => object.kind).filter((kind: string) => kind !== 'NetworkPolicy')).toEqual(['ExternalSecret']);
  });

  test.each([
    [EnvironmentName.PRODUCTION, ['loki-write', 'loki-read', 'loki-backend']],
    [EnvironmentName.DEVELOPMENT, ['loki']],
  ])('helm template of the pinned chart (grafana/loki helm-loki-6.12.0) for %s gives Loki the endpoint, ca_file and the CA mounted in %j', (environment, components) => {
    const values = lokiHelmValues(clusterLogging(environment, { s3Endpoint: PRIVATE_ENDPOINT, s3EndpointCaBundlePem: ACME_VAULT_CA_BUNDLE_PEM }));
    const chart = copyLokiChart(makeTempDir('loki-trust-'));
    const valuesFile = path.join(chart, '..', 'values.yaml');
    fs.writeFileSync(valuesFile, stringify(values));
    const rendered = execFileSync(helmBinary(), ['template', chart, '--name-template', 'loki', '--namespace', 'logging', '--kube-version', '1.27', '--values', valuesFile], {
      encoding: 'utf8',
      env: { ...process.env, HELM_CACHE_HOME: path.join(chart, '..', 'helm'), HELM_CONFIG_HOME: path.join(chart, '..', 'helm'), HELM_DATA_HOME: path.join(chart, '..', 'helm') },
      maxBuffer: 64 * 1024 * 1024,
    });
    const objects = parseAllDocuments(rendered)
      .map((document) => document.toJS() as KubeObject)
      .filter((object) => object !== null);

    const lokiConfig = find(objects, 'ConfigMap', 'loki').data['config.yaml'] as string;
    const s3 = (parseAllDocuments(lokiConfig)[0].toJS() as any).common.storage.s3;
    expect(s3).toMatchObject({ endpoint: PRIVATE_ENDPOINT, http_config: { ca_file: '/etc/loki/object-storage-ca/ca.crt' } });
    expect(find(objects, 'ConfigMap', 'loki-object-storage-ca').data['ca.crt']).toBe(ACME_VAULT_CA_BUNDLE_PEM);
    for (const component of components) {
      const workload = objects.find((object) => ['StatefulSet', 'Deployment'].includes(object.kind) && object.metadata.name === component)!;
      const pod = workload.spec.template.spec;
      expect(pod.volumes).toContainEqual({ name: 'object-storage-ca', configMap: { name: 'loki-object-storage-ca' } });
      expect(pod.containers.find((container: any) => container.name === 'loki').volumeMounts).toContainEqual({ name: 'object-storage-ca', mountPath: '/etc/loki/object-storage-ca', readOnly: true });
    }
  });
});

/**
 * A copy of the pinned Loki chart from the add-on mirror, with an empty chart for each
 * conditional dependency (their conditions are off in our values), as `helm template` needs.
 */
function copyLokiChart(dir: string): string {
  const source = path.resolve(__dirname, '../../../shared/addons/grafana+loki/helm-loki-6.12.0/production/helm/loki');
  const chart = path.join(dir, 'loki');
  fs.cpSync(source, chart, { recursive: true });
  for (const [name, version] of [['minio', '4.0.15'], ['grafana-agent-operator', '0.3.15'], ['rollout-operator', '0.13.0']]) {
    fs.mkdirSync(path.join(chart, 'charts', name), { recursive: true });
    fs.writeFileSync(path.join(chart, 'charts', name, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: ${version}\n`);
  }
  return chart;
}
