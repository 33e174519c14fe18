import { ManifestObject } from '../../../tools/validation/manifest';
import { PLATFORM_SECURITY_RULES } from '../../../tools/validation/policy/platform-security';
import { manifest, messagesOf as messagesOfRule } from './support/single-rule';

const messagesOf = (ruleId: string, object: ManifestObject, others: ManifestObject[] = []): string[] => messagesOfRule(PLATFORM_SECURITY_RULES, ruleId, object, others);

const broker = (environment: string) =>
  manifest(environment, 'rabbitmq.com/v1beta1', 'RabbitmqCluster', { metadata: { name: 'rabbitmq' }, spec: { tls: { secretName: 'rabbitmq-tls' } } });
const database = (environment: string) =>
  manifest(environment, 'postgresql.cnpg.io/v1', 'Cluster', { metadata: { name: 'postgres' }, spec: { instances: 1 } });
const redisConfig = (environment: string) =>
  manifest(environment, 'v1', 'ConfigMap', { metadata: { name: 'redis-config' }, data: { 'redis.conf': 'port 6379\n' } });

describe('platform security rules', () => {
  test.each(['development', 'preview', 'staging'])('%s may keep plaintext store listeners; production may not', (environment) => {
    expect(messagesOf('PLATFORM-RABBITMQ-TLS', broker(environment))).toEqual([]);
    expect(messagesOf('PLATFORM-POSTGRES-TLS', database(environment))).toEqual([]);
    expect(messagesOf('PLATFORM-REDIS-TLS', redisConfig(environment))).toEqual([]);
    expect(messagesOf('PLATFORM-RABBITMQ-TLS', broker('production'))).toEqual(['RabbitmqCluster rabbitmq keeps its plaintext listeners open in production']);
    expect(messagesOf('PLATFORM-POSTGRES-TLS', database('production'))).toEqual([
      'Cluster postgres does not reject non-TLS connections; CloudNativePG\'s default "host all all all" line would admit them',
    ]);
    expect(messagesOf('PLATFORM-REDIS-TLS', redisConfig('production'))).toEqual(['ConfigMap redis-config redis.conf: port is 6379, not 0; no tls-port']);
  });

  test('a public Ingress passes with a reason and only paths below the root', () => {
    const ingress = manifest('production', 'networking.k8s.io/v1', 'Ingress', {
      metadata: { name: 'api-public', annotations: { 'security.generator-platform.dev/public-paths': 'provider webhooks authenticate with their own signature' } },
      spec: { rules: [{ host: 'api.example.com', http: { paths: [{ path: '/webhooks/', pathType: 'Prefix' }, { path: '/healthz', pathType: 'Exact' }] } }] },
    });
    expect(messagesOf('PLATFORM-INGRESS-AUTHENTICATION', ingress)).toEqual([]);
  });

  test('fails a public Ingress without a reason', () => {
    const ingress = manifest('production', 'networking.k8s.io/v1', 'Ingress', {
      metadata: { name: 'api-public', annotations: { 'security.generator-platform.dev/public-paths': ' ' } },
      spec: { rules: [{ host: 'api.example.com', http: { paths: [{ path: '/healthz', pathType: 'Exact' }] } }] },
    });
    expect(messagesOf('PLATFORM-INGRESS-AUTHENTICATION', ingress)).toEqual([
      'Ingress api-public has neither nginx.ingress.kubernetes.io/auth-url nor a security.generator-platform.dev/public-paths reason',
    ]);
  });

  test('a wildcard TLS host covers one label, not two', () => {
    const ingress = manifest('production', 'networking.k8s.io/v1', 'Ingress', {
      metadata: { name: 'web', annotations: { 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' } },
      spec: { tls: [{ hosts: ['*.example.com'], secretName: 'web-tls' }], rules: [{ host: 'app.example.com' }, { host: 'a.b.example.com' }] },
    });
    expect(messagesOf('PLATFORM-INGRESS-TLS', ingress)).toEqual(['host a.b.example.com is not covered by spec.tls']);
  });

  test('a ServiceAccount bound to a Role may mount its token', () => {
    const account = manifest('production', 'v1', 'ServiceAccount', { metadata: { name: 'cert-manager-vault' } });
    const binding = manifest('production', 'rbac.authorization.k8s.io/v1', 'RoleBinding', {
      metadata: { name: 'cert-manager-vault' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cert-manager-vault' },
      subjects: [{ kind: 'ServiceAccount', name: 'cert-manager-vault', namespace: 'generator-platform' }],
    });
    expect(messagesOf('PLATFORM-SERVICE-ACCOUNT-TOKEN', account, [binding])).toEqual([]);
    expect(messagesOf('PLATFORM-SERVICE-ACCOUNT-TOKEN', account)).toEqual([
      'ServiceAccount cert-manager-vault mounts its API token into every pod, and no binding gives the token any use',
    ]);
  });
});
