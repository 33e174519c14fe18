import { Chart } from 'cdk8s';
import { NamespaceBaseline } from '../../../lib/platform/namespace-baseline';
import { ICertificateIssuer } from '../../../lib/security/tls-certificate';
import { VaultSecret } from '../../../lib/security/vault-secret';
import { DEFAULT_REDIS_IMAGE, RedisCluster, RedisClusterProps } from '../../../lib/stores/redis-cluster';
import { RedisBootstrapProps } from '../../../lib/stores/redis/redis-bootstrap';
import { prometheus, serviceScope } from '../../support/service-fixtures';

/** What the Vault secret is named; the tests check that no value of it is ever rendered. */
export const REDIS_SECRET_NAME = 'redis-auth';

/** The internal CA's Issuer, as the environment chart passes it. */
export const TLS_ISSUER: ICertificateIssuer = { issuerName: 'internal-ca', issuerKind: 'Issuer' };

/** A chart with a namespace baseline and the Vault-backed password Secret a Redis cluster needs. */
export function redisScope(): { chart: Chart; namespace: NamespaceBaseline; passwordSecret: VaultSecret } {
  const { chart, namespace } = serviceScope();
  const passwordSecret = new VaultSecret(chart, 'redis-auth', {
    namespace: namespace.namespaceName,
    secretName: REDIS_SECRET_NAME,
    vaultPath: 'generator-platform/test/redis',
    keys: ['password'],
  });
  return { chart, namespace, passwordSecret };
}

/** A Redis cluster with only the required props, in a fresh chart. */
export function minimalRedis(overrides: Partial<RedisClusterProps> = {}): { chart: Chart; redis: RedisCluster } {
  const { chart, namespace, passwordSecret } = redisScope();
  const redis = new RedisCluster(chart, 'redis', { namespace, passwordSecret, zones: ['z1', 'z2', 'z3'], metricsScraper: prometheus, tlsIssuer: TLS_ISSUER, ...overrides });
  return { chart, redis };
}

/** Where the bootstrap and the nodes read the password from. */
export const REDIS_PASSWORD_SOURCE = { secretKeyRef: { name: 'redis-auth', key: 'password' } };

/** RedisBootstrap's props (every one is required), for a two-node cluster `redis`. */
export function redisBootstrapProps(namespace: RedisBootstrapProps['namespace']): Required<RedisBootstrapProps> {
  return {
    namespace,
    name: 'redis-bootstrap',
    serviceAccountName: 'redis',
    image: DEFAULT_REDIS_IMAGE,
    nodeAddresses: ['redis-0.redis-headless:6379', 'redis-1.redis-headless:6379'],
    replicasPerPrimary: 1,
    caSecretName: 'redis-tls',
    passwordSource: REDIS_PASSWORD_SOURCE,
  };
}
