import { Yaml } from 'cdk8s';
import { Replicas } from '../../lib/platform/replicas';
import { CertificateAuthoritySigner, InternalCertificateAuthority } from '../../lib/security/internal-certificate-authority';
import { VaultSecret } from '../../lib/security/vault-secret';
import { LongRunningService } from '../../lib/services/long-running-service';
import { PostgresCluster, PostgresClusterProps } from '../../lib/stores/postgres-cluster';
import { PointInTimeRecovery } from '../../lib/stores/postgres/point-in-time-recovery';
import { Finding } from '../../tools/validation/finding';
import { parseManifestFile } from '../../tools/validation/load-manifests';
import { validateObjects } from '../../tools/validation/validate-directory';
import { PINNED_IMAGE, prometheus, serviceScope, smallResources } from '../support/service-fixtures';
import { requiredPostgresProps } from './support/postgres-fixtures';

/**
 * A namespace with the cluster wired to an api, serialised the way `npm run synth` writes dist/;
 * `edit` may change the rendered objects first.
 */
function wiredPlatformYaml(overrides: Partial<PostgresClusterProps> = {}, edit: (objects: any[]) => void = () => undefined): string {
  const { chart, namespace } = serviceScope();
  // The cluster's CA, so that the Certificate's issuerRef resolves.
  const tlsIssuer = new InternalCertificateAuthority(chart, 'internal-ca', { signer: CertificateAuthoritySigner.selfSigned() });
  const postgres = new PostgresCluster(chart, 'pg', { ...requiredPostgresProps(namespace), tlsIssuer, ...overrides });
  const api = new LongRunningService(chart, 'api', {
    namespace, component: 'backend', image: PINNED_IMAGE, replicas: Replicas.fixed(2), resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 8080,
  });
  postgres.connect(api);
  // The platform's images are private: the api pulls with the registry credentials, as in the chart.
  api.pullImagesWith(VaultSecret.registryCredentials(chart, 'registry-pull-secret', {
    namespace: namespace.namespaceName, secretName: 'registry-pull-secret', vaultPath: 'generator-platform/test/registry', registryServer: 'ghcr.io',
  }));
  const objects = chart.toJson();
  edit(objects);
  return Yaml.stringify(...objects);
}

/** The rendered object of `kind` named `name`. */
function objectNamed(objects: any[], kind: string, name: string): any {
  return objects.find((object) => object.kind === kind && object.metadata.name === name);
}

async function findingsOf(yaml: string): Promise<string[]> {
  const { findings } = await validateObjects(parseManifestFile('production/platform.yaml', yaml));
  return findings.map((f: Finding) => `${f.ruleId} ${f.object?.kind ?? ''}/${f.object?.name ?? ''}: ${f.message}`);
}

describe('PostgresCluster against the validation gate', () => {
  test.each([
    ['a highly available cluster', {}],
    ['a single instance in given zones', { instances: 1, zones: ['z1'] }],
    ['a point-in-time recovery', { recovery: PointInTimeRecovery.fromBackups({ targetTime: '2026-11-27T14:30:00Z' }), backupServerName: 'pg-r1' }],
  ])('%s passes the strict schemas, the policies and the cross-reference rules', async (_label, overrides) => {
    expect(await findingsOf(wiredPlatformYaml(overrides))).toEqual([]);
  }, 60_000);

  test('the gate resolves the owner\'s basic-auth Secret: a Cluster naming one that no ExternalSecret produces is reported', async () => {
    const broken = wiredPlatformYaml({}, (objects) => {
      objectNamed(objects, 'ExternalSecret', 'pg-owner-credentials').spec.target.name = 'pg-owner';
    });
    expect(await findingsOf(broken)).toContainEqual(expect.stringMatching(/^XREF-OPERATOR-SECRET Cluster\/pg: Secret pg-owner-credentials is neither rendered nor produced/));
  }, 60_000);

  test('a client reading the operator\'s app Secret is reported: with the owner\'s password from Vault, CloudNativePG creates no pg-app', async () => {
    const broken = wiredPlatformYaml({}, (objects) => {
      const env = objectNamed(objects, 'Deployment', 'api').spec.template.spec.containers[0].env;
      env.find((variable: any) => variable.name === 'PGPASSWORD').valueFrom.secretKeyRef.name = 'pg-app';
    });
    expect(await findingsOf(broken)).toContainEqual(expect.stringMatching(/^XREF-SECRET Deployment\/api: Secret pg-app is neither rendered nor produced/));
  }, 60_000);

  test('the gate does resolve its selectors: a pooler policy aimed at no pod is reported', async () => {
    const broken = wiredPlatformYaml().replace(/cnpg\.io\/poolerName: pg-pooler/g, 'cnpg.io/poolerName: pg-poler');
    expect((await findingsOf(broken)).some((f) => f.startsWith('XREF-NETWORKPOLICY-SELECTOR NetworkPolicy/pg-pooler-allow-from-api'))).toBe(true);
  }, 60_000);
});
