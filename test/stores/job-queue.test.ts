import { Replicas } from '../../lib/platform/replicas';
import { GeneratorService } from '../../lib/services/generator-service';
import { JobQueue, JobQueueProps } from '../../lib/stores/job-queue';
import { find, kinds, objectsOf } from '../support/kube';
import { IMAGE, prometheus, smallResources } from '../support/service-fixtures';
import { brokerScope, KEDA_OPERATOR, renderScaledJobQueue } from './support/rabbitmq-fixtures';

describe('JobQueue', () => {
  test('with minimal props: a quorum queue behind a direct exchange, dead-lettered after 5 deliveries', () => {
    const { chart, broker } = brokerScope();
    new JobQueue(chart, 'jobs', { broker, vaultPathPrefix: 'platform/test' });
    const objects = objectsOf(chart);
    expect(find(objects, 'Queue', 'rabbitmq-queue-generation-jobs').spec).toEqual({
      name: 'generation.jobs', type: 'quorum', durable: true, autoDelete: false, vhost: 'generator-platform', rabbitmqClusterReference: { name: 'rabbitmq' },
    });
    expect(find(objects, 'Queue', 'rabbitmq-queue-generation-jobs-dead-letter').spec.type).toBe('quorum');
    expect(find(objects, 'Exchange', 'rabbitmq-exchange-generation').spec.type).toBe('direct');
    expect(find(objects, 'Binding', 'rabbitmq-binding-generation-jobs').spec).toMatchObject({ source: 'generation', destination: 'generation.jobs', routingKey: 'jobs' });
    expect(find(objects, 'Binding', 'rabbitmq-binding-generation-jobs-dead-letter').spec).toMatchObject({ source: 'generation.dead-letter', destination: 'generation.jobs.dead-letter' });
    expect(find(objects, 'Policy', 'rabbitmq-policy-generation-jobs').spec).toMatchObject({
      pattern: '^generation\\.jobs$',
      applyTo: 'quorum_queues',
      definition: { 'delivery-limit': 5, 'dead-letter-exchange': 'generation.dead-letter', 'dead-letter-strategy': 'at-least-once', 'overflow': 'reject-publish' },
    });
  });

  test('with all props', () => {
    const { chart, broker } = brokerScope();
    const props: Required<JobQueueProps> = { broker, vaultPathPrefix: 'platform/prod', queueName: 'render.tasks', deliveryLimit: 3 };
    new JobQueue(chart, 'jobs', props);
    const objects = objectsOf(chart);
    expect(find(objects, 'Queue', 'rabbitmq-queue-render-tasks').spec.name).toBe('render.tasks');
    expect(find(objects, 'Policy', 'rabbitmq-policy-render-tasks').spec.definition['delivery-limit']).toBe(3);
    expect(find(objects, 'Binding', 'rabbitmq-binding-render-tasks').spec).toMatchObject({ source: 'render', routingKey: 'tasks' });
  });

  test('grantPublish and grantConsume give each client its own user with only its permission, credentials from Vault, and both sides of the network flow', () => {
    const { chart, broker, service } = brokerScope();
    const queue = new JobQueue(chart, 'jobs', { broker, vaultPathPrefix: 'platform/test' });
    const api = service('api');
    const worker = service('worker');
    queue.grantPublish(api);
    queue.grantConsume(worker);
    const objects = objectsOf(chart);

    expect(find(objects, 'Permission', 'rabbitmq-api').spec.permissions).toEqual({ configure: '^$', write: '^generation$', read: '^$' });
    expect(find(objects, 'Permission', 'rabbitmq-worker').spec.permissions).toEqual({ configure: '^$', write: '^$', read: '^generation\\.jobs$' });
    expect(find(objects, 'User', 'rabbitmq-api').spec.importCredentialsSecret).toEqual({ name: 'rabbitmq-api-credentials' });
    expect(find(objects, 'ExternalSecret', 'rabbitmq-api-credentials').spec.data.map((d: any) => d.remoteRef)).toEqual([
      { key: 'platform/test/rabbitmq/api', property: 'username' },
      { key: 'platform/test/rabbitmq/api', property: 'password' },
    ]);
    expect(find(objects, 'NetworkPolicy', 'rabbitmq-allow-from-api').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 5671 }]);
    expect(find(objects, 'NetworkPolicy', 'api-allow-egress-to-rabbitmq').spec.egress[0]).toEqual({
      to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'rabbitmq' } } }],
      ports: [{ protocol: 'TCP', port: 5671 }],
    });
    const env = find(objects, 'Deployment', 'api').spec.template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([
      { name: 'RABBITMQ_HOST', value: 'rabbitmq.apps.svc.cluster.local' },
      { name: 'RABBITMQ_PASSWORD', valueFrom: { secretKeyRef: { name: 'rabbitmq-api-credentials', key: 'password' } } },
      { name: 'RABBITMQ_EXCHANGE', value: 'generation' },
    ]));
    expect(find(objects, 'Deployment', 'worker').spec.template.spec.containers[0].env).toContainEqual({ name: 'RABBITMQ_QUEUE', value: 'generation.jobs' });
    expect(find(objects, 'ExternalSecret', 'rabbitmq-api-credentials').spec.target.template.data.amqps_uri)
      .toBe('amqps://{{ .username | urlquery }}:{{ .password | urlquery }}@rabbitmq.apps.svc.cluster.local:5671/generator-platform');
    expect(JSON.stringify(objects)).not.toMatch(/"password":"[^{]/);
  });

  test('a granted client reaches the broker over AMQPS only, verifying it against the internal CA mounted from the broker certificate\'s ca.crt', () => {
    const { chart, broker, service } = brokerScope();
    const queue = new JobQueue(chart, 'jobs', { broker, vaultPathPrefix: 'platform/test' });
    queue.grantPublish(service('api'));
    const pod = find(objectsOf(chart), 'Deployment', 'api').spec.template.spec;
    expect(pod.containers[0].env).toEqual(expect.arrayContaining([
      { name: 'RABBITMQ_PORT', value: '5671' },
      { name: 'RABBITMQ_URL', valueFrom: { secretKeyRef: { name: 'rabbitmq-api-credentials', key: 'amqps_uri' } } },
      { name: 'RABBITMQ_CA_FILE', value: '/etc/generator-platform/ca/rabbitmq-tls/ca.crt' },
    ]));
    expect(pod.volumes).toContainEqual({ name: 'ca-rabbitmq-tls', secret: { secretName: 'rabbitmq-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'ca-rabbitmq-tls', mountPath: '/etc/generator-platform/ca/rabbitmq-tls', readOnly: true });
  });

  test('scaleConsumer scales the consumer on the ready messages through KEDA, with no CPU autoscaler', () => {
    const { chart, broker, namespace } = brokerScope();
    const queue = new JobQueue(chart, 'jobs', { broker, vaultPathPrefix: 'platform/test' });
    const generator = new GeneratorService(chart, 'generator', {
      namespace, image: IMAGE, replicas: Replicas.autoscaled({ min: 2, max: 10 }), resources: smallResources, zones: ['z1'], metricsScraper: prometheus, scaledByQueueDepth: true,
    });
    queue.grantConsume(generator);
    queue.scaleConsumer(generator, { kedaOperator: KEDA_OPERATOR, messagesPerReplica: 3 });
    const objects = objectsOf(chart);

    const scaled = find(objects, 'ScaledObject', 'generator-queue-depth');
    expect(scaled.spec).toMatchObject({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'generator' }, minReplicaCount: 2, maxReplicaCount: 10 });
    expect(scaled.spec.triggers[0]).toEqual({
      type: 'rabbitmq',
      metadata: { protocol: 'amqp', mode: 'QueueLength', value: '3', queueName: 'generation.jobs', vhostName: 'generator-platform' },
      authenticationRef: { name: 'generator-queue-depth' },
    });
    expect(kinds(objects, 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(generator.node.validate()).toEqual([]);
  });

  test('KEDA reads the depth over AMQPS as a user that may do nothing but open the vhost, verifying the broker against the internal CA, through 5671 only', () => {
    const objects = renderScaledJobQueue();

    expect(find(objects, 'TriggerAuthentication', 'generator-queue-depth').spec.secretTargetRef).toEqual([
      { parameter: 'host', name: 'rabbitmq-keda-credentials', key: 'amqps_uri' },
      { parameter: 'tls', name: 'rabbitmq-keda-credentials', key: 'tls' },
      { parameter: 'ca', name: 'rabbitmq-tls', key: 'ca.crt' },
    ]);
    const template = find(objects, 'ExternalSecret', 'rabbitmq-keda-credentials').spec.target.template.data;
    expect(template).toEqual({ amqps_uri: 'amqps://{{ .username | urlquery }}:{{ .password | urlquery }}@rabbitmq.apps.svc.cluster.local:5671/generator-platform', tls: 'enable' });
    expect(find(objects, 'User', 'rabbitmq-keda').spec.tags).toEqual([]);
    expect(find(objects, 'Permission', 'rabbitmq-keda').spec.permissions).toEqual({ configure: '^$', write: '^$', read: '^$' });
    expect(find(objects, 'NetworkPolicy', 'rabbitmq-allow-from-keda').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'keda-operator' } } }],
      ports: [{ protocol: 'TCP', port: 5671 }],
    }]);
    const fromKeda = kinds(objects, 'NetworkPolicy').filter((policy) => JSON.stringify(policy.spec.ingress ?? []).includes('keda-operator'));
    expect(fromKeda.flatMap((policy) => policy.spec.ingress.flatMap((rule: any) => rule.ports))).toEqual([{ protocol: 'TCP', port: 5671 }]);
  });

  test('fails to grant one service both publish and consume', () => {
    const { chart, broker, service } = brokerScope();
    const queue = new JobQueue(chart, 'jobs', { broker, vaultPathPrefix: 'platform/test' });
    const api = service('api');
    queue.grantPublish(api);
    expect(() => queue.grantConsume(api)).toThrow('api already has access to generation.jobs; grant publish and consume to separate services');
  });

  test.each([
    [{ queueName: 'Jobs' }, 'JobQueue jobs: queueName is "Jobs"; use dot-separated lower-case words'],
    [{ deliveryLimit: 0 }, 'JobQueue jobs: deliveryLimit is 0; use 1 to 100 deliveries'],
  ] as Array<[Partial<JobQueueProps>, string]>)('fails on %p', (overrides, message) => {
    const { chart, broker } = brokerScope();
    expect(() => new JobQueue(chart, 'jobs', { broker, vaultPathPrefix: 'p', ...overrides })).toThrow(message);
  });

  test('fails to scale a consumer that already has a CPU autoscaler', () => {
    const { chart, broker, namespace } = brokerScope();
    const queue = new JobQueue(chart, 'jobs', { broker, vaultPathPrefix: 'p' });
    const generator = new GeneratorService(chart, 'generator', { namespace, image: IMAGE, replicas: Replicas.autoscaled({ min: 2, max: 4 }), resources: smallResources, zones: ['z1'], metricsScraper: prometheus });
    expect(() => queue.scaleConsumer(generator, { kedaOperator: KEDA_OPERATOR })).toThrow('generator already has a HorizontalPodAutoscaler');
  });
});
