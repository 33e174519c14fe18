import { EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS, previewEnvironment } from '../../lib/config/environments';
import { SPEC_RESOURCES } from '../../lib/config/spec-minimums';
import { renderEnvironment } from '../../synth/render';
import { configWith } from '../support/configs';
import { find, kinds, KubeObject, renderChart } from '../support/kube';

const ALL = Object.values(EnvironmentName);
const FULL_SIZE = [EnvironmentName.STAGING, EnvironmentName.PRODUCTION];
const SERVICES = ['web', 'api', 'generator'] as const;
const rendered = Object.fromEntries(ALL.map((name) => [name, renderChart(ENVIRONMENTS[name])])) as Record<EnvironmentName, KubeObject[]>;

/** Deployments and Argo Rollouts: both run a service's pods from the same kind of pod template. */
function workloads(objects: readonly KubeObject[]): KubeObject[] {
  return objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Rollout');
}

/** The Deployment or Rollout named `name`. */
function workload(objects: readonly KubeObject[], name: string): KubeObject {
  const matches = workloads(objects).filter((o) => o.metadata.name === name);
  expect(matches.map((o) => `${o.kind}/${o.metadata.name}`)).toHaveLength(1);
  return matches[0];
}

/** Every container of every Deployment and Rollout pod template. */
function containers(objects: readonly KubeObject[]): any[] {
  return workloads(objects).flatMap((w) => w.spec.template.spec.containers);
}

function quantityToNumber(q: string): number {
  const units: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  const match = /^([0-9.]+)([A-Za-z]*)$/.exec(String(q));
  if (!match) throw new Error(`not a quantity: ${q}`);
  return Number(match[1]) * (match[2] ? units[match[2]] : 1);
}

describe.each(FULL_SIZE)('%s meets the specification', (env) => {
  const objects = rendered[env];

  test.each(['web', 'api'])('runs %s as an Argo Rollout with at least two replicas through its CPU autoscaler, and no fixed replica count', (service) => {
    const hpa = find(objects, 'HorizontalPodAutoscaler', service);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: service });
    expect(find(objects, 'Rollout', service).spec.replicas).toBeUndefined();
    expect(kinds(objects, 'Deployment').map((d) => d.metadata.name)).not.toContain(service);
  });

  test('scales the generator on the job queue\'s depth with KEDA, never below two replicas, and with no CPU autoscaler fighting it', () => {
    const scaler = find(objects, 'ScaledObject', 'generator-queue-depth');
    expect(scaler.spec.minReplicaCount).toBeGreaterThanOrEqual(2);
    // A canary release: KEDA scales the Rollout (its /scale subresource), which owns the pods.
    expect(scaler.spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'generator' });
    expect(scaler.spec.triggers[0]).toMatchObject({ type: 'rabbitmq', metadata: { queueName: 'generation.jobs', mode: 'QueueLength' } });
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === 'generator')).toEqual([]);
    expect(find(objects, 'Rollout', 'generator').spec.replicas).toBeUndefined();
    expect(kinds(objects, 'Deployment').map((d) => d.metadata.name)).not.toContain('generator');
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
      expect(workload(objects, service).spec.template.spec.containers[0].env).toContainEqual({ name: 'PGHOST', value: `postgres-pooler.${ENVIRONMENTS[env].namespace}.svc.cluster.local` });
    }
  });

  test('runs Redis 7.0 in cluster mode as 3 primaries with a replica each, 2 CPU / 4Gi per node, one node per host, a StatefulSet per zone', () => {
    const sets = kinds(objects, 'StatefulSet').filter((set) => set.metadata.name.startsWith('redis-'));
    expect(sets.map((set) => set.metadata.name)).toEqual(['redis-eu-west-1a', 'redis-eu-west-1b', 'redis-eu-west-1c']);
    expect(sets.map((set) => set.spec.replicas)).toEqual([2, 2, 2]);
    const [redis] = sets;
    const [server] = redis.spec.template.spec.containers;
    expect(server.image).toMatch(/redis:7\.0\.\d+/);
    expect(server.resources.limits).toMatchObject({ cpu: '2', memory: '4Gi' });
    expect(redis.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    const conf = kinds(objects, 'ConfigMap').map((c) => Object.values(c.data ?? {}).join('\n')).join('\n');
    expect(conf).toMatch(/^cluster-enabled yes$/m);
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^cluster-preferred-endpoint-type hostname$/m);
    expect(find(objects, 'PodDisruptionBudget', 'redis').spec.maxUnavailable).toBe(1);
    expect(find(objects, 'ExternalSecret', 'redis-api-credentials').spec.data[0].remoteRef).toEqual({ key: `${ENVIRONMENTS[env].vaultPathPrefix}/redis/api`, property: 'password' });
  });

  test('Redis speaks TLS only, with a certificate from the internal CA that api and generator verify', () => {
    const conf = find(objects, 'ConfigMap', 'redis-config').data['redis.conf'];
    expect(conf).toMatch(/^port 0\ntls-port 6379\n/);
    expect(conf).toMatch(/^tls-cluster yes$/m);
    expect(conf).toMatch(/^tls-replication yes$/m);
    expect(find(objects, 'Certificate', 'redis-tls').spec).toMatchObject({
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'internal-ca' },
      duration: `${ENVIRONMENTS[env].certificates.durationHours}h`,
      renewBefore: `${ENVIRONMENTS[env].certificates.renewBeforeHours}h`,
    });
    for (const service of ['api', 'generator']) {
      const variables = workload(objects, service).spec.template.spec.containers[0].env;
      expect(variables).toContainEqual({ name: 'REDIS_TLS_CA_FILE', value: '/etc/generator-platform/ca/redis-tls/ca.crt' });
      expect(variables.find((v: any) => v.name === 'REDIS_CLUSTER_URLS').value).toMatch(/^rediss:\/\//);
    }
  });

  test('runs RabbitMQ 3.12 as three nodes of 2 CPU / 4Gi, one per host, pausing a minority on partition', () => {
    const cluster = find(objects, 'RabbitmqCluster', 'rabbitmq');
    expect(cluster.spec.replicas).toBe(3);
    expect(cluster.spec.image).toMatch(/^docker\.io\/library\/rabbitmq:3\.12\./);
    expect(cluster.spec.resources.limits).toEqual({ cpu: '2', memory: '4Gi' });
    expect(cluster.spec.rabbitmq.additionalConfig).toContain('cluster_partition_handling = pause_minority');
    expect(find(objects, 'Vhost', 'rabbitmq-generator-platform').spec.defaultQueueType).toBe('quorum');
    expect(find(objects, 'PodDisruptionBudget', 'rabbitmq').spec.maxUnavailable).toBe(1);
  });

  test('runs the API with at least two replicas spread over zones and nodes', () => {
    const api = workload(objects, 'api').spec.template.spec;
    const byKey = Object.fromEntries(api.topologySpreadConstraints.map((c: any) => [c.topologyKey, c]));
    expect(byKey['topology.kubernetes.io/zone']).toMatchObject({ maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' });
    expect(byKey['kubernetes.io/hostname']).toMatchObject({ maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' });
    expect(byKey['topology.kubernetes.io/zone'].labelSelector.matchLabels).toEqual(workload(objects, 'api').spec.selector.matchLabels);
    const zones = api.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0];
    expect(zones.key).toBe('topology.kubernetes.io/zone');
    expect(zones.values.length).toBeGreaterThanOrEqual(2);
  });

  test.each(SERVICES)('gives every %s pod the specification\'s CPU and memory as requests and limits', (service) => {
    const [container] = workload(objects, service).spec.template.spec.containers;
    const spec = SPEC_RESOURCES[service];
    for (const side of ['requests', 'limits']) {
      expect(quantityToNumber(container.resources[side].cpu)).toBeGreaterThanOrEqual(spec.cpuMillis / 1000);
      expect(quantityToNumber(container.resources[side].memory)).toBeGreaterThanOrEqual(spec.memoryMi * 2 ** 20);
    }
  });

  test.each(['web', 'api'] as const)('gives every %s pod 20Gi of ephemeral storage', (service) => {
    const [container] = workload(objects, service).spec.template.spec.containers;
    expect(quantityToNumber(container.resources.requests['ephemeral-storage'])).toBeGreaterThanOrEqual(20 * 2 ** 30);
  });

  test('gives every generator pod a 40Gi workspace volume of its own', () => {
    const pod = workload(objects, 'generator').spec.template.spec;
    const workspace = pod.volumes.find((v: any) => v.name === 'workspace');
    expect(workspace.ephemeral.volumeClaimTemplate.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(quantityToNumber(workspace.ephemeral.volumeClaimTemplate.spec.resources.requests.storage)).toBeGreaterThanOrEqual(40 * 2 ** 30);
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'workspace', mountPath: '/workspace' });
  });

  // Third-party images (oauth2-proxy, the stores) are pinned by tag until the release job resolves their digests.
  test('pulls every platform image by digest', () => {
    for (const container of containers(objects).filter((c) => c.image.startsWith('ghcr.io/acme/'))) {
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
    for (const deployment of workloads(objects)) {
      const pod = deployment.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(10000);
      for (const container of pod.containers) {
        expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, seccompProfile: { type: 'RuntimeDefault' } });
      }
    }
  });

  test('every writable path is an explicit volume, /tmp included', () => {
    for (const deployment of workloads(objects)) {
      const pod = deployment.spec.template.spec;
      const mounts = pod.containers[0].volumeMounts.map((m: any) => m.mountPath);
      expect(mounts).toContain('/tmp');
      // Secret volumes, all mounted read-only: a trusted store CA (only its ca.crt), and the
      // workload's own server key pair (server-tls, readable by the pod's group only).
      const readOnlyMounts = pod.containers.flatMap((c: any) => c.volumeMounts).filter((m: any) => m.readOnly === true).map((m: any) => m.name);
      for (const volume of pod.volumes.filter((v: any) => v.secret !== undefined)) {
        if (volume.name === 'server-tls') {
          expect(volume.secret.defaultMode).toBe(0o440);
        } else {
          expect(volume.secret.items).toEqual([{ key: 'ca.crt', path: 'ca.crt' }]);
        }
        expect(readOnlyMounts).toContain(volume.name);
      }
      for (const volume of pod.volumes.filter((v: any) => v.secret === undefined)) {
        expect(Object.keys(volume).filter((k) => k !== 'name')).toEqual([expect.stringMatching(/^(emptyDir|ephemeral)$/)]);
        if (volume.emptyDir) expect(volume.emptyDir.sizeLimit).toBeDefined();
      }
    }
    const web = workload(objects, 'web').spec.template.spec.containers[0];
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
    for (const deployment of workloads(objects)) {
      const pod = deployment.spec.template.spec;
      expect(pod.serviceAccountName).toBe(deployment.metadata.name);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(find(objects, 'ServiceAccount', deployment.metadata.name).automountServiceAccountToken).toBe(false);
    }
    const analysisJobs = ENVIRONMENTS[env].delivery.web === 'blue-green' ? ['web-preview-traffic'] : [];
    expect(kinds(objects, 'ServiceAccount').map((s) => s.metadata.name).sort()).toEqual(['api', 'generator', 'oauth2-proxy', 'redis', 'web', ...analysisJobs].sort());
    for (const workload of [...kinds(objects, 'StatefulSet'), ...kinds(objects, 'Job')]) {
      expect(workload.spec.template.spec.automountServiceAccountToken).toBe(false);
    }
  });

  test('updates roll out without taking a ready pod away first, and drain before stopping', () => {
    for (const deployment of workloads(objects)) {
      if (deployment.kind === 'Deployment') {
        expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: expect.stringMatching(/^\d+%$/), maxUnavailable: 0 } });
      } else if (deployment.spec.strategy.canary?.trafficRouting) {
        // With traffic routing, maxSurge/maxUnavailable do not apply; the stable pods stay at full size until the end.
        expect(deployment.spec.strategy.canary.dynamicStableScale).toBe(false);
      } else if (deployment.spec.strategy.canary) {
        // Without (the generator): the canary's replicas replace stable ones, none going before its replacement is ready.
        expect(deployment.spec.strategy.canary).toMatchObject({ maxSurge: expect.stringMatching(/^\d+%$/), maxUnavailable: 0 });
      } else {
        // Blue-green: the old pods serve until the new ones passed analysis, and stay a while after the switch.
        expect(deployment.spec.strategy.blueGreen.scaleDownDelaySeconds).toBeGreaterThanOrEqual(30);
      }
      const pod = deployment.spec.template.spec;
      if (deployment.metadata.name === 'oauth2-proxy') {
        // Distroless (no sleep for a preStop drain): it finishes in-flight subrequests on SIGTERM.
        expect(pod.containers[0].lifecycle).toBeUndefined();
        continue;
      }
      const drain = Number(pod.containers[0].lifecycle.preStop.exec.command[1]);
      const shutdown = Number(pod.containers[0].env.find((e: any) => e.name === 'SHUTDOWN_TIMEOUT_SECONDS').value);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(drain + shutdown);
    }
  });

  test('every workload has a PodDisruptionBudget that selects exactly its pods', () => {
    for (const deployment of workloads(objects)) {
      const pdb = find(objects, 'PodDisruptionBudget', deployment.metadata.name);
      expect(pdb.spec.selector).toEqual(deployment.spec.selector);
      expect(pdb.spec.maxUnavailable).toBe(1);
    }
  });

  test('every Service selects a workload\'s pods and targets ports they declare', () => {
    for (const service of kinds(objects, 'Service')) {
      const selected = [...workloads(objects), ...kinds(objects, 'StatefulSet')].find((d) =>
        Object.entries(service.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v),
      );
      expect({ service: service.metadata.name, selects: selected?.metadata.name }).toEqual({ service: service.metadata.name, selects: expect.any(String) });
      const ports = selected!.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []);
      for (const port of service.spec.ports) {
        expect(ports.some((p: any) => p.name === port.targetPort || p.containerPort === port.targetPort)).toBe(true);
      }
    }
  });

  test('web, api and generator are scraped by Prometheus through ServiceMonitors on their metrics ports', () => {
    for (const name of ['web', 'api', 'generator']) {
      const monitor = find(objects, 'ServiceMonitor', name);
      expect(monitor.spec.endpoints[0].port).toBe('metrics');
      // Over HTTPS, verified against the CA of the service's own certificate.
      expect(monitor.spec.endpoints[0]).toMatchObject({
        scheme: 'https', tlsConfig: { ca: { secret: { name: `${name}-server-tls`, key: 'ca.crt' } }, serverName: `${name}.${ENVIRONMENTS[env].namespace}.svc` },
      });
      const scraped = kinds(objects, 'Service').filter((svc) => Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => svc.metadata.labels[k] === v));
      expect(scraped.length).toBeGreaterThanOrEqual(1);
      expect(scraped.every((svc) => svc.spec.ports.some((p: any) => p.name === 'metrics'))).toBe(true);
    }
  });

  test('the namespace enforces, audits and warns on the restricted Pod Security Standard', () => {
    const namespace = find(objects, 'Namespace', ENVIRONMENTS[env].namespace);
    for (const mode of ['enforce', 'audit', 'warn']) {
      expect(namespace.metadata.labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
    }
    for (const object of objects.filter((o) => !['Namespace', 'ClusterPolicy', 'ClusterSecretStore', 'ClusterIssuer'].includes(o.kind))) {
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
    for (const deployment of workloads(objects)) {
      const scaler = objects.find((o) => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(o.kind) && o.spec.scaleTargetRef.name === deployment.metadata.name);
      const max = scaler ? (scaler.spec.maxReplicas ?? scaler.spec.maxReplicaCount) : deployment.spec.replicas;
      // A Deployment surges 25%, and so does a canary without traffic routing (its maxSurge); a blue-green or
      // routed canary Rollout runs the new version at full size beside the old, and a second release within
      // the scale-down delay a third set (test/platform/release-overlap-quota.test.ts).
      const basicCanary = deployment.kind === 'Rollout' && deployment.spec.strategy.canary && !deployment.spec.strategy.canary.trafficRouting;
      const surgePercent = deployment.kind === 'Deployment' ? parseInt(deployment.spec.strategy.rollingUpdate.maxSurge, 10) : basicCanary ? parseInt(deployment.spec.strategy.canary.maxSurge, 10) : 100;
      const duringRelease = deployment.kind === 'Rollout' && !basicCanary ? 3 * max : max + Math.max(1, Math.ceil((max * surgePercent) / 100));
      count(duringRelease, deployment.spec.template.spec.containers.map((c: any) => c.resources.requests));
    }
    for (const statefulSet of kinds(objects, 'StatefulSet')) {
      count(statefulSet.spec.replicas, statefulSet.spec.template.spec.containers.map((c: any) => c.resources.requests));
    }
    for (const job of kinds(objects, 'Job')) {
      count(1, job.spec.template.spec.containers.map((c: any) => c.resources.requests));
    }
    // A release analysis that runs a Job (the blue-green preview traffic) runs one pod at a time.
    for (const template of kinds(objects, 'AnalysisTemplate')) {
      for (const metric of template.spec.metrics.filter((m: any) => m.provider.job)) {
        count(1, metric.provider.job.spec.template.spec.containers.map((c: any) => c.resources.requests));
      }
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
    // cert-manager's HTTP-01 solver pods (its default resources), one per public hostname at once.
    if (kinds(objects, 'ClusterIssuer').some((issuer) => issuer.spec.acme?.solvers.some((solver: any) => solver.http01))) {
      count(2, [{ cpu: '100m', memory: '64Mi' }]);
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
    const interNode = '4369,25672,35672,35673,35674,35675,35676,35677,35678,35679,35680,35681,35682,5671';
    const withKeda = ENVIRONMENTS[env].generator.replicas.isAutoscaled ? ['keda-operator@keda -> rabbitmq:5671'] : [];
    const withPreviewTraffic = ENVIRONMENTS[env].delivery.web === 'blue-green' ? ['web-preview-traffic -> web:3000', 'web-preview-traffic egress -> web:3000'] : [];
    // Only the ingress controller reaches cert-manager's HTTP-01 solver pods, where an ACME issuer is rendered.
    const withAcmeSolver = kinds(objects, 'ClusterIssuer').length > 0 ? ['ingress-nginx@ingress-nginx -> {"acme.cert-manager.io/http01-solver":"true"}:8089'] : [];
    expect(flows).toEqual([
      'web -> api:8080',
      'web egress -> api:8080',
      'ingress-nginx@ingress-nginx -> api:8080',
      'ingress-nginx@ingress-nginx -> web:3000',
      'prometheus@monitoring -> api:9090',
      'prometheus@monitoring -> generator:9090',
      'prometheus@monitoring -> web:9090',
      'api -> rabbitmq:5671',
      'api egress -> rabbitmq:5671',
      'generator -> rabbitmq:5671',
      'generator egress -> rabbitmq:5671',
      ...ENVIRONMENTS[env].egress.aiProviderCidrs.map((cidr) => `generator egress -> ${cidr}:443`),
      `rabbitmq -> rabbitmq:${interNode}`,
      `rabbitmq egress -> rabbitmq:${interNode}`,
      'rabbitmq-cluster-operator|messaging-topology-operator@rabbitmq-system -> rabbitmq:15671',
      'prometheus@monitoring -> rabbitmq:15691',
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
      `postgres egress -> ${ENVIRONMENTS[env].egress.objectStorageCidrs.join('+')}:443`,
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
      'ingress-nginx@ingress-nginx -> oauth2-proxy:4180',
      'prometheus@monitoring -> oauth2-proxy:44180',
      'oauth2-proxy -> redis:6379',
      'oauth2-proxy egress -> redis:6379',
      `oauth2-proxy egress -> ${ENVIRONMENTS[env].egress.identityProviderCidrs.join('+')}:443`,
      // Web and api verify the forwarded ID token themselves: they fetch the provider's keys (JWKS).
      ...ENVIRONMENTS[env].egress.identityProviderCidrs.flatMap((cidr) => [`web egress -> ${cidr}:443`, `api egress -> ${cidr}:443`]),
      ...withKeda,
      ...withPreviewTraffic,
      ...withAcmeSolver,
    ].sort());
  });

  test('web and api are published through ingress-nginx over TLS only, rate- and connection-limited per client', () => {
    for (const [service, host] of [['web', ENVIRONMENTS[env].webHostname], ['api', ENVIRONMENTS[env].apiHostname]]) {
      const ingress = find(objects, 'Ingress', service);
      expect(ingress.spec.ingressClassName).toBe('nginx');
      expect(ingress.spec.tls).toEqual([{ hosts: [host], secretName: `${service}-tls` }]);
      expect(ingress.spec.rules[0].host).toBe(host);
      expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: service, port: { name: 'http' } } });
      expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/force-ssl-redirect']).toBe('true');
      // An explicit Certificate issues the TLS Secret (ingress-shim is not used), before the Ingress is applied.
      expect(ingress.metadata.annotations['cert-manager.io/cluster-issuer']).toBeUndefined();
      const issuer = ENVIRONMENTS[env].certificates.publicIssuer;
      const certificate = find(objects, 'Certificate', `${service}-tls`);
      expect(certificate.spec).toMatchObject({
        secretName: `${service}-tls`,
        dnsNames: [host],
        duration: `${ENVIRONMENTS[env].certificates.durationHours}h`,
        renewBefore: `${ENVIRONMENTS[env].certificates.renewBeforeHours}h`,
        issuerRef: issuer.kind === 'acme'
          ? { group: 'cert-manager.io', kind: 'ClusterIssuer', name: issuer.clusterIssuerName }
          : { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'internal-ca' },
      });
      expect(Number(certificate.metadata.annotations['argocd.argoproj.io/sync-wave'])).toBeLessThan(Number(ingress.metadata.annotations['argocd.argoproj.io/sync-wave']));
      expect(ingress.metadata.annotations).toMatchObject({
        'nginx.ingress.kubernetes.io/limit-rps': '20',
        'nginx.ingress.kubernetes.io/limit-connections': '20',
        'nginx.ingress.kubernetes.io/proxy-body-size': '10m',
        'nginx.ingress.kubernetes.io/proxy-read-timeout': '60',
      });
    }
  });

  test('every Ingress signs users in through oauth2-proxy, or is marked public and serves only the sign-in endpoints or the configured public paths', () => {
    const { webPublicPaths, apiPublicPaths } = ENVIRONMENTS[env].authentication;
    const publicPaths: Record<string, readonly string[]> = { web: webPublicPaths, api: apiPublicPaths };
    const ingresses = kinds(objects, 'Ingress');
    expect(ingresses.map((i) => i.metadata.name).sort()).toEqual(['api', 'api-public', 'api-sign-in', 'web', 'web-public', 'web-sign-in']);
    for (const ingress of ingresses) {
      const annotation = (name: string) => ingress.metadata.annotations[`nginx.ingress.kubernetes.io/${name}`];
      const service = ingress.metadata.name.replace(/-(public|sign-in)$/, '');
      const main = find(objects, 'Ingress', service);
      const backend = (name: string) => ({ service: { name, port: { name: 'http' } } });
      const paths = ingress.spec.rules.flatMap((rule: any) => rule.http.paths);
      if (ingress.metadata.name === service) {
        expect(ingress.metadata.annotations['security.generator-platform.dev/public-paths']).toBeUndefined();
        expect(annotation('auth-url')).toBe(`https://oauth2-proxy.${ENVIRONMENTS[env].namespace}.svc.cluster.local/oauth2/auth`);
        expect(annotation('auth-signin')).toBe('https://$host/oauth2/start?rd=$escaped_request_uri');
        expect(annotation('auth-response-headers').split(',')).toEqual(expect.arrayContaining(['X-Auth-Request-User', 'X-Auth-Request-Email', 'X-Auth-Request-Groups']));
      } else {
        expect(annotation('auth-url')).toBeUndefined();
        expect(ingress.metadata.annotations['security.generator-platform.dev/public-paths']).toEqual(expect.any(String));
        expect(paths).toEqual(ingress.metadata.name.endsWith('-sign-in')
          ? [{ path: '/oauth2', pathType: 'Prefix', backend: { service: { name: 'oauth2-proxy', port: { name: 'https' } } } }]
          : publicPaths[service].map((path) => ({ path, pathType: path.endsWith('/') ? 'Prefix' : 'Exact', backend: backend(service) })));
      }
      if (!ingress.metadata.name.endsWith('-sign-in')) {
        // web and api listen on HTTPS only; ingress-nginx verifies them by their Service name.
        expect(annotation('backend-protocol')).toBe('HTTPS');
        expect(annotation('proxy-ssl-verify')).toBe('on');
        expect(annotation('proxy-ssl-name')).toBe(`${service}.${ENVIRONMENTS[env].namespace}.svc`);
        expect(annotation('proxy-ssl-secret')).toBe(`${ENVIRONMENTS[env].namespace}/ingress-backend-client`);
      }
      if (ingress.metadata.name.endsWith('-sign-in')) {
        // oauth2-proxy listens on HTTPS only; ingress-nginx verifies it by its Service name.
        expect(annotation('backend-protocol')).toBe('HTTPS');
        expect(annotation('proxy-ssl-verify')).toBe('on');
        expect(annotation('proxy-ssl-name')).toBe(`oauth2-proxy.${ENVIRONMENTS[env].namespace}.svc`);
        expect(annotation('proxy-ssl-secret')).toBe(`${ENVIRONMENTS[env].namespace}/ingress-backend-client`);
      }
      // The same host, TLS Secret and per-client limits as the host's main Ingress.
      expect(ingress.spec.rules.map((rule: any) => rule.host)).toEqual(main.spec.rules.map((rule: any) => rule.host));
      expect(ingress.spec.tls).toEqual(main.spec.tls);
      for (const limit of ['force-ssl-redirect', 'limit-rps', 'limit-burst-multiplier', 'limit-connections', 'proxy-body-size']) {
        expect(annotation(limit)).toBe(main.metadata.annotations[`nginx.ingress.kubernetes.io/${limit}`]);
      }
    }
  });
});

/** Seconds a duration such as `30s`, `2m` or a bare number of seconds stands for. */
function seconds(duration: string | number): number {
  if (typeof duration === 'number') return duration;
  const match = /^(\d+)(s|m)?$/.exec(duration);
  if (!match) throw new Error(`not a duration: ${duration}`);
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
}

/**
 * The longest a successful release of one workload can take, read from the rendered objects only:
 * every batch of new pods may use its whole startup window, then one readiness period and
 * minReadySeconds; every pause and analysis gate runs to its end (count x interval); the old pods
 * go after scaleDownDelaySeconds.
 */
function worstCaseReleaseSeconds(objects: readonly KubeObject[], owner: KubeObject): number {
  const [container] = owner.spec.template.spec.containers;
  const batch = container.startupProbe.periodSeconds * container.startupProbe.failureThreshold
    + container.readinessProbe.periodSeconds * (container.readinessProbe.successThreshold ?? 1)
    + (owner.spec.minReadySeconds ?? 0);
  const scaler = objects.find((o) => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(o.kind) && o.spec.scaleTargetRef.name === owner.metadata.name);
  const max: number = scaler ? (scaler.spec.maxReplicas ?? scaler.spec.maxReplicaCount) : owner.spec.replicas;
  // Metrics of one analysis run side by side; a Job metric lasts at most its activeDeadlineSeconds.
  const metricSeconds = (m: any) => m.provider.job ? m.provider.job.spec.activeDeadlineSeconds : seconds(m.initialDelay ?? 0) + m.count * seconds(m.interval);
  const gate = (analysis: any) => Math.max(...analysis.templates.map((t: any) =>
    Math.max(...find(objects, 'AnalysisTemplate', t.templateName).spec.metrics.map(metricSeconds)),
  ));
  if (owner.kind === 'Deployment') {
    const surge = Math.max(1, Math.ceil((max * parseInt(owner.spec.strategy.rollingUpdate.maxSurge, 10)) / 100));
    return Math.ceil(max / surge) * batch;
  }
  const { blueGreen, canary } = owner.spec.strategy;
  if (blueGreen) {
    // The post-promotion analysis runs from the switch, beside the scale-down delay.
    return batch + gate(blueGreen.prePromotionAnalysis) + Math.max(blueGreen.postPromotionAnalysis ? gate(blueGreen.postPromotionAnalysis) : 0, blueGreen.scaleDownDelaySeconds);
  }
  let total = 0;
  let podsPercent = 0;
  let fixedScale: number | undefined;
  // Behind a traffic router the canary's pods start together; without one, within maxSurge at a time.
  const surge = canary.trafficRouting ? Infinity : Math.max(1, Math.ceil((max * parseInt(canary.maxSurge, 10)) / 100));
  const scaleTo = (percent: number) => {
    if (percent > podsPercent) total += Math.ceil((Math.ceil((max * percent) / 100) - Math.ceil((max * podsPercent) / 100)) / surge) * batch;
    podsPercent = percent;
  };
  for (const step of canary.steps) {
    if (step.setCanaryScale) {
      fixedScale = step.setCanaryScale.weight;
      scaleTo(fixedScale!);
    }
    if (step.setWeight !== undefined) scaleTo(fixedScale ?? step.setWeight);
    if (step.pause) total += seconds(step.pause.duration);
    if (step.analysis) total += gate(step.analysis);
  }
  scaleTo(100);
  return total + (canary.scaleDownDelaySeconds ?? 0);
}

describe.each(FULL_SIZE)('%s releases progressively', (env) => {
  const objects = rendered[env];
  const namespace = ENVIRONMENTS[env].namespace;
  const serviceArgs = (service: string) => [{ name: 'service', value: service }, { name: 'namespace', value: namespace }];

  test(`${env} releases web blue-green with pre-promotion analysis`, () => {
    const { blueGreen } = find(objects, 'Rollout', 'web').spec.strategy;
    expect(blueGreen).toMatchObject({ activeService: 'web', previewService: 'web-preview', autoPromotionEnabled: true });
    // Promotion waits for the gate, which runs against the preview pods only, while a Job sends them traffic.
    expect(blueGreen.prePromotionAnalysis).toEqual({ templates: [{ templateName: 'web-release-gate' }, { templateName: 'web-preview-traffic' }], args: serviceArgs('web-preview') });
    const traffic = find(objects, 'AnalysisTemplate', 'web-preview-traffic').spec.metrics[0].provider.job.spec;
    const gateMetrics = find(objects, 'AnalysisTemplate', 'web-release-gate').spec.metrics;
    const lastMeasurement = Math.max(...gateMetrics.map((m: any) => seconds(m.initialDelay) + (m.count - 1) * seconds(m.interval)));
    const trafficSeconds = Number(traffic.template.spec.containers[0].env.find((e: any) => e.name === 'DURATION_SECONDS').value);
    expect(trafficSeconds).toBeGreaterThanOrEqual(lastMeasurement);
    expect(traffic.template.spec.containers[0].env).toContainEqual({ name: 'TARGET_URL', value: 'https://{{args.service}}.{{args.namespace}}.svc.cluster.local:80/' });
    expect(blueGreen.autoPromotionSeconds).toBeUndefined();
    expect(blueGreen.scaleDownDelaySeconds).toBeGreaterThanOrEqual(30);
    expect(blueGreen.abortScaleDownDelaySeconds).toBeGreaterThanOrEqual(0);
    expect(find(objects, 'Service', 'web-preview').spec).toEqual(find(objects, 'Service', 'web').spec);
    expect(find(objects, 'Ingress', 'web').spec.rules[0].http.paths[0].backend.service.name).toBe('web');
  });

  test(`${env} releases api as a canary through ingress-nginx with analysis between steps and in the background`, () => {
    const { canary } = find(objects, 'Rollout', 'api').spec.strategy;
    // The public paths' Ingress routes to api too, so the canary weight applies there as well.
    expect(canary).toMatchObject({ stableService: 'api', canaryService: 'api-canary', trafficRouting: { nginx: { stableIngresses: ['api', 'api-public'] } } });
    expect(find(objects, 'Ingress', 'api').spec.rules[0].http.paths[0].backend.service.name).toBe('api');
    expect(find(objects, 'Service', 'api-canary').spec).toEqual(find(objects, 'Service', 'api').spec);
    const weights = canary.steps.filter((s: any) => s.setWeight !== undefined).map((s: any) => s.setWeight);
    expect(weights.length).toBeGreaterThanOrEqual(2);
    expect(weights).toEqual([...weights].sort((a, b) => a - b));
    expect(Math.max(...weights)).toBeLessThan(100);
    const analysisStep = canary.steps.findIndex((s: any) => s.analysis);
    const firstWeight = canary.steps.findIndex((s: any) => s.setWeight !== undefined);
    const lastWeight = canary.steps.map((s: any) => s.setWeight !== undefined).lastIndexOf(true);
    expect(firstWeight).toBeLessThan(analysisStep);
    expect(analysisStep).toBeLessThan(lastWeight);
    expect(canary.steps[analysisStep].analysis).toEqual({ templates: [{ templateName: 'api-release-gate' }], args: serviceArgs('api-canary') });
    expect(canary.steps.filter((s: any) => s.pause).every((s: any) => seconds(s.pause.duration) > 0)).toBe(true);
    expect(canary.analysis).toEqual({ templates: [{ templateName: 'api-release-watch' }], args: serviceArgs('api-canary'), startingStep: firstWeight + 1 });
  });

  test(`${env} releases the generator as a canary of its workers that KEDA scales, judged by its own metrics, and that drains jobs`, () => {
    const generator = workload(objects, 'generator');
    expect(generator.kind).toBe('Rollout');
    const { canary } = generator.spec.strategy;
    expect(canary).toMatchObject({ stableService: 'generator', canaryService: 'generator-canary', maxUnavailable: 0 });
    expect(canary.trafficRouting).toBeUndefined();
    expect(canary.steps.find((s: any) => s.analysis).analysis).toEqual({ templates: [{ templateName: 'generator-release-gate' }], args: serviceArgs('generator-canary') });
    expect(canary.analysis).toEqual({ templates: [{ templateName: 'generator-release-watch' }], args: serviceArgs('generator-canary'), startingStep: 1 });
    expect(find(objects, 'Service', 'generator-canary').spec).toEqual(find(objects, 'Service', 'generator').spec);
    expect(generator.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(300);
  });

  test('every AnalysisTemplate a Rollout names exists, gets every argument it declares, and queries this environment\'s Prometheus', () => {
    const references = kinds(objects, 'Rollout').flatMap((r) => {
      const { blueGreen, canary } = r.spec.strategy;
      return [blueGreen?.prePromotionAnalysis, blueGreen?.postPromotionAnalysis, canary?.analysis, ...(canary?.steps ?? []).map((s: any) => s.analysis)].filter(Boolean);
    });
    // web: before and after the switch; api, the generator and the sign-in proxy: a gate step and a background watch each.
    expect(references.length).toBe(8);
    for (const reference of references) {
      for (const { templateName } of reference.templates) {
        const template = find(objects, 'AnalysisTemplate', templateName);
        expect(reference.args.map((a: any) => a.name).sort()).toEqual(template.spec.args.map((a: any) => a.name).sort());
        for (const metric of template.spec.metrics.filter((m: any) => !m.provider.job)) {
          expect(metric.provider.prometheus.address).toBe(ENVIRONMENTS[env].prometheusUrl);
          // Silence fails an HTTP service's metrics; the generator's jobs-taken fails it (GeneratorReleaseAnalysis).
          expect(metric.successCondition).toMatch(templateName.startsWith('generator-') ? /^len\(result\) (==|>) 0/ : /^len\(result\) > 0 && !isNaN\(result\[0\]\) && /);
        }
      }
    }
    const successRates = kinds(objects, 'AnalysisTemplate').flatMap((t) => t.spec.metrics.filter((m: any) => m.name === 'success-rate'));
    expect(successRates.map((m) => m.successCondition)).toEqual(successRates.map(() => expect.stringMatching(/result\[0\] >= 0\.999$/)));
  });

  test(`every ${env} release rolls out in well under five minutes, worst case`, () => {
    const budget = Object.fromEntries(workloads(objects).map((w) => [w.metadata.name, worstCaseReleaseSeconds(objects, w)]));
    for (const total of Object.values(budget)) {
      // Five minutes is the limit; a minute stays for what no manifest shows (scheduling, image pulls).
      expect(total).toBeLessThanOrEqual(240);
    }
  });
});

describe.each(ALL)('%s Rollouts', (env) => {
  test('every Rollout aborts on its progress deadline, which is longer than one batch of new pods takes to start', () => {
    for (const rollout of kinds(rendered[env], 'Rollout')) {
      expect(rollout.spec.progressDeadlineAbort).toBe(true);
      const [container] = rollout.spec.template.spec.containers;
      const startup = container.startupProbe.periodSeconds * container.startupProbe.failureThreshold;
      expect(rollout.spec.progressDeadlineSeconds).toBeGreaterThan(startup + rollout.spec.minReadySeconds + container.readinessProbe.periodSeconds);
      expect(rollout.spec.revisionHistoryLimit).toBeGreaterThan(0);
      expect(rollout.spec.workloadRef).toBeUndefined();
    }
  });
});

describe('development and previews release by rolling update', () => {
  test.each([EnvironmentName.DEVELOPMENT, EnvironmentName.PREVIEW])('%s renders Deployments and no Argo Rollouts objects (one replica and no traffic: an analysis would only see no data)', (env) => {
    const objects = rendered[env];
    expect(kinds(objects, 'Rollout')).toEqual([]);
    expect(kinds(objects, 'AnalysisTemplate')).toEqual([]);
    expect(kinds(objects, 'Deployment').map((d) => d.metadata.name).sort()).toEqual(['api', 'generator', 'oauth2-proxy', 'web']);
  });
});

describe.each(FULL_SIZE)('%s admits only signed platform images', (env) => {
  test('a Kyverno ClusterPolicy enforces the release workflow\'s cosign signature on every platform image, pinned by digest', () => {
    const policy = find(rendered[env], 'ClusterPolicy', 'verify-generator-platform-images');
    const rule = policy.spec.rules[0];
    expect(policy.spec.validationFailureAction).toBe('Enforce');
    const verify = rule.verifyImages[0];
    expect(verify).toMatchObject({ mutateDigest: true, verifyDigest: true, required: true });
    for (const service of ['web', 'api', 'generator'] as const) {
      expect(verify.imageReferences).toContain(`${ENVIRONMENTS[env][service].image.repository}@*`);
    }
    expect(policy.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
  });
});

describe("certificates come from the cluster's internal CA and, for public hosts of staging and production, Let's Encrypt", () => {
  const issuerObjects = (objects: readonly KubeObject[]) =>
    objects
      .filter((o) => ['Issuer', 'ClusterIssuer', 'Role', 'RoleBinding'].includes(o.kind) || (o.kind === 'Certificate' && o.spec.isCA))
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();

  test.each(FULL_SIZE)("%s renders the Let's Encrypt ClusterIssuer, and no CA or RBAC of its own", (env) => {
    const objects = rendered[env];
    expect(issuerObjects(objects)).toEqual(['ClusterIssuer/letsencrypt-production']);
    const acme = find(objects, 'ClusterIssuer', 'letsencrypt-production');
    expect(acme.metadata.namespace).toBeUndefined();
    expect(acme.spec.acme).toEqual({
      server: 'https://acme-v02.api.letsencrypt.org/directory',
      email: 'platform-team@acme.example.com',
      privateKeySecretRef: { name: 'letsencrypt-production-account-key' },
      solvers: [{ http01: { ingress: { ingressClassName: 'nginx', serviceType: 'ClusterIP' } } }],
    });
  });

  test.each([EnvironmentName.DEVELOPMENT, EnvironmentName.PREVIEW])('%s renders no issuer at all: every certificate, public hosts included, comes from the cluster CA', (env) => {
    const objects = rendered[env];
    expect(issuerObjects(objects)).toEqual([]);
    expect(new Set(kinds(objects, 'Certificate').map((c) => `${c.spec.issuerRef.kind}/${c.spec.issuerRef.name}`))).toEqual(new Set(['ClusterIssuer/internal-ca']));
  });

  test.each(ALL)("%s names the cluster's ClusterIssuer internal-ca for every store certificate", (env) => {
    for (const name of ['redis-tls', 'rabbitmq-tls']) {
      expect(find(rendered[env], 'Certificate', name).spec.issuerRef).toEqual({ group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'internal-ca' });
    }
  });

  test('a preview renders nothing cluster-scoped but its Namespace and the previews\' secret store: it shares the development cluster', () => {
    const objects = renderChart(previewEnvironment('pr-42'));
    expect(objects.filter((o) => o.metadata.namespace === undefined).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/generator-platform-pr-42', 'ClusterSecretStore/vault-preview']);
  });

  test.each(ALL)('%s applies issuers with the namespace baseline and certificates before the workloads that use them', (env) => {
    const objects = rendered[env];
    const wave = (o: KubeObject) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);
    const issuers = objects.filter((o) => ['Issuer', 'ClusterIssuer', 'Role', 'RoleBinding'].includes(o.kind) || (o.kind === 'Certificate' && o.spec.isCA));
    expect(issuers.every((o) => wave(o) === -1)).toBe(true);
    expect(new Set(['web-tls', 'api-tls'].map((name) => wave(find(objects, 'Certificate', name))))).toEqual(new Set([0]));
  });
});

describe('secrets come from Vault only', () => {
  test.each(ALL)('%s: every ExternalSecret that reads Vault reads through the environment\'s own ClusterSecretStore, which serves its namespaces only, and no Secret object carries data', (env) => {
    const objects = rendered[env];
    for (const external of kinds(objects, 'ExternalSecret')) {
      // A preview generates what only the platform uses (docs/gitops.md, "Previews"): those name no store.
      if (env === EnvironmentName.PREVIEW && external.spec.data === undefined) {
        expect(external.spec.dataFrom.map((d: any) => d.sourceRef.generatorRef.kind)).toEqual(['Password']);
        expect(external.spec.secretStoreRef).toBeUndefined();
        continue;
      }
      expect(external.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: `vault-${env}` });
      // Only a preview has generated secrets: every other environment's come from Vault alone.
      expect(env === EnvironmentName.PREVIEW || external.spec.dataFrom === undefined).toBe(true);
    }
    expect(kinds(objects, 'Secret')).toEqual([]);
    const stores = kinds(objects, 'ClusterSecretStore');
    expect(stores.map((s) => s.metadata.name)).toEqual([`vault-${env}`]);
    // Previews: every pull request's namespace, and no other; environments: their own namespace.
    expect(stores[0].spec.conditions).toEqual(env === EnvironmentName.PREVIEW ? [{ namespaceRegexes: ['^generator-platform-pr-[0-9]+$'] }] : [{ namespaces: [ENVIRONMENTS[env].namespace] }]);
    for (const store of stores) {
      expect(store.spec.provider.vault.auth.kubernetes.role).toBe(`generator-platform-${env}`);
      expect(store.spec.provider.vault.server).toMatch(/^https:\/\//);
    }
  });
});

describe('reduced-footprint environments', () => {
  test.each([EnvironmentName.DEVELOPMENT, EnvironmentName.PREVIEW])('%s runs fixed single replicas without autoscalers and spreads only when it can', (env) => {
    const objects = rendered[env];
    expect(kinds(objects, 'HorizontalPodAutoscaler')).toHaveLength(0);
    for (const deployment of workloads(objects)) {
      expect(deployment.spec.replicas).toBe(1);
      for (const constraint of deployment.spec.template.spec.topologySpreadConstraints) {
        expect(constraint.whenUnsatisfiable).toBe('ScheduleAnyway');
      }
    }
  });

  test('development logs at debug level, production at info', () => {
    const level = (env: EnvironmentName) =>
      workload(rendered[env], 'api').spec.template.spec.containers[0].env.find((e: any) => e.name === 'LOG_LEVEL').value;
    expect(level(EnvironmentName.DEVELOPMENT)).toBe('debug');
    expect(level(EnvironmentName.PRODUCTION)).toBe('info');
  });

  test('a preview gets a namespace and hostnames of its own', () => {
    const objects = renderChart(previewEnvironment('pr-42'));
    expect(find(objects, 'Namespace', 'generator-platform-pr-42')).toBeDefined();
    expect(find(objects, 'Ingress', 'web').spec.rules[0].host).toBe('app-pr-42.preview.generator-platform.example.com');
    expect(workload(objects, 'web').spec.template.spec.containers[0].env).toContainEqual({
      name: 'API_INTERNAL_URL',
      value: 'https://api.generator-platform-pr-42.svc.cluster.local:80',
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
