import { EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS, previewEnvironment } from '../../lib/config/environments';
import { SPEC_RESOURCES } from '../../lib/config/spec-minimums';
import { renderEnvironment } from '../../lib/synth/render';
import { configWith } from '../support/configs';
import { containers, find, kinds, KubeObject, renderChart } from '../support/kube';

const ALL = Object.values(EnvironmentName);
const FULL_SIZE = [EnvironmentName.STAGING, EnvironmentName.PRODUCTION];
const SERVICES = ['web', 'api', 'generator'] as const;
const rendered = Object.fromEntries(ALL.map((name) => [name, renderChart(ENVIRONMENTS[name])])) as Record<EnvironmentName, KubeObject[]>;

function quantityToNumber(q: string): number {
  const units: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  const match = /^([0-9.]+)([A-Za-z]*)$/.exec(String(q));
  if (!match) throw new Error(`not a quantity: ${q}`);
  return Number(match[1]) * (match[2] ? units[match[2]] : 1);
}

describe.each(FULL_SIZE)('%s meets the specification', (env) => {
  const objects = rendered[env];

  test.each(['web', 'api'])('runs %s with at least two replicas through its CPU autoscaler, and no fixed replica count', (service) => {
    const hpa = find(objects, 'HorizontalPodAutoscaler', service);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: service });
    expect(find(objects, 'Deployment', service).spec.replicas).toBeUndefined();
  });

  test('scales the generator on the job queue\'s depth with KEDA, never below two replicas, and with no CPU autoscaler fighting it', () => {
    const scaler = find(objects, 'ScaledObject', 'generator-queue-depth');
    expect(scaler.spec.minReplicaCount).toBeGreaterThanOrEqual(2);
    expect(scaler.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'generator' });
    expect(scaler.spec.triggers[0]).toMatchObject({ type: 'rabbitmq', metadata: { queueName: 'generation.jobs', mode: 'QueueLength' } });
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === 'generator')).toEqual([]);
    expect(find(objects, 'Deployment', 'generator').spec.replicas).toBeUndefined();
  });

  test('runs PostgreSQL 15.4 as three instances of 4 CPU / 8Gi / 100Gi with a synchronous standby and a separate WAL volume', () => {
    const cluster = find(objects, 'Cluster', 'postgres');
    expect(cluster.spec.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:15.4');
    expect(cluster.spec).toMatchObject({ instances: 3, minSyncReplicas: 1, maxSyncReplicas: 1 });
    expect(cluster.spec.resources.limits).toMatchObject({ cpu: '4', memory: '8Gi' });
    expect(cluster.spec.storage.size).toBe('100Gi');
    expect(cluster.spec.walStorage.size).toBeDefined();
    expect(cluster.spec.monitoring.enablePodMonitor).toBe(true);
  });

  test('archives WAL at least every minute and backs up daily, so a lost cluster loses under 5 minutes of data', () => {
    const cluster = find(objects, 'Cluster', 'postgres');
    const archiveTimeout = /^(\d+)s$/.exec(cluster.spec.postgresql.parameters.archive_timeout);
    expect(Number(archiveTimeout![1])).toBeLessThanOrEqual(60);
    expect(cluster.spec.backup.barmanObjectStore.destinationPath).toMatch(/^s3:\/\//);
    expect(cluster.spec.backup.barmanObjectStore.s3Credentials.secretAccessKey).toEqual({ name: 'postgres-backup-credentials', key: 'ACCESS_SECRET_KEY' });
    expect(cluster.spec.backup.retentionPolicy).toBe('30d');
    expect(find(objects, 'ScheduledBackup', 'postgres-base-backup').spec.cluster).toEqual({ name: 'postgres' });
    expect(find(objects, 'ExternalSecret', 'postgres-backup-credentials').spec.secretStoreRef.kind).toBe('ClusterSecretStore');
  });

  test('api and generator reach PostgreSQL through a read-write PgBouncer pooler of at least two pods', () => {
    const pooler = find(objects, 'Pooler', 'postgres-pooler');
    expect(pooler.spec.type).toBe('rw');
    expect(pooler.spec.instances).toBeGreaterThanOrEqual(2);
    for (const service of ['api', 'generator']) {
      expect(find(objects, 'Deployment', service).spec.template.spec.containers[0].env).toContainEqual({ name: 'PGHOST', value: `postgres-pooler.${ENVIRONMENTS[env].namespace}.svc.cluster.local` });
    }
  });

  test('runs Redis 7.0 in cluster mode as 3 primaries with a replica each, 2 CPU / 4Gi per node, one node per host', () => {
    const redis = find(objects, 'StatefulSet', 'redis');
    expect(redis.spec.replicas).toBe(6);
    const [server] = redis.spec.template.spec.containers;
    expect(server.image).toMatch(/redis:7\.0\.\d+/);
    expect(server.resources.limits).toMatchObject({ cpu: '2', memory: '4Gi' });
    expect(redis.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    const conf = kinds(objects, 'ConfigMap').map((c) => Object.values(c.data ?? {}).join('\n')).join('\n');
    expect(conf).toMatch(/^cluster-enabled yes$/m);
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^cluster-preferred-endpoint-type hostname$/m);
    expect(find(objects, 'PodDisruptionBudget', 'redis').spec.maxUnavailable).toBe(1);
    expect(find(objects, 'ExternalSecret', 'redis-password').spec.data[0].remoteRef.property).toBe('password');
  });

  test('runs RabbitMQ 3.12 as three nodes of 2 CPU / 4Gi, one per host, pausing a minority on partition', () => {
    const cluster = find(objects, 'RabbitmqCluster', 'rabbitmq');
    expect(cluster.spec.replicas).toBe(3);
    expect(cluster.spec.image).toMatch(/^rabbitmq:3\.12\./);
    expect(cluster.spec.resources.limits).toEqual({ cpu: '2', memory: '4Gi' });
    expect(cluster.spec.rabbitmq.additionalConfig).toContain('cluster_partition_handling = pause_minority');
    expect(find(objects, 'Vhost', 'rabbitmq-generator-platform').spec.defaultQueueType).toBe('quorum');
    expect(find(objects, 'PodDisruptionBudget', 'rabbitmq').spec.maxUnavailable).toBe(1);
  });

  test('runs the API with at least two replicas spread over zones and nodes', () => {
    const api = find(objects, 'Deployment', 'api').spec.template.spec;
    const byKey = Object.fromEntries(api.topologySpreadConstraints.map((c: any) => [c.topologyKey, c]));
    expect(byKey['topology.kubernetes.io/zone']).toMatchObject({ maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' });
    expect(byKey['kubernetes.io/hostname']).toMatchObject({ maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' });
    expect(byKey['topology.kubernetes.io/zone'].labelSelector.matchLabels).toEqual(find(objects, 'Deployment', 'api').spec.selector.matchLabels);
    const zones = api.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0];
    expect(zones.key).toBe('topology.kubernetes.io/zone');
    expect(zones.values.length).toBeGreaterThanOrEqual(2);
  });

  test.each(SERVICES)('gives every %s pod the specification\'s CPU and memory as requests and limits', (service) => {
    const [container] = find(objects, 'Deployment', service).spec.template.spec.containers;
    const spec = SPEC_RESOURCES[service];
    for (const side of ['requests', 'limits']) {
      expect(quantityToNumber(container.resources[side].cpu)).toBeGreaterThanOrEqual(spec.cpuMillis / 1000);
      expect(quantityToNumber(container.resources[side].memory)).toBeGreaterThanOrEqual(spec.memoryMi * 2 ** 20);
    }
  });

  test.each(['web', 'api'] as const)('gives every %s pod 20Gi of ephemeral storage', (service) => {
    const [container] = find(objects, 'Deployment', service).spec.template.spec.containers;
    expect(quantityToNumber(container.resources.requests['ephemeral-storage'])).toBeGreaterThanOrEqual(20 * 2 ** 30);
  });

  test('gives every generator pod a 40Gi workspace volume of its own', () => {
    const pod = find(objects, 'Deployment', 'generator').spec.template.spec;
    const workspace = pod.volumes.find((v: any) => v.name === 'workspace');
    expect(workspace.ephemeral.volumeClaimTemplate.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(quantityToNumber(workspace.ephemeral.volumeClaimTemplate.spec.resources.requests.storage)).toBeGreaterThanOrEqual(40 * 2 ** 30);
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'workspace', mountPath: '/workspace' });
  });

  test('pulls every image by digest', () => {
    for (const container of containers(objects)) {
      expect(container.image).toMatch(/@sha256:[a-f0-9]{64}$/);
    }
  });
});

describe.each(ALL)('%s is secure by default', (env) => {
  const objects = rendered[env];

  test('every container drops ALL capabilities and cannot escalate privileges', () => {
    for (const container of containers(objects)) {
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.securityContext.capabilities.add).toBeUndefined();
    }
  });

  test('every container runs as non-root on a read-only root filesystem with the RuntimeDefault seccomp profile', () => {
    for (const deployment of kinds(objects, 'Deployment')) {
      const pod = deployment.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(10000);
      for (const container of pod.containers) {
        expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, seccompProfile: { type: 'RuntimeDefault' } });
      }
    }
  });

  test('every writable path is an explicit volume, /tmp included', () => {
    for (const deployment of kinds(objects, 'Deployment')) {
      const pod = deployment.spec.template.spec;
      const mounts = pod.containers[0].volumeMounts.map((m: any) => m.mountPath);
      expect(mounts).toContain('/tmp');
      for (const volume of pod.volumes) {
        expect(Object.keys(volume).filter((k) => k !== 'name')).toEqual([expect.stringMatching(/^(emptyDir|ephemeral)$/)]);
        if (volume.emptyDir) expect(volume.emptyDir.sizeLimit).toBeDefined();
      }
    }
    const web = find(objects, 'Deployment', 'web').spec.template.spec.containers[0];
    expect(web.volumeMounts.map((m: any) => m.mountPath)).toContain('/app/.next/cache');
  });

  test('every container sets equal requests and limits for cpu, memory and ephemeral storage', () => {
    for (const container of containers(objects)) {
      for (const resource of ['cpu', 'memory', 'ephemeral-storage']) {
        expect(container.resources.requests[resource]).toBeDefined();
        expect(container.resources.limits[resource]).toBe(container.resources.requests[resource]);
      }
    }
  });

  test('every container has startup, readiness and liveness probes, readiness distinct from liveness', () => {
    for (const container of containers(objects)) {
      expect(container.startupProbe.httpGet).toBeDefined();
      expect(container.readinessProbe.httpGet.path).toBe('/readyz');
      expect(container.livenessProbe.httpGet.path).toBe('/healthz');
      const portNames = container.ports.map((p: any) => p.name);
      for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) {
        expect(portNames).toContain(probe.httpGet.port);
      }
    }
  });

  test('each workload has its own ServiceAccount and no pod mounts an API token', () => {
    for (const deployment of kinds(objects, 'Deployment')) {
      const pod = deployment.spec.template.spec;
      expect(pod.serviceAccountName).toBe(deployment.metadata.name);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(find(objects, 'ServiceAccount', deployment.metadata.name).automountServiceAccountToken).toBe(false);
    }
    expect(kinds(objects, 'ServiceAccount').map((s) => s.metadata.name).sort()).toEqual(['api', 'generator', 'redis', 'web']);
    for (const workload of [...kinds(objects, 'StatefulSet'), ...kinds(objects, 'Job')]) {
      expect(workload.spec.template.spec.automountServiceAccountToken).toBe(false);
    }
  });

  test('updates roll out without taking a ready pod away first, and drain before stopping', () => {
    for (const deployment of kinds(objects, 'Deployment')) {
      expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
      const pod = deployment.spec.template.spec;
      const drain = Number(pod.containers[0].lifecycle.preStop.exec.command[1]);
      const shutdown = Number(pod.containers[0].env.find((e: any) => e.name === 'SHUTDOWN_TIMEOUT_SECONDS').value);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(drain + shutdown);
    }
  });

  test('every workload has a PodDisruptionBudget that selects exactly its pods', () => {
    for (const deployment of kinds(objects, 'Deployment')) {
      const pdb = find(objects, 'PodDisruptionBudget', deployment.metadata.name);
      expect(pdb.spec.selector).toEqual(deployment.spec.selector);
      expect(pdb.spec.maxUnavailable).toBe(1);
    }
  });

  test('every Service selects a workload\'s pods and targets ports they declare', () => {
    for (const service of kinds(objects, 'Service')) {
      const workload = [...kinds(objects, 'Deployment'), ...kinds(objects, 'StatefulSet')].find((d) =>
        Object.entries(service.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v),
      );
      expect({ service: service.metadata.name, selects: workload?.metadata.name }).toEqual({ service: service.metadata.name, selects: expect.any(String) });
      const ports = workload!.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []);
      for (const port of service.spec.ports) {
        expect(ports.some((p: any) => p.name === port.targetPort || p.containerPort === port.targetPort)).toBe(true);
      }
    }
  });

  test('the namespace enforces, audits and warns on the restricted Pod Security Standard', () => {
    const namespace = find(objects, 'Namespace', ENVIRONMENTS[env].namespace);
    for (const mode of ['enforce', 'audit', 'warn']) {
      expect(namespace.metadata.labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
    }
    for (const object of objects.filter((o) => o.kind !== 'Namespace')) {
      expect(object.metadata.namespace).toBe(ENVIRONMENTS[env].namespace);
    }
  });

  test('the ResourceQuota covers every workload at its maximum plus rollout surge, with the stated headroom', () => {
    const hard = find(objects, 'ResourceQuota', 'workload-quota').spec.hard;
    let cpu = 0;
    let memory = 0;
    let pods = 0;
    const count = (podCount: number, containerRequests: any[]) => {
      cpu += podCount * containerRequests.reduce((acc, r) => acc + quantityToNumber(r.cpu), 0);
      memory += podCount * containerRequests.reduce((acc, r) => acc + quantityToNumber(r.memory), 0);
      pods += podCount;
    };
    for (const deployment of kinds(objects, 'Deployment')) {
      const scaler = objects.find((o) => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(o.kind) && o.spec.scaleTargetRef.name === deployment.metadata.name);
      const max = scaler ? (scaler.spec.maxReplicas ?? scaler.spec.maxReplicaCount) : deployment.spec.replicas;
      count(max + Math.max(1, Math.ceil(max * 0.25)), deployment.spec.template.spec.containers.map((c: any) => c.resources.requests));
    }
    for (const statefulSet of kinds(objects, 'StatefulSet')) {
      count(statefulSet.spec.replicas, statefulSet.spec.template.spec.containers.map((c: any) => c.resources.requests));
    }
    for (const job of kinds(objects, 'Job')) {
      count(1, job.spec.template.spec.containers.map((c: any) => c.resources.requests));
    }
    for (const cluster of kinds(objects, 'Cluster')) {
      // One pod per instance, plus the join or bootstrap Job the operator runs beside them.
      count(cluster.spec.instances + 1, [cluster.spec.resources.requests]);
    }
    for (const pooler of kinds(objects, 'Pooler')) {
      // The pooler's Deployment surges one pod during a rolling update.
      count(pooler.spec.instances + 1, pooler.spec.template.spec.containers.map((c: any) => c.resources.requests));
    }
    for (const broker of kinds(objects, 'RabbitmqCluster')) {
      const pod = broker.spec.override.statefulSet.spec.template.spec;
      count(broker.spec.replicas, [...pod.containers, ...pod.initContainers].map((c: any) => c.resources.requests));
    }
    const headroom = 1 + ENVIRONMENTS[env].quotaHeadroomPercent / 100;
    expect(quantityToNumber(hard['requests.cpu'])).toBeGreaterThanOrEqual(cpu * headroom - 1e-9);
    expect(quantityToNumber(hard['requests.cpu'])).toBeLessThan(cpu * headroom + 1);
    expect(quantityToNumber(hard['requests.memory'])).toBeGreaterThanOrEqual(memory * headroom);
    expect(Number(hard.pods)).toBe(Math.ceil(pods * headroom));
    expect(hard['services.loadbalancers']).toBe(0);
    expect(hard['services.nodeports']).toBe(0);
  });

  test('only DNS and the platform\'s own flows pass the default-deny NetworkPolicy', () => {
    const policies = kinds(objects, 'NetworkPolicy');
    expect(find(objects, 'NetworkPolicy', 'default-deny-all').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const dns = find(objects, 'NetworkPolicy', 'allow-dns-egress').spec;
    expect(dns.egress[0].ports).toEqual([{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }]);

    const selected = (selector: any): string => {
      const labels = selector.matchLabels ?? {};
      const name = labels['app.kubernetes.io/name'] ?? labels['cnpg.io/poolerName'] ?? labels['cnpg.io/cluster'];
      return name ?? selector.matchExpressions?.map((e: any) => e.values.join('|')).join() ?? JSON.stringify(labels);
    };
    const describe = (peer: any) => peer.ipBlock ? `${peer.ipBlock.cidr}${peer.ipBlock.except ? ` except ${peer.ipBlock.except.join(' ')}` : ''}` : selected(peer.podSelector) + (peer.namespaceSelector ? `@${peer.namespaceSelector.matchLabels['kubernetes.io/metadata.name']}` : '');
    const ports = (rule: any) => rule.ports.map((p: any) => p.port).join(',');
    const flows = policies
      .filter((p) => !['default-deny-all', 'allow-dns-egress'].includes(p.metadata.name))
      .flatMap((p) => {
        const target = selected(p.spec.podSelector);
        return [
          ...(p.spec.ingress ?? []).map((rule: any) => `${rule.from.map(describe).join('+')} -> ${target}:${ports(rule)}`),
          ...(p.spec.egress ?? []).map((rule: any) => `${target} egress -> ${rule.to.map(describe).join('+')}:${ports(rule)}`),
        ];
      })
      .sort();
    const interNode = '4369,25672,35672,35673,35674,35675,35676,35677,35678,35679,35680,35681,35682,5672';
    const withKeda = ENVIRONMENTS[env].generator.replicas.isAutoscaled ? ['keda-operator@keda -> rabbitmq:15672'] : [];
    expect(flows).toEqual([
      'web -> api:8080',
      'web egress -> api:8080',
      'ingress-nginx@ingress-nginx -> api:8080',
      'ingress-nginx@ingress-nginx -> web:3000',
      'prometheus@monitoring -> api:9090',
      'prometheus@monitoring -> generator:9090',
      'prometheus@monitoring -> web:9090',
      'api -> rabbitmq:5672',
      'api egress -> rabbitmq:5672',
      'generator -> rabbitmq:5672',
      'generator egress -> rabbitmq:5672',
      `rabbitmq -> rabbitmq:${interNode}`,
      `rabbitmq egress -> rabbitmq:${interNode}`,
      'rabbitmq-cluster-operator|messaging-topology-operator@rabbitmq-system -> rabbitmq:15672',
      'prometheus@monitoring -> rabbitmq:15692',
      `rabbitmq egress -> ${ENVIRONMENTS[env].kubernetesApiCidr}:443,6443`,
      'api -> postgres-pooler:5432',
      'api egress -> postgres-pooler:5432',
      'generator -> postgres-pooler:5432',
      'generator egress -> postgres-pooler:5432',
      'postgres-pooler -> postgres:5432',
      'postgres-pooler egress -> postgres:5432',
      `postgres-pooler egress -> ${ENVIRONMENTS[env].kubernetesApiCidr}:443,6443`,
      'prometheus@monitoring -> postgres-pooler:9127',
      'postgres -> postgres:5432,8000',
      'postgres egress -> postgres:5432,8000',
      'cloudnative-pg@cnpg-system -> postgres:8000,5432',
      'prometheus@monitoring -> postgres:9187',
      'postgres egress -> 0.0.0.0/0 except 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16:443',
      `postgres egress -> ${ENVIRONMENTS[env].kubernetesApiCidr}:443,6443`,
      'api -> redis:6379',
      'api egress -> redis:6379',
      'generator -> redis:6379',
      'generator egress -> redis:6379',
      'redis -> redis:6379,16379',
      'redis egress -> redis:6379,16379',
      'redis-bootstrap -> redis:6379',
      'redis-bootstrap egress -> redis:6379',
      'prometheus@monitoring -> redis:9121',
      ...withKeda,
    ].sort());
  });

  test('web and api are published through ingress-nginx over TLS only', () => {
    for (const [service, host] of [['web', ENVIRONMENTS[env].webHostname], ['api', ENVIRONMENTS[env].apiHostname]]) {
      const ingress = find(objects, 'Ingress', service);
      expect(ingress.spec.ingressClassName).toBe('nginx');
      expect(ingress.spec.tls).toEqual([{ hosts: [host], secretName: `${service}-tls` }]);
      expect(ingress.spec.rules[0].host).toBe(host);
      expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: service, port: { name: 'http' } } });
      expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/force-ssl-redirect']).toBe('true');
      expect(ingress.metadata.annotations['cert-manager.io/cluster-issuer']).toBe(ENVIRONMENTS[env].tlsClusterIssuer);
    }
    expect(kinds(objects, 'Ingress')).toHaveLength(2);
  });
});

describe('reduced-footprint environments', () => {
  test.each([EnvironmentName.DEVELOPMENT, EnvironmentName.PREVIEW])('%s runs fixed single replicas without autoscalers and spreads only when it can', (env) => {
    const objects = rendered[env];
    expect(kinds(objects, 'HorizontalPodAutoscaler')).toHaveLength(0);
    for (const deployment of kinds(objects, 'Deployment')) {
      expect(deployment.spec.replicas).toBe(1);
      for (const constraint of deployment.spec.template.spec.topologySpreadConstraints) {
        expect(constraint.whenUnsatisfiable).toBe('ScheduleAnyway');
      }
    }
  });

  test('development logs at debug level, production at info', () => {
    const level = (env: EnvironmentName) =>
      find(rendered[env], 'Deployment', 'api').spec.template.spec.containers[0].env.find((e: any) => e.name === 'LOG_LEVEL').value;
    expect(level(EnvironmentName.DEVELOPMENT)).toBe('debug');
    expect(level(EnvironmentName.PRODUCTION)).toBe('info');
  });

  test('a preview gets a namespace and hostnames of its own', () => {
    const objects = renderChart(previewEnvironment('pr-42'));
    expect(find(objects, 'Namespace', 'generator-platform-pr-42')).toBeDefined();
    expect(find(objects, 'Ingress', 'web').spec.rules[0].host).toBe('app-pr-42.preview.generator-platform.example.com');
    expect(find(objects, 'Deployment', 'web').spec.template.spec.containers[0].env).toContainEqual({
      name: 'API_INTERNAL_URL',
      value: 'http://api.generator-platform-pr-42.svc.cluster.local:80',
    });
  });
});

describe('disaster recovery switch', () => {
  test('production with recoverFromBackup renders a cluster restored to the target time from the old archive, archiving into a new folder', () => {
    const restored = configWith('production', (c) => {
      c.postgres = { ...c.postgres, recoverFromBackup: { sourceServerName: 'postgres', targetTime: '2026-11-27T10:15:00Z' }, backupServerName: 'postgres-r1' };
    });
    const cluster = find(renderChart(restored), 'Cluster', 'postgres');
    expect(cluster.spec.bootstrap.initdb).toBeUndefined();
    expect(cluster.spec.bootstrap.recovery.recoveryTarget).toEqual({ targetTime: '2026-11-27T10:15:00Z' });
    expect(cluster.spec.backup.barmanObjectStore.serverName).toBe('postgres-r1');
    const source = cluster.spec.externalClusters.find((c: any) => c.name === cluster.spec.bootstrap.recovery.source);
    expect(source.barmanObjectStore).toMatchObject({ serverName: 'postgres', destinationPath: cluster.spec.backup.barmanObjectStore.destinationPath });
  });

  test('restoring into the folder it restores from fails synth', () => {
    const restored = configWith('production', (c) => {
      c.postgres = { ...c.postgres, recoverFromBackup: { sourceServerName: 'postgres' } };
    });
    expect(() => renderChart(restored)).toThrow('PostgresCluster postgres: backupServerName is "postgres"; restoring from that folder, archive into a new one');
  });
});

describe('rendered files', () => {
  test.each(ALL)('%s matches its reviewed snapshot', (env) => {
    expect(Object.fromEntries(renderEnvironment(ENVIRONMENTS[env]))).toMatchSnapshot();
  });
});
