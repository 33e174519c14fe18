import { Chart } from 'cdk8s';
import { NamespaceBaseline } from '../../../lib/platform/namespace-baseline';
import { ICertificateIssuer } from '../../../lib/security/tls-certificate';
import { DEFAULT_REDIS_IMAGE, RedisCluster, RedisClusterProps } from '../../../lib/stores/redis-cluster';
import { RedisBootstrapProps } from '../../../lib/stores/redis/redis-bootstrap';
import { prometheus, serviceScope } from '../../support/service-fixtures';

/** The Vault prefix of the test environment; each Redis user's password is at `<prefix>/redis/<user>`. */
export const REDIS_VAULT_PATH_PREFIX = 'generator-platform/test';

/** The internal CA's Issuer, as the environment chart passes it. */
export const TLS_ISSUER: ICertificateIssuer = { issuerName: 'internal-ca', issuerKind: 'Issuer' };

/** A chart with a namespace baseline, and the Vault prefix a Redis cluster takes its users' passwords from. */
export function redisScope(): { chart: Chart; namespace: NamespaceBaseline; vaultPathPrefix: string } {
  const { chart, namespace } = serviceScope();
  return { chart, namespace, vaultPathPrefix: REDIS_VAULT_PATH_PREFIX };
}

/** A Redis cluster with only the required props, in a fresh chart. */
export function minimalRedis(overrides: Partial<RedisClusterProps> = {}): { chart: Chart; redis: RedisCluster } {
  const { chart, namespace, vaultPathPrefix } = redisScope();
  const redis = new RedisCluster(chart, 'redis', { namespace, vaultPathPrefix, zones: ['z1', 'z2', 'z3'], metricsScraper: prometheus, tlsIssuer: TLS_ISSUER, ...overrides });
  return { chart, redis };
}

/** Where a user's password comes from: its own Secret. */
export function redisPasswordSource(user: string, cluster = 'redis'): { secretKeyRef: { name: string; key: string } } {
  return { secretKeyRef: { name: `${cluster}-${user}-credentials`, key: 'password' } };
}

/** RedisBootstrap's props (every one is required), for a cluster `redis` of three primaries with a replica each, in zones a, b and c. */
export function redisBootstrapProps(namespace: RedisBootstrapProps['namespace']): Required<RedisBootstrapProps> {
  return {
    namespace,
    name: 'redis-bootstrap',
    serviceAccountName: 'redis',
    image: DEFAULT_REDIS_IMAGE,
    primaryAddresses: ['a', 'b', 'c'].map((zone) => `redis-${zone}-0.redis-headless:6379`),
    replicaAddresses: ['b', 'c', 'a'].map((zone) => `redis-${zone}-1.redis-headless:6379`),
    caSecretName: 'redis-tls',
    username: 'bootstrap',
    passwordSource: redisPasswordSource('bootstrap'),
  };
}
