import { EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { find, kinds, KubeObject, renderChart } from '../support/kube';

/**
 * The namespace quota must hold the worst moment of an ordinary day: every autoscaled workload at
 * its maximum while web and api are each released twice within Argo Rollouts' scale-down delay
 * (30 s). A replaced ReplicaSet keeps its full size until its delay ends (Argo Rollouts v1.6.6,
 * rollout/replicaset.go scaleDownDelayHelper), so a Rollout then runs three full sets: the one
 * waiting to scale down (the previous stable, or the preview a newer version replaced), the stable
 * one and the new one. Computed here from the rendered objects alone, ephemeral storage included.
 *
 * Before the footprint counted the third set, the quota was short (requests, worst case vs quota):
 *   staging:    ephemeral-storage 519.6Gi vs 432Gi; pods, CPU and memory fitted, barely (56 / 58, 109.7 / 113, 214.6Gi / 221Gi)
 *   production: ephemeral-storage 1497.6Gi vs 1222Gi, pods 113 vs 107, CPU 241.7 vs 233, memory 478.6Gi vs 461Gi
 * and a second web release alone (api idle) already exceeded ephemeral storage: 439.6Gi vs 432Gi
 * (staging), 1257.6Gi vs 1222Gi (production).
 */

const UNITS: Readonly<Record<string, number>> = { '': 1, 'm': 1e-3, 'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40 };

function quantity(value: string | number | undefined): number {
  const match = /^([0-9.]+)([A-Za-z]*)$/.exec(String(value ?? 0));
  if (!match || UNITS[match[2]] === undefined) {
    throw new Error(`not a quantity: ${value}`);
  }
  return Number(match[1]) * UNITS[match[2]];
}

const RESOURCES = ['pods', 'cpu', 'memory', 'ephemeral-storage'] as const;
type Resource = (typeof RESOURCES)[number];
type Demand = Record<Resource, number>;

/** A pod's requests as the quota counts them: the larger of its containers' sum and its largest init container. */
function podRequests(pod: any, defaults: Readonly<Record<string, string>>): Demand {
  const of = (container: any, resource: Resource) => quantity(container.resources?.requests?.[resource] ?? defaults[resource]);
  const sum = (resource: Resource) => (pod.containers ?? []).reduce((acc: number, c: any) => acc + of(c, resource), 0);
  const init = (resource: Resource) => Math.max(0, ...(pod.initContainers ?? []).map((c: any) => of(c, resource)));
  return { 'pods': 1, 'cpu': Math.max(sum('cpu'), init('cpu')), 'memory': Math.max(sum('memory'), init('memory')), 'ephemeral-storage': Math.max(sum('ephemeral-storage'), init('ephemeral-storage')) };
}

/** Every pod the namespace can run at once in the worst case, from the rendered objects. */
function worstCase(objects: readonly KubeObject[]): Demand {
  const limitRange = find(objects, 'LimitRange', 'container-limits').spec.limits.find((l: any) => l.type === 'Container');
  const defaults = limitRange.defaultRequest;
  const total: Demand = { 'pods': 0, 'cpu': 0, 'memory': 0, 'ephemeral-storage': 0 };
  const add = (count: number, pod: any) => {
    const requests = podRequests(pod, defaults);
    RESOURCES.forEach((resource) => (total[resource] += count * requests[resource]));
  };
  const maximum = (workload: KubeObject) => {
    const scaler = objects.find((o) => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(o.kind) && o.spec.scaleTargetRef.name === workload.metadata.name);
    return scaler ? (scaler.spec.maxReplicas ?? scaler.spec.maxReplicaCount) : workload.spec.replicas;
  };
  for (const rollout of kinds(objects, 'Rollout')) {
    const strategy = rollout.spec.strategy.blueGreen ?? rollout.spec.strategy.canary;
    if (rollout.spec.strategy.canary && !strategy.trafficRouting) {
      // A basic canary keeps every ReplicaSet together within replicas + maxSurge (Argo Rollouts v1.6.6,
      // utils/replicaset/canary.go CalculateReplicaCountsForBasicCanary: maxReplicaCountAllowed).
      const max = maximum(rollout);
      add(max + Math.max(1, Math.ceil((max * parseInt(strategy.maxSurge, 10)) / 100)), rollout.spec.template.spec);
      continue;
    }
    // The replaced set waits out the delay at full size: three sets while a second release starts.
    const sets = strategy.scaleDownDelaySeconds > 0 || strategy.abortScaleDownDelaySeconds > 0 ? 3 : 2;
    add(sets * maximum(rollout), rollout.spec.template.spec);
  }
  for (const deployment of kinds(objects, 'Deployment')) {
    const max = maximum(deployment);
    const surge = Math.max(1, Math.ceil((max * parseInt(deployment.spec.strategy.rollingUpdate.maxSurge, 10)) / 100));
    add(max + surge, deployment.spec.template.spec);
  }
  kinds(objects, 'StatefulSet').forEach((statefulSet) => add(statefulSet.spec.replicas, statefulSet.spec.template.spec));
  kinds(objects, 'Job').forEach((job) => add(1, job.spec.template.spec));
  for (const template of kinds(objects, 'AnalysisTemplate')) {
    template.spec.metrics.filter((m: any) => m.provider.job).forEach((m: any) => add(1, m.provider.job.spec.template.spec));
  }
  // CloudNativePG: one pod per instance plus the join Job it runs beside them, with the instances' resources.
  kinds(objects, 'Cluster').forEach((cluster) => add(cluster.spec.instances + 1, { containers: [{ resources: cluster.spec.resources }] }));
  // The pooler's Deployment surges one pod during a rolling update.
  kinds(objects, 'Pooler').forEach((pooler) => add(pooler.spec.instances + 1, pooler.spec.template.spec));
  kinds(objects, 'RabbitmqCluster').forEach((broker) => add(broker.spec.replicas, broker.spec.override.statefulSet.spec.template.spec));
  // cert-manager's HTTP-01 solver pods, one per public hostname: limits 100m / 64Mi, the LimitRange's default ephemeral storage.
  if (kinds(objects, 'ClusterIssuer').some((issuer) => issuer.spec.acme?.solvers.some((solver: any) => solver.http01))) {
    const hostnames = new Set(kinds(objects, 'Ingress').flatMap((ingress) => ingress.spec.rules.map((rule: any) => rule.host)));
    add(hostnames.size, { containers: [{ resources: { requests: { cpu: '100m', memory: '64Mi' } } }] });
  }
  return total;
}

describe.each([EnvironmentName.STAGING, EnvironmentName.PRODUCTION])('%s: the ResourceQuota holds back-to-back releases with every workload at its maximum', (environment) => {
  const objects = renderChart(ENVIRONMENTS[environment]);
  const hard = find(objects, 'ResourceQuota', 'workload-quota').spec.hard;
  const demand = worstCase(objects);
  const headroom = 1 + ENVIRONMENTS[environment].quotaHeadroomPercent / 100;

  test('web and api are Rollouts whose replaced ReplicaSet waits out a scale-down delay; the generator is a canary of its replicas, within its surge', () => {
    expect(kinds(objects, 'Rollout').map((rollout) => rollout.metadata.name).sort()).toEqual(['api', 'generator', 'web']);
    for (const rollout of kinds(objects, 'Rollout').filter((r) => r.metadata.name !== 'generator')) {
      expect((rollout.spec.strategy.blueGreen ?? rollout.spec.strategy.canary).scaleDownDelaySeconds).toBeGreaterThan(0);
    }
    const generator = find(objects, 'Rollout', 'generator').spec.strategy.canary;
    expect(generator).toMatchObject({ maxSurge: '50%', maxUnavailable: 0 });
    expect(generator.trafficRouting).toBeUndefined();
  });

  test.each(RESOURCES)('%s: the quota covers the worst case, with the stated headroom on top', (resource) => {
    const quota = quantity(resource === 'pods' ? hard.pods : hard[`requests.${resource}`]);
    // In GiB for memory and storage, so that a failure reads in the quota's own unit.
    const unit = resource === 'memory' || resource === 'ephemeral-storage' ? 2 ** 30 : 1;
    expect(quota / unit).toBeGreaterThanOrEqual((demand[resource] * headroom) / unit - 1e-6);
    if (resource !== 'pods') {
      expect(hard[`limits.${resource}`]).toBe(hard[`requests.${resource}`]);
    }
  });
});
