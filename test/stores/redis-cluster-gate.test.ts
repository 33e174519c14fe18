import { stringify } from 'yaml';
import { CertificateAuthoritySigner, InternalCertificateAuthority } from '../../lib/security/internal-certificate-authority';
import { VaultSecret } from '../../lib/security/vault-secret';
import { LongRunningService } from '../../lib/services/long-running-service';
import { RedisCluster } from '../../lib/stores/redis-cluster';
import { Finding } from '../../tools/validation/finding';
import { parseManifestFile } from '../../tools/validation/load-manifests';
import { validateObjects } from '../../tools/validation/validate-directory';
import { objectsOf } from '../support/kube';
import { PINNED_IMAGE, oneReplica, prometheus, smallResources } from '../support/service-fixtures';
import { redisScope } from './support/redis-fixtures';

/** A namespace with the Redis cluster, its certificate's issuer and an api wired to it, as YAML the way the synth writes it. */
function wiredPlatformYaml(strictTopologySpread = true): string {
  const { chart, namespace, vaultPathPrefix } = redisScope();
  const tlsIssuer = new InternalCertificateAuthority(chart, 'internal-ca', { signer: CertificateAuthoritySigner.selfSigned() });
  const redis = new RedisCluster(chart, 'redis', { namespace, vaultPathPrefix, zones: ['z1', 'z2', 'z3'], metricsScraper: prometheus, tlsIssuer, strictTopologySpread });
  const api = new LongRunningService(chart, 'api', { namespace, component: 'backend', image: PINNED_IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 8080 });
  redis.connect(api);
  // The platform's images are private: the api pulls with the registry credentials, as in the chart.
  api.pullImagesWith(VaultSecret.registryCredentials(chart, 'registry-pull-secret', {
    namespace: namespace.namespaceName, secretName: 'registry-pull-secret', vaultPath: 'generator-platform/test/registry', registryServer: 'ghcr.io',
  }));
  return objectsOf(chart).map((o) => stringify(o)).join('---\n');
}

async function findingsOf(yaml: string): Promise<Finding[]> {
  return (await validateObjects(parseManifestFile('production/platform.yaml', yaml))).findings;
}

describe('RedisCluster against the validation gate', () => {
  test.each([true, false])('passes the strict schema, Pod Security restricted, kube-linter, Polaris, kube-score and cross-reference rules (strictTopologySpread %s)', async (strict) => {
    expect(await findingsOf(wiredPlatformYaml(strict))).toEqual([]);
  });

  test('the gate does inspect its pods: a writable root filesystem is reported', async () => {
    const broken = wiredPlatformYaml().replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false');
    expect((await findingsOf(broken)).map((f) => f.ruleId)).toContain('KUBE-LINTER-NO-READ-ONLY-ROOT-FS');
  });
});
