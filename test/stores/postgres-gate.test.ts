import { Yaml } from 'cdk8s';
import { Replicas } from '../../lib/config/replicas';
import { CertificateAuthoritySigner, InternalCertificateAuthority } from '../../lib/security/internal-certificate-authority';
import { LongRunningService } from '../../lib/services/long-running-service';
import { PostgresCluster, PostgresClusterProps } from '../../lib/stores/postgres-cluster';
import { PointInTimeRecovery } from '../../lib/stores/postgres/point-in-time-recovery';
import { Finding } from '../../lib/validation/finding';
import { parseManifestFile } from '../../lib/validation/load-manifests';
import { validateObjects } from '../../lib/validation/validate-directory';
import { PINNED_IMAGE, prometheus, serviceScope, smallResources } from '../support/service-fixtures';
import { requiredPostgresProps } from './support/postgres-fixtures';

/** A namespace with the cluster wired to an api, serialised the way `npm run synth` writes dist/. */
function wiredPlatformYaml(overrides: Partial<PostgresClusterProps> = {}): string {
  const { chart, namespace } = serviceScope();
  // The Issuer that requiredPostgresProps names, so that the Certificate's issuerRef resolves.
  new InternalCertificateAuthority(chart, 'internal-ca', { namespace: namespace.namespaceName, signer: CertificateAuthoritySigner.selfSigned() });
  const postgres = new PostgresCluster(chart, 'pg', { ...requiredPostgresProps(namespace), ...overrides });
  const api = new LongRunningService(chart, 'api', {
    namespace, component: 'backend', image: PINNED_IMAGE, replicas: Replicas.fixed(2), resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 8080,
  });
  postgres.connect(api);
  return Yaml.stringify(...chart.toJson());
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

  test('the gate does resolve its selectors: a pooler policy aimed at no pod is reported', async () => {
    const broken = wiredPlatformYaml().replace(/cnpg\.io\/poolerName: pg-pooler/g, 'cnpg.io/poolerName: pg-poler');
    expect((await findingsOf(broken)).some((f) => f.startsWith('XREF-NETWORKPOLICY-SELECTOR NetworkPolicy/pg-pooler-allow-from-api'))).toBe(true);
  }, 60_000);
});
