import { CidrPeer } from '../../lib/platform/cidr-peer';
import { MessageBroker, MessageBrokerProps } from '../../lib/stores/message-broker';
import { find, kinds, objectsOf } from '../support/kube';
import { prometheus, serviceScope } from '../support/service-fixtures';

const kubernetesApi = new CidrPeer('kubernetes-api', '10.0.0.1/32');
const internalCa = { issuerName: 'internal-ca', issuerKind: 'Issuer' as const };

function broker(overrides: Partial<MessageBrokerProps> = {}) {
  const { chart, namespace } = serviceScope();
  const construct = new MessageBroker(chart, 'rabbitmq', {
    namespace, replicas: 3, cpuMillis: 2000, memoryMi: 4096, storageGi: 20, zones: ['z1', 'z2', 'z3'],
    metricsScraper: prometheus, kubernetesApi, tlsIssuer: internalCa, ...overrides,
  });
  return { chart, construct, objects: () => objectsOf(chart) };
}

describe('MessageBroker', () => {
  test('with minimal props: a 3-node RabbitMQ 3.12 cluster that pauses a minority and keeps 2 CPU / 4Gi per node', () => {
    const { objects } = broker();
    const cluster = find(objects(), 'RabbitmqCluster', 'rabbitmq');
    expect(cluster.apiVersion).toBe('rabbitmq.com/v1beta1');
    expect(cluster.spec.replicas).toBe(3);
    expect(cluster.spec.image).toMatch(/^docker\.io\/library\/rabbitmq:3\.12\.\d+-management(@sha256:[0-9a-f]{64})?$/);
    expect(cluster.spec.resources).toEqual({ requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } });
    expect(cluster.spec.rabbitmq.additionalConfig).toContain('cluster_partition_handling = pause_minority');
    expect(cluster.spec.terminationGracePeriodSeconds).toBe(600);
    expect(cluster.spec.persistence).toEqual({ storage: '20Gi' });
    expect(cluster.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    const pod = cluster.spec.override.statefulSet.spec.template.spec;
    expect(pod.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const container of [...pod.containers, ...pod.initContainers]) {
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(container.resources.limits).toEqual(container.resources.requests);
    }
    expect(find(objects(), 'Vhost', 'rabbitmq-generator-platform').spec).toEqual({ name: 'generator-platform', defaultQueueType: 'quorum', rabbitmqClusterReference: { name: 'rabbitmq' } });
    expect(find(objects(), 'PodDisruptionBudget', 'rabbitmq').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'rabbitmq' } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
  });

  test('with all props', () => {
    const { chart, namespace } = serviceScope();
    const props: Required<MessageBrokerProps> = {
      namespace, replicas: 5, cpuMillis: 4000, memoryMi: 8192, storageGi: 50, zones: ['z1'], metricsScraper: prometheus, kubernetesApi,
      storageClass: 'gp3', terminationGracePeriodSeconds: 900, vhostName: 'jobs', operatorNamespace: 'rabbitmq-operators',
      tlsIssuer: { issuerName: 'vault-pki', issuerKind: 'ClusterIssuer' }, tlsCertificateLifetime: { durationHours: 720, renewBeforeHours: 240 },
      image: { repository: 'registry.example.com/rabbitmq', tag: '3.12.14-management', digest: 'sha256:' + 'b'.repeat(64) },
    };
    new MessageBroker(chart, 'mq', props);
    const objects = objectsOf(chart);
    const cluster = find(objects, 'RabbitmqCluster', 'mq');
    expect(cluster.spec).toMatchObject({ replicas: 5, terminationGracePeriodSeconds: 900, persistence: { storageClassName: 'gp3', storage: '50Gi' } });
    expect(cluster.spec.image).toBe(`registry.example.com/rabbitmq:3.12.14-management@sha256:${'b'.repeat(64)}`);
    expect(cluster.spec.override.statefulSet.spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable).toBe('ScheduleAnyway');
    expect(find(objects, 'Vhost', 'mq-jobs').spec.name).toBe('jobs');
    expect(find(objects, 'NetworkPolicy', 'mq-allow-operators').spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'rabbitmq-operators' });
    expect(find(objects, 'ResourceQuota', 'workload-quota').spec.hard['requests.storage']).toBe('300Gi');
    expect(find(objects, 'Certificate', 'mq-tls').spec).toMatchObject({
      duration: '720h', renewBefore: '240h', issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'vault-pki' },
    });
    expect(find(objects, 'Certificate', 'mq-tls').spec.dnsNames).toEqual(expect.arrayContaining(['mq-server-4.mq-nodes.apps', 'mq-server-4.mq-nodes.apps.svc']));
  });

  test('serves AMQP, the management API and metrics over TLS only, with a certificate from the internal CA for the client Service and every node', () => {
    const { construct, objects } = broker();
    expect(find(objects(), 'RabbitmqCluster', 'rabbitmq').spec.tls).toEqual({ secretName: 'rabbitmq-tls', caSecretName: 'rabbitmq-tls', disableNonTLSListeners: true });
    expect(construct.tlsSecretName).toBe('rabbitmq-tls');
    const certificate = find(objects(), 'Certificate', 'rabbitmq-tls').spec;
    expect(certificate).toMatchObject({
      secretName: 'rabbitmq-tls',
      duration: '2160h',
      renewBefore: '720h',
      issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: 'internal-ca' },
      usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
    });
    expect(certificate.dnsNames).toEqual([
      'rabbitmq', 'rabbitmq.apps', 'rabbitmq.apps.svc', 'rabbitmq.apps.svc.cluster.local',
      'rabbitmq-server-0.rabbitmq-nodes.apps', 'rabbitmq-server-1.rabbitmq-nodes.apps', 'rabbitmq-server-2.rabbitmq-nodes.apps',
      'rabbitmq-server-0.rabbitmq-nodes.apps.svc', 'rabbitmq-server-1.rabbitmq-nodes.apps.svc', 'rabbitmq-server-2.rabbitmq-nodes.apps.svc',
      'rabbitmq-server-0.rabbitmq-nodes.apps.svc.cluster.local', 'rabbitmq-server-1.rabbitmq-nodes.apps.svc.cluster.local', 'rabbitmq-server-2.rabbitmq-nodes.apps.svc.cluster.local',
    ]);
    expect(certificate.dnsNames).toContain(construct.serviceHost);
  });

  test('runs Erlang distribution between the nodes and from the CLI tools over mutually verified TLS with the broker certificate', () => {
    const { objects } = broker();
    const cluster = find(objects(), 'RabbitmqCluster', 'rabbitmq');
    const args = '-proto_dist inet_tls -ssl_dist_optfile /etc/rabbitmq/distribution/inter_node_tls.config';
    expect(cluster.spec.rabbitmq.envConfig).toBe(`SERVER_ADDITIONAL_ERL_ARGS="${args}"\nRABBITMQ_CTL_ERL_ARGS="${args}"\n`);
    const pod = cluster.spec.override.statefulSet.spec.template.spec;
    expect(pod.containers[0].volumeMounts).toEqual(expect.arrayContaining([
      { name: 'distribution-tls', mountPath: '/etc/rabbitmq/distribution-tls', readOnly: true },
      { name: 'distribution-config', mountPath: '/etc/rabbitmq/distribution', readOnly: true },
    ]));
    expect(pod.volumes).toEqual(expect.arrayContaining([
      { name: 'distribution-tls', secret: { secretName: 'rabbitmq-tls', defaultMode: 0o440 } },
      { name: 'distribution-config', configMap: { name: 'rabbitmq-distribution-tls' } },
    ]));
    const optfile: string = find(objects(), 'ConfigMap', 'rabbitmq-distribution-tls').data['inter_node_tls.config'];
    const section = (role: string) => new RegExp(`\\{${role}, \\[([^\\]]*)\\]\\}`).exec(optfile)![1];
    for (const role of ['server', 'client']) {
      expect(section(role)).toContain('{cacertfile, "/etc/rabbitmq/distribution-tls/ca.crt"}');
      expect(section(role)).toContain('{certfile, "/etc/rabbitmq/distribution-tls/tls.crt"}');
      expect(section(role)).toContain('{keyfile, "/etc/rabbitmq/distribution-tls/tls.key"}');
      expect(section(role)).toContain('{verify, verify_peer}');
    }
    expect(section('server')).toContain('{fail_if_no_peer_cert, true}');
    expect(optfile.trimEnd()).toMatch(/\]\.$/);
  });

  test('opens exactly the inter-node, operator, metrics and Kubernetes API flows', () => {
    const { objects } = broker();
    const policies = kinds(objects(), 'NetworkPolicy').filter((p) => p.metadata.name.startsWith('rabbitmq-'));
    expect(policies.map((p) => p.metadata.name).sort()).toEqual([
      'rabbitmq-allow-cluster-nodes', 'rabbitmq-allow-egress-to-kubernetes-api', 'rabbitmq-allow-metrics-scrape', 'rabbitmq-allow-operators',
    ]);
    const nodes = find(objects(), 'NetworkPolicy', 'rabbitmq-allow-cluster-nodes').spec;
    expect(nodes.ingress[0].ports.map((p: any) => p.port)).toEqual(expect.arrayContaining([4369, 25672, 5671]));
    expect(nodes.ingress[0].ports.map((p: any) => p.port)).not.toContain(5672);
    expect(find(objects(), 'NetworkPolicy', 'rabbitmq-allow-metrics-scrape').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 15691 }]);
    expect(find(objects(), 'NetworkPolicy', 'rabbitmq-allow-operators').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 15671 }]);
    expect(find(objects(), 'NetworkPolicy', 'rabbitmq-allow-egress-to-kubernetes-api').spec.egress[0].to).toEqual([{ ipBlock: { cidr: '10.0.0.1/32' } }]);
  });

  test.each([
    [{ replicas: 2 }, 'MessageBroker rabbitmq: replicas is 2; use 1, or an odd number of at least 3'],
    [{ replicas: 4 }, 'MessageBroker rabbitmq: replicas is 4'],
    [{ memoryMi: 512 }, 'MessageBroker rabbitmq: memoryMi is 512; give each node at least 1024 MiB'],
    [{ zones: [] }, 'MessageBroker rabbitmq: zones is []'],
    [{ terminationGracePeriodSeconds: 604800 }, 'MessageBroker rabbitmq: terminationGracePeriodSeconds is 604800; use 120 to 3600 seconds'],
    [{ tlsCertificateLifetime: { durationHours: 720, renewBeforeHours: 500 } }, 'TlsCertificate rabbitmq-tls: renewBeforeHours 500 must be a positive whole number at most half of durationHours 720'],
  ] as Array<[Partial<MessageBrokerProps>, string]>)('fails on %p', (overrides, message) => {
    expect(() => broker(overrides)).toThrow(message);
  });

  test('fails with a PropError that names the construct, the prop and the value, so that synth can name the config field', () => {
    expect(() => broker({ replicas: 2 })).toThrow(expect.objectContaining({ name: 'PropError', constructId: 'rabbitmq', prop: 'replicas', value: 2 }));
  });
});
