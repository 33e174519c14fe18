import { LongRunningService } from '../../lib/services/long-running-service';
import { RedisCluster, RedisClusterProps, RedisEvictionPolicy } from '../../lib/stores/redis-cluster';
import { find, KubeObject, kinds, objectsOf } from '../support/kube';
import { IMAGE, oneReplica, PINNED_IMAGE, prometheus, smallResources } from '../support/service-fixtures';
import { minimalRedis, redisPasswordSource, redisScope, TLS_ISSUER } from './support/redis-fixtures';

const SELECTOR = { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/part-of': 'generator-platform' };
/** The StatefulSet of the first zone (minimalRedis runs in z1, z2 and z3); every zone's renders the same pod but for the zone. */
const FIRST_SET = 'redis-z1';
const BOOTSTRAP_SELECTOR = { 'app.kubernetes.io/name': 'redis-bootstrap', 'app.kubernetes.io/part-of': 'generator-platform' };

function podsOf(objects: readonly KubeObject[]): { kind: string; spec: any }[] {
  return [...kinds(objects, 'StatefulSet'), ...kinds(objects, 'Job')].map((o) => ({ kind: o.kind, spec: o.spec.template.spec }));
}

function envOf(container: any): Record<string, unknown> {
  return Object.fromEntries(container.env.map((v: any) => [v.name, v.value ?? v.valueFrom]));
}

function clientService(chart: any, namespace: any, id: string): LongRunningService {
  return new LongRunningService(chart, id, { namespace, component: 'backend', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 8080 });
}

describe('RedisCluster', () => {
  test('with minimal props: 3 primaries with a replica each, i.e. 6 pods, 2 CPU / 4Gi and a 20Gi volume per node', () => {
    const { chart, redis } = minimalRedis();
    const objects = objectsOf(chart);
    const sts = find(objects, 'StatefulSet', FIRST_SET);
    const pod = sts.spec.template.spec;
    const [server, exporter] = pod.containers;

    expect(redis.nodeCount).toBe(6);
    expect(kinds(objects, 'StatefulSet').map((set) => [set.metadata.name, set.spec.replicas])).toEqual([['redis-z1', 2], ['redis-z2', 2], ['redis-z3', 2]]);
    expect(sts.spec).toMatchObject({ replicas: 2, serviceName: 'redis-headless', podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate' } });
    expect(server.image).toBe('docker.io/library/redis:7.0.15');
    expect(exporter.image).toBe('docker.io/oliver006/redis_exporter:v1.58.0@sha256:2e42c98f2c53aaf3ce205e746ff8bfa25d39e30d8b4f401ce0ad2740836bb817');
    expect(server.resources.limits).toEqual({ 'cpu': '2', 'memory': '4Gi', 'ephemeral-storage': '768Mi' });
    expect(server.ports).toEqual([
      { name: 'redis', containerPort: 6379, protocol: 'TCP' },
      { name: 'cluster-bus', containerPort: 16379, protocol: 'TCP' },
    ]);
    expect(exporter.ports).toEqual([{ name: 'metrics', containerPort: 9121, protocol: 'TCP' }]);
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } });
    expect(server.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });

    const config = find(objects, 'ConfigMap', 'redis-config').data['redis.conf'];
    expect(config).toContain('cluster-enabled yes\n');
    expect(config).toContain('cluster-config-file nodes.conf\n');
    expect(config).toContain('cluster-node-timeout 5000\n');
    expect(config).toContain('cluster-require-full-coverage no\ncluster-replica-validity-factor 0\ncluster-allow-replica-migration no\nrepl-diskless-sync-max-replicas 1\n');
    expect(config).toContain('cluster-preferred-endpoint-type hostname\n');
    expect(config).toContain('appendonly yes\nappendfsync everysec\n');
    expect(config).toContain('maxmemory 2867mb\nmaxmemory-policy noeviction\n');

    expect(find(objects, 'Service', 'redis-headless').spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, selector: SELECTOR });
    expect(find(objects, 'Service', 'redis').spec).toMatchObject({ type: 'ClusterIP', ports: [{ name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' }] });
    expect(redis.footprint).toEqual({
      maxPods: 6,
      podCpuMillis: 2100,
      podMemoryMi: 4224,
      podEphemeralStorageGi: 1,
      podClaimStorageGi: 20,
      podClaimCount: 1,
      largestContainerCpuMillis: 2000,
      largestContainerMemoryMi: 4096,
      largestClaimGi: 20,
    });
  });

  test('with all props: every prop reaches the rendered objects', () => {
    const { chart, namespace } = redisScope();
    const props: Required<RedisClusterProps> = {
      namespace,
      vaultPathPrefix: 'generator-platform/all-props',
      zones: ['z1', 'z2', 'z3'],
      metricsScraper: prometheus,
      primaries: 5,
      replicasPerPrimary: 1,
      cpuMillis: 1500,
      memoryMi: 2048,
      storageGi: 8,
      storageClass: 'fast-ssd',
      nodeTimeoutMillis: 8000,
      evictionPolicy: RedisEvictionPolicy.ALL_KEYS_LRU,
      extraConfig: { 'hz': '20', 'slowlog-log-slower-than': '5000' },
      strictTopologySpread: false,
      image: PINNED_IMAGE,
      exporterImage: { repository: 'registry.example/redis_exporter', tag: 'v1.58.0', digest: 'sha256:' + 'c'.repeat(64) },
      tlsIssuer: { issuerName: 'platform-ca', issuerKind: 'ClusterIssuer' },
      tlsCertificateLifetime: { durationHours: 720, renewBeforeHours: 240 },
    };
    const redis = new RedisCluster(chart, 'cache', props);
    const objects = objectsOf(chart);
    const sts = find(objects, 'StatefulSet', 'cache-z2');
    const pod = sts.spec.template.spec;
    const [server, exporter] = pod.containers;
    const config = find(objects, 'ConfigMap', 'cache-config').data['redis.conf'];

    expect(redis.nodeCount).toBe(10);
    // z2 holds the primaries of shards 1 and 4 and the replicas of shards 0 and 3.
    expect(kinds(objects, 'StatefulSet').map((set) => set.spec.replicas)).toEqual([3, 4, 3]);
    expect(envOf(server).REDIS_PRIMARY_ORDINALS).toBe('2');
    expect(envOf(exporter).REDIS_PASSWORD).toEqual(redisPasswordSource('exporter', 'cache'));
    expect(find(objects, 'ExternalSecret', 'cache-exporter-credentials').spec.data).toEqual([
      { secretKey: 'password', remoteRef: { key: 'generator-platform/all-props/redis/exporter', property: 'password' } },
    ]);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['z2']);
    expect(pod.affinity.podAntiAffinity).toEqual({
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'cache', 'app.kubernetes.io/part-of': 'generator-platform' } } } },
      ],
    });
    expect(server.resources.requests).toEqual({ 'cpu': '1500m', 'memory': '2Gi', 'ephemeral-storage': '768Mi' });
    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '8Gi' } } });
    expect(config).toContain('cluster-node-timeout 8000\n');
    expect(config).toContain('maxmemory 1433mb\nmaxmemory-policy allkeys-lru\n');
    expect(config).toMatch(/hz 20\nslowlog-log-slower-than 5000\n$/);
    expect(server.image).toBe(`ghcr.io/acme/svc:1.0.0@${PINNED_IMAGE.digest}`);
    expect(exporter.image).toBe(`registry.example/redis_exporter:v1.58.0@sha256:${'c'.repeat(64)}`);
    expect(find(objects, 'Job', 'cache-bootstrap').spec.template.spec.containers[0].image).toBe(server.image);
    expect(find(objects, 'NetworkPolicy', 'cache-allow-metrics-scrape').spec.ingress[0].from).toEqual([prometheus.toNetworkPolicyPeer()]);
    expect(redis.footprint).toMatchObject({ maxPods: 10, podCpuMillis: 1600, podClaimStorageGi: 8, largestClaimGi: 8 });
    const certificate = find(objects, 'Certificate', 'cache-tls');
    expect(certificate.spec).toMatchObject({ duration: '720h', renewBefore: '240h', issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'platform-ca' } });
    expect(certificate.spec.dnsNames).toContain('cache-z2-3.cache-headless.apps.svc.cluster.local');
  });

  test.each([
    [1, 6, ['z1-1', 'z2-1', 'z3-1']],
    [0, 3, []],
  ])('with %i replica(s) per primary: %i pods, and the bootstrap is told which follows which', (replicasPerPrimary, pods, replicas) => {
    const { chart, redis } = minimalRedis({ replicasPerPrimary });
    const objects = objectsOf(chart);
    expect(kinds(objects, 'StatefulSet').reduce((sum, set) => sum + set.spec.replicas, 0)).toBe(pods);
    expect(redis.footprint.maxPods).toBe(pods);
    const env = envOf(find(objects, 'Job', 'redis-bootstrap').spec.template.spec.containers[0]);
    const address = (pod: string) => `redis-${pod}.redis-headless.apps.svc.cluster.local:6379`;
    expect(env.REDIS_PRIMARIES).toBe(['z1-0', 'z2-0', 'z3-0'].map(address).join(' '));
    // The replica of shard i is in the zone after its primary's: z2, z3, then z1.
    expect(env.REDIS_REPLICAS).toBe([...replicas.slice(1), ...replicas.slice(0, 1)].map(address).join(' '));
  });

  test('one StatefulSet per zone, pinned to it, never two nodes on one machine: a primary and its replica are never in one zone', () => {
    const { chart, redis } = minimalRedis();
    const objects = objectsOf(chart);
    for (const zone of ['z1', 'z2', 'z3']) {
      const sts = find(objects, 'StatefulSet', `redis-${zone}`);
      const pod = sts.spec.template.spec;
      const zoneSelector = { ...SELECTOR, 'generator-platform.dev/zone': zone };
      // Apart from every other node, whichever zone's.
      expect(pod.affinity).toEqual({
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [zone] }] }] } },
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: SELECTOR } }] },
      });
      expect(pod.topologySpreadConstraints).toBeUndefined();
      // The sets' selectors never overlap; everything else selects the nodes of every zone.
      expect(sts.spec.selector).toEqual({ matchLabels: zoneSelector });
      expect(sts.spec.template.metadata.labels).toMatchObject(zoneSelector);
      expect(envOf(pod.containers[0]).REDIS_PRIMARY_ORDINALS).toBe('1');
    }
    for (const [kind, name] of [['Service', 'redis'], ['Service', 'redis-headless']]) {
      expect(find(objects, kind, name).spec.selector).toEqual(SELECTOR);
    }
    expect(find(objects, 'NetworkPolicy', 'redis-allow-cluster-peers').spec.podSelector).toEqual({ matchLabels: SELECTOR });
    expect(redis.placement.primaries.map((node) => [node.podName, node.zone])).toEqual([['redis-z1-0', 'z1'], ['redis-z2-0', 'z2'], ['redis-z3-0', 'z3']]);
    expect(redis.placement.replicas.map((node) => [node.podName, node.zone])).toEqual([['redis-z2-1', 'z2'], ['redis-z3-1', 'z3'], ['redis-z1-1', 'z1']]);
  });

  test('development and previews: 3 primaries without replicas in one zone, one StatefulSet of 3 nodes, all planned primaries', () => {
    const { chart, redis } = minimalRedis({ zones: ['eu-west-1a'], replicasPerPrimary: 0, strictTopologySpread: false });
    const sts = find(objectsOf(chart), 'StatefulSet', 'redis-eu-west-1a');
    expect(sts.spec.replicas).toBe(3);
    expect(envOf(sts.spec.template.spec.containers[0]).REDIS_PRIMARY_ORDINALS).toBe('3');
    expect(sts.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(redis.nodeAddresses()).toEqual([0, 1, 2].map((ordinal) => `redis-eu-west-1a-${ordinal}.redis-headless.apps.svc.cluster.local:6379`));
  });

  test('a primary hands its role over before it stops, within a grace period that leaves Redis its own shutdown', () => {
    const { chart } = minimalRedis();
    const pod = find(objectsOf(chart), 'StatefulSet', FIRST_SET).spec.template.spec;
    expect(pod.containers[0].lifecycle).toEqual({ preStop: { exec: { command: ['sh', '/etc/redis/role.sh', 'handover', '/proc/1/fd/1'] } } });
    expect(envOf(pod.containers[0])).toMatchObject({ REDIS_HANDOVER_USER: 'bootstrap', REDIS_HANDOVER_WAIT_SECONDS: '60' });
    expect(pod.terminationGracePeriodSeconds).toBe(90);
  });

  test('serves TLS only: no plaintext port, TLS 1.2+ for clients, replication and the cluster bus', () => {
    const { chart } = minimalRedis();
    const config = find(objectsOf(chart), 'ConfigMap', 'redis-config').data['redis.conf'];
    expect(config).toMatch(/^port 0\ntls-port 6379\n/);
    expect(config).toContain([
      'tls-cert-file /etc/redis-tls/tls.crt',
      'tls-key-file /etc/redis-tls/tls.key',
      'tls-ca-cert-file /etc/redis-tls/ca.crt',
      'tls-auth-clients optional',
      'tls-replication yes',
      'tls-cluster yes',
      'tls-protocols "TLSv1.2 TLSv1.3"',
    ].join('\n') + '\n');
  });

  test('a certificate from the internal CA for every name a node is reached by, also usable as a client certificate', () => {
    const { chart } = minimalRedis();
    const certificate = find(objectsOf(chart), 'Certificate', 'redis-tls');
    expect(certificate.spec).toMatchObject({
      secretName: 'redis-tls',
      commonName: 'redis.apps.svc',
      duration: '2160h',
      renewBefore: '720h',
      issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: 'internal-ca' },
    });
    expect(certificate.spec.usages).toContain('client auth');
    expect(certificate.spec.dnsNames).toEqual([
      'redis.apps.svc',
      'redis.apps.svc.cluster.local',
      'redis-headless.apps.svc',
      'redis-headless.apps.svc.cluster.local',
      '*.redis-headless.apps.svc',
      '*.redis-headless.apps.svc.cluster.local',
      ...['z1-0', 'z1-1', 'z2-0', 'z2-1', 'z3-0', 'z3-1'].flatMap((pod) => [`redis-${pod}.redis-headless.apps.svc`, `redis-${pod}.redis-headless.apps.svc.cluster.local`]),
    ]);
  });

  test('the key pair reaches the redis and exporter containers only; the bootstrap gets ca.crt; all verify the nodes with it', () => {
    const { chart } = minimalRedis();
    const objects = objectsOf(chart);
    const pod = find(objects, 'StatefulSet', FIRST_SET).spec.template.spec;
    const [server, exporter] = pod.containers;
    const job = find(objects, 'Job', 'redis-bootstrap').spec.template.spec;
    const caOnly = { name: 'tls-ca', secret: { secretName: 'redis-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } };
    expect(pod.volumes.filter((v: any) => v.secret)).toEqual([{ name: 'tls', secret: { secretName: 'redis-tls', defaultMode: 0o440 } }]);
    expect(server.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/redis-tls', readOnly: true });
    expect(exporter.volumeMounts).toEqual([{ name: 'tls', mountPath: '/etc/redis-tls', readOnly: true }]);
    expect(job.volumes).toContainEqual(caOnly);
    expect(job.containers[0].volumeMounts).toContainEqual({ name: 'tls-ca', mountPath: '/etc/redis-tls', readOnly: true });

    expect(envOf(server)).toMatchObject({
      REDIS_PORT: '6379',
      REDIS_TLS_CERT_FILE: '/etc/redis-tls/tls.crt',
      REDIS_TLS_KEY_FILE: '/etc/redis-tls/tls.key',
      REDIS_TLS_CA_FILE: '/etc/redis-tls/ca.crt',
      REDIS_RELOAD_SECONDS: '30',
    });
    expect(envOf(exporter)).toMatchObject({
      POD_FQDN: '$(POD_NAME).redis-headless.apps.svc.cluster.local',
      REDIS_ADDR: 'rediss://$(POD_FQDN):6379',
      REDIS_EXPORTER_TLS_CA_CERT_FILE: '/etc/redis-tls/ca.crt',
    });
    expect(envOf(job.containers[0]).REDIS_TLS_CA_FILE).toBe('/etc/redis-tls/ca.crt');
  });

  test('the exporter serves /metrics over HTTPS only, with the node\'s certificate, which names the headless Service Prometheus verifies', () => {
    const { chart, redis } = minimalRedis();
    const objects = objectsOf(chart);
    const [, exporter] = find(objects, 'StatefulSet', FIRST_SET).spec.template.spec.containers;
    expect(envOf(exporter)).toMatchObject({
      REDIS_EXPORTER_WEB_LISTEN_ADDRESS: ':9121',
      REDIS_EXPORTER_TLS_SERVER_CERT_FILE: '/etc/redis-tls/tls.crt',
      REDIS_EXPORTER_TLS_SERVER_KEY_FILE: '/etc/redis-tls/tls.key',
      REDIS_EXPORTER_TLS_SERVER_MIN_VERSION: 'TLS1.2',
    });
    // No client CA for the web listener: Prometheus presents no certificate.
    expect(envOf(exporter).REDIS_EXPORTER_TLS_SERVER_CA_CERT_FILE).toBeUndefined();
    expect(redis.metricsServerName).toBe('redis-headless.apps.svc');
    expect(find(objects, 'Certificate', 'redis-tls').spec.dnsNames).toContain(redis.metricsServerName);
    expect(find(objects, 'Service', 'redis-headless').spec.ports).toContainEqual({ name: 'metrics', port: 9121, targetPort: 'metrics', protocol: 'TCP', appProtocol: 'https' });
  });

  test('lets at most one node be disrupted at a time', () => {
    const { chart } = minimalRedis();
    expect(find(objectsOf(chart), 'PodDisruptionBudget', 'redis').spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: SELECTOR },
      unhealthyPodEvictionPolicy: 'IfHealthyBudget',
    });
  });

  test('starts through the start script, announcing the pod\'s stable DNS name, with no password on the command line', () => {
    const { chart } = minimalRedis();
    const [server] = find(objectsOf(chart), 'StatefulSet', FIRST_SET).spec.template.spec.containers;
    expect(server.command).toEqual(['sh', '/etc/redis/start.sh']);
    expect(server.args).toEqual([
      '/etc/redis/redis.conf',
      '--dir', '/data',
      '--cluster-announce-hostname', '$(POD_FQDN)',
    ]);
    expect(envOf(server).POD_FQDN).toBe('$(POD_NAME).redis-headless.apps.svc.cluster.local');
    expect(envOf(server).REDIS_DATA_DIR).toBe('/data');
  });

  test('renders no secret value: each user\'s password comes from its own Vault-backed Secret, and only the exporter and the bootstrap read one from their environment', () => {
    const { chart } = minimalRedis();
    const objects = objectsOf(chart);
    expect(kinds(objects, 'Secret')).toEqual([]);
    expect(kinds(objects, 'ExternalSecret').map((secret) => [secret.metadata.name, secret.spec.data])).toEqual(['exporter', 'bootstrap', 'replication'].map((user) => [
      `redis-${user}-credentials`,
      [{ secretKey: 'password', remoteRef: { key: `generator-platform/test/redis/${user}`, property: 'password' } }],
    ]));
    const [server, exporter] = find(objects, 'StatefulSet', FIRST_SET).spec.template.spec.containers;
    const job = find(objects, 'Job', 'redis-bootstrap').spec.template.spec.containers[0];
    const fromSecrets = (container: any) => container.env.filter((v: any) => v.valueFrom?.secretKeyRef);
    expect(fromSecrets(server)).toEqual([]);
    expect(fromSecrets(exporter)).toEqual([{ name: 'REDIS_PASSWORD', valueFrom: redisPasswordSource('exporter') }]);
    expect(envOf(exporter).REDIS_USER).toBe('exporter');
    expect(fromSecrets(job)).toEqual([{ name: 'REDISCLI_AUTH', valueFrom: redisPasswordSource('bootstrap') }]);
    expect(envOf(job).REDIS_USERNAME).toBe('bootstrap');
    // No password in redis.conf, nor one for the default user: the users and the replication password come at start.
    expect(find(objects, 'ConfigMap', 'redis-config').data['redis.conf']).not.toMatch(/^(requirepass|masterauth|user) /m);
  });

  test('every container runs non-root on a read-only root filesystem, with no capability, and requests equal limits', () => {
    const { chart } = minimalRedis();
    const objects = objectsOf(chart);
    const pods = podsOf(objects);
    expect(pods.map((p) => p.kind)).toEqual(['StatefulSet', 'StatefulSet', 'StatefulSet', 'Job']);
    for (const { spec } of pods) {
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.serviceAccountName).toBe('redis');
      expect(spec.securityContext).toEqual({
        runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const container of spec.containers) {
        expect(container.securityContext).toEqual({
          runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, allowPrivilegeEscalation: false, privileged: false,
          readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
        expect(container.resources.requests).toEqual(container.resources.limits);
        expect(container.imagePullPolicy).toBe('Always');
      }
    }
    expect(find(objects, 'ServiceAccount', 'redis').automountServiceAccountToken).toBe(false);
  });

  test('probes the nodes with the tested probe script, and the exporter by its port', () => {
    const { chart } = minimalRedis();
    const [server, exporter] = find(objectsOf(chart), 'StatefulSet', FIRST_SET).spec.template.spec.containers;
    expect(server.startupProbe.exec.command).toEqual(['sh', '/etc/redis/probe.sh', 'started']);
    expect(server.readinessProbe.exec.command).toEqual(['sh', '/etc/redis/probe.sh', 'ready']);
    expect(server.livenessProbe.exec.command).toEqual(['sh', '/etc/redis/probe.sh', 'alive']);
    expect(exporter.readinessProbe.tcpSocket).toEqual({ port: 'metrics' });
    expect(exporter.livenessProbe).not.toEqual(exporter.readinessProbe);
  });

  test('the bootstrap Job is bounded in retries and time, and cleans up after itself', () => {
    const { chart } = minimalRedis();
    const objects = objectsOf(chart);
    const job = find(objects, 'Job', 'redis-bootstrap');
    expect(job.spec).toMatchObject({ backoffLimit: 3, activeDeadlineSeconds: 900, ttlSecondsAfterFinished: 86400 });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.template.spec.containers[0].command).toEqual(['sh', '/opt/bootstrap/bootstrap-cluster.sh']);
    // It forms the cluster itself, as planned: redis-cli --cluster create would pair nodes by position, whatever their zones.
    const script = find(objects, 'ConfigMap', 'redis-bootstrap').data['bootstrap-cluster.sh'];
    expect(script).toContain('cluster addslotsrange');
    expect(script).not.toContain('--cluster create');
  });

  test('opens exactly the flows a cluster needs: node to node, bootstrap to nodes, and the metrics scrape', () => {
    const { chart } = minimalRedis();
    const objects = objectsOf(chart);
    const ports = [{ protocol: 'TCP', port: 6379 }, { protocol: 'TCP', port: 16379 }];
    expect(find(objects, 'NetworkPolicy', 'redis-allow-cluster-peers').spec).toEqual({
      podSelector: { matchLabels: SELECTOR },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: SELECTOR } }], ports }],
      egress: [{ to: [{ podSelector: { matchLabels: SELECTOR } }], ports }],
    });
    expect(find(objects, 'NetworkPolicy', 'redis-allow-from-bootstrap').spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: BOOTSTRAP_SELECTOR } }], ports: [{ protocol: 'TCP', port: 6379 }] },
    ]);
    expect(find(objects, 'NetworkPolicy', 'redis-bootstrap-allow-egress-to-redis').spec).toEqual({
      podSelector: { matchLabels: BOOTSTRAP_SELECTOR },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: SELECTOR } }], ports: [{ protocol: 'TCP', port: 6379 }] }],
    });
    expect(find(objects, 'NetworkPolicy', 'redis-allow-metrics-scrape').spec.ingress).toEqual([
      { from: [prometheus.toNetworkPolicyPeer()], ports: [{ protocol: 'TCP', port: 9121 }] },
    ]);
    expect(kinds(objects, 'NetworkPolicy').filter((p) => p.metadata.name.startsWith('redis'))).toHaveLength(4);
  });

  test('allowFrom(api) opens the api\'s egress and Redis\'s ingress on the client port only', () => {
    const { chart, namespace, vaultPathPrefix } = redisScope();
    const redis = new RedisCluster(chart, 'redis', { namespace, vaultPathPrefix, zones: ['z1'], metricsScraper: prometheus, tlsIssuer: TLS_ISSUER });
    const api = clientService(chart, namespace, 'api');
    redis.allowFrom(api);
    const objects = objectsOf(chart);
    const apiSelector = { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/part-of': 'generator-platform' };
    expect(find(objects, 'NetworkPolicy', 'redis-allow-from-api').spec).toEqual({
      podSelector: { matchLabels: SELECTOR },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: apiSelector } }], ports: [{ protocol: 'TCP', port: 6379 }] }],
    });
    expect(find(objects, 'NetworkPolicy', 'api-allow-egress-to-redis').spec).toEqual({
      podSelector: { matchLabels: apiSelector },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: SELECTOR } }], ports: [{ protocol: 'TCP', port: 6379 }] }],
    });
  });

  test('connect(client) wires api and generator: both policies, a user of its own and the connection settings from its Secret', () => {
    const { chart, namespace, vaultPathPrefix } = redisScope();
    const redis = new RedisCluster(chart, 'redis', { namespace, vaultPathPrefix, zones: ['z1'], metricsScraper: prometheus, tlsIssuer: TLS_ISSUER });
    const api = clientService(chart, namespace, 'api');
    const generator = clientService(chart, namespace, 'generator');
    const apiUser = redis.connect(api);
    redis.connect(generator);
    const objects = objectsOf(chart);
    for (const client of ['api', 'generator']) {
      find(objects, 'NetworkPolicy', `redis-allow-from-${client}`);
      find(objects, 'NetworkPolicy', `${client}-allow-egress-to-redis`);
      const deployment = find(objects, 'Deployment', client);
      const pod = deployment.spec.template.spec;
      const env = envOf(pod.containers[0]);
      expect(env.REDIS_USERNAME).toBe(client);
      expect(env.REDIS_PASSWORD).toEqual(redisPasswordSource(client));
      expect(env.REDIS_KEY_PREFIX).toBe(`${client}:`);
      // Read at start: Reloader restarts the client when its password is rotated.
      expect(deployment.metadata.annotations['secret.reloader.stakater.com/reload']).toBe(`redis-${client}-credentials`);
      expect(find(objects, 'ExternalSecret', `redis-${client}-credentials`).spec.data[0].remoteRef).toEqual({ key: `generator-platform/test/redis/${client}`, property: 'password' });
      expect(String(env.REDIS_CLUSTER_NODES).split(',')).toEqual(redis.nodeAddresses());
      expect(String(env.REDIS_CLUSTER_URLS).split(',')).toEqual(redis.tlsNodeUrls());
      expect(env.REDIS_TLS_CA_FILE).toBe('/etc/generator-platform/ca/redis-tls/ca.crt');
      expect(pod.volumes).toContainEqual({ name: 'ca-redis-tls', secret: { secretName: 'redis-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } });
    }
    // One zone: its StatefulSet runs all six nodes.
    expect(redis.nodeAddresses()).toEqual([0, 1, 2, 3, 4, 5].map((ordinal) => `redis-z1-${ordinal}.redis-headless.apps.svc.cluster.local:6379`));
    expect(redis.tlsNodeUrls()[5]).toBe('rediss://redis-z1-5.redis-headless.apps.svc.cluster.local:6379');
    expect(redis.connectionEnv(apiUser).find((v) => v.name === 'REDIS_TLS_CA_FILE')?.value).toBe('/etc/generator-platform/ca/redis-tls/ca.crt');
    expect(redis.caSecretName).toBe('redis-tls');
  });

  test('counts its pods, volumes and the bootstrap pod into the namespace quota', () => {
    const { chart } = minimalRedis();
    const hard = find(objectsOf(chart), 'ResourceQuota', 'workload-quota').spec.hard;
    // (6 nodes + 1 bootstrap pod) + 20% headroom, rounded up.
    expect(hard.pods).toBe(9);
    expect(hard.persistentvolumeclaims).toBe(8);
    expect(hard['requests.storage']).toBe('144Gi');
  });

  describe('fails', () => {
    test('fails on fewer than 3 primaries', () => {
      expect(() => minimalRedis({ primaries: 2 })).toThrow('RedisCluster redis: primaries is 2; use 3 to 100: Redis Cluster needs at least 3 primaries for a majority');
    });

    test('fails on a fractional number of primaries', () => {
      expect(() => minimalRedis({ primaries: 3.5 })).toThrow('RedisCluster redis: primaries is 3.5; use 3 to 100');
    });

    test('fails on more than one replica per primary', () => {
      expect(() => minimalRedis({ replicasPerPrimary: 2 })).toThrow('RedisCluster redis: replicasPerPrimary is 2; use 1');
    });

    test('fails on primaries that one zone\'s loss would leave without a majority to promote replicas', () => {
      expect(() => minimalRedis({ primaries: 4 })).toThrow(
        'RedisCluster redis: primaries is 4; over 3 zones one zone would hold 2 of 4 primaries, and after its loss the rest are no majority (3) to promote their replicas: use 3, 5, 6, 7, 8 primaries or more zones',
      );
      expect(() => minimalRedis({ primaries: 5 })).not.toThrow();
    });

    test('fails on two zones with replicas, where a zone always holds half the primaries; without replicas two zones are fine', () => {
      expect(() => minimalRedis({ zones: ['z1', 'z2'] })).toThrow(
        'RedisCluster redis: zones is ["z1","z2"]; use at least 3 zones: with 2, one zone holds at least half of the primaries, and after its loss the rest are no majority to promote their replicas',
      );
      expect(() => minimalRedis({ zones: ['z1', 'z2'], replicasPerPrimary: 0 })).not.toThrow();
    });

    test.each([['EU_West'], ['z'.repeat(47)]])('fails on a zone that cannot name a StatefulSet: %s', (zone) => {
      expect(() => minimalRedis({ zones: [zone], replicasPerPrimary: 0 })).toThrow(
        `RedisCluster redis: zones is ["${zone}"]; each zone names a StatefulSet "redis-<zone>": use lower-case DNS label zones of at most 46 characters (e.g. eu-west-1a)`,
      );
    });

    test('fails with no zone', () => {
      expect(() => minimalRedis({ zones: [] })).toThrow('RedisCluster redis: zones is []; list at least one zone');
    });

    test('fails on an id that is not a DNS label', () => {
      const { chart, namespace, vaultPathPrefix } = redisScope();
      expect(() => new RedisCluster(chart, 'Redis_Cache', { namespace, vaultPathPrefix, zones: ['z1'], metricsScraper: prometheus, tlsIssuer: TLS_ISSUER })).toThrow(
        'RedisCluster Redis_Cache: the construct id (used as the object name) is "Redis_Cache"',
      );
    });

    test('fails when extraConfig sets a directive the construct owns', () => {
      expect(() => minimalRedis({ extraConfig: { requirepass: 'x' } })).toThrow('RedisCluster redis: a directive of extraConfig is "requirepass"; the construct sets it itself');
    });

    test.each(['port', 'tls-auth-clients', 'tls-protocols', 'tls-cluster'])('fails when extraConfig weakens TLS through %s', (directive) => {
      expect(() => minimalRedis({ extraConfig: { [directive]: 'no' } })).toThrow(`RedisCluster redis: a directive of extraConfig is "${directive}"; the construct sets it itself`);
    });

    test('fails on a certificate renewed less than halfway through its lifetime', () => {
      expect(() => minimalRedis({ tlsCertificateLifetime: { durationHours: 100, renewBeforeHours: 80 } })).toThrow('TlsCertificate redis-tls: renewBeforeHours 80 must be a positive whole number at most half of durationHours 100');
    });

    test('fails on an extraConfig directive that is not a directive name', () => {
      expect(() => minimalRedis({ extraConfig: { 'hz 10\nport': '1' } })).toThrow('use a redis.conf directive name in lower case');
    });

    test('fails when the volume cannot hold an AOF rewrite', () => {
      expect(() => minimalRedis({ storageGi: 6 })).toThrow('RedisCluster redis: storageGi is 6; use at least 8: an AOF rewrite briefly needs room for two copies of the dataset');
    });

    test('fails on a node timeout out of range', () => {
      expect(() => minimalRedis({ nodeTimeoutMillis: 500 })).toThrow('RedisCluster redis: nodeTimeoutMillis is 500; use 1000 to 60000 milliseconds');
    });

    test('fails on too little memory', () => {
      expect(() => minimalRedis({ memoryMi: 128 })).toThrow('RedisCluster redis: memoryMi is 128; use a whole number of mebibytes, at least 256');
    });

    test('fails on a Vault prefix that is not a KV path', () => {
      expect(() => minimalRedis({ vaultPathPrefix: 'Generator Platform' })).toThrow('VaultSecret redis-exporter-credentials: vaultPath is "Generator Platform/redis/exporter"; use a KV path');
    });
  });
});
