import { RedisBootstrap } from '../../lib/stores/redis/redis-bootstrap';
import { RedisClusterPolicies, RedisClusterPoliciesProps } from '../../lib/stores/redis/redis-cluster-policies';
import { emptyChart, find, kinds, objectsOf } from '../support/kube';
import { serviceScope } from '../support/service-fixtures';
import { redisBootstrapProps, redisPasswordSource } from './support/redis-fixtures';

describe('RedisBootstrap', () => {
  const bootstrapProps = redisBootstrapProps;

  test('with all props (every prop is required): a PostSync hook Job in a restricted pod of the cluster\'s ServiceAccount, with its script and only ca.crt', () => {
    const { chart, namespace } = serviceScope();
    new RedisBootstrap(chart, 'Bootstrap', bootstrapProps(namespace));
    const objects = objectsOf(chart);
    const job = find(objects, 'Job', 'redis-bootstrap');
    const pod = job.spec.template.spec;
    expect(find(objects, 'ConfigMap', 'redis-bootstrap').data['bootstrap-cluster.sh']).toContain('redis-cli');
    expect(job.metadata.annotations['argocd.argoproj.io/hook']).toBe('PostSync');
    expect(pod).toMatchObject({ restartPolicy: 'Never', serviceAccountName: 'redis', automountServiceAccountToken: false, enableServiceLinks: false });
    // The plan: each shard's primary, then its replica in the same order (shard 0: redis-a-0 and redis-b-1).
    expect(pod.containers[0].env).toContainEqual({ name: 'REDIS_PRIMARIES', value: 'redis-a-0.redis-headless:6379 redis-b-0.redis-headless:6379 redis-c-0.redis-headless:6379' });
    expect(pod.containers[0].env).toContainEqual({ name: 'REDIS_REPLICAS', value: 'redis-b-1.redis-headless:6379 redis-c-1.redis-headless:6379 redis-a-1.redis-headless:6379' });
    // Its own user, with its password from its own Secret, in the environment: never an argument.
    expect(pod.containers[0].env).toContainEqual({ name: 'REDIS_USERNAME', value: 'bootstrap' });
    expect(pod.containers[0].env).toContainEqual({ name: 'REDISCLI_AUTH', valueFrom: redisPasswordSource('bootstrap') });
    expect(pod.volumes).toContainEqual({ name: 'tls-ca', secret: { secretName: 'redis-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } });
    // Its pod runs beside the nodes, so the namespace quota counts it.
    expect(find(objects, 'ResourceQuota', 'workload-quota').spec.hard.pods).toBe(2);
  });
});

describe('RedisClusterPolicies', () => {
  test('with all props (every prop is required): node to node on both ports, and the bootstrap to every node on the client port', () => {
    const chart = emptyChart();
    const props: Required<RedisClusterPoliciesProps> = { clusterName: 'redis', bootstrapName: 'redis-bootstrap', namespace: 'apps', labels: { 'app.kubernetes.io/name': 'redis' } };
    new RedisClusterPolicies(chart, 'ClusterPolicies', props);
    const objects = objectsOf(chart);
    expect(kinds(objects, 'NetworkPolicy').map((p) => p.metadata.name)).toEqual(['redis-allow-cluster-peers', 'redis-allow-from-bootstrap', 'redis-bootstrap-allow-egress-to-redis']);
    expect(find(objects, 'NetworkPolicy', 'redis-allow-cluster-peers').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 6379 }, { protocol: 'TCP', port: 16379 }]);
    expect(find(objects, 'NetworkPolicy', 'redis-bootstrap-allow-egress-to-redis').spec.podSelector.matchLabels['app.kubernetes.io/name']).toBe('redis-bootstrap');
  });
});
