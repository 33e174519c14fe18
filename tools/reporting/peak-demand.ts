/* eslint-disable @typescript-eslint/no-explicit-any -- walks rendered Kubernetes JSON of many kinds, which has no static type */
/**
 * The most a namespace's pods request at once, from the rendered objects alone: every autoscaled
 * workload at its maximum while web and api are each released twice within Argo Rollouts'
 * scale-down delay (30 s). A replaced ReplicaSet keeps its full size until its delay ends (Argo
 * Rollouts v1.6.6, rollout/replicaset.go scaleDownDelayHelper), so a Rollout then runs three full
 * sets: the one waiting to scale down (the previous stable, or the preview a newer version
 * replaced), the stable one and the new one. The quota test (test/platform/release-overlap-quota.test.ts)
 * and the capacity report (`npm run report`) both use this one computation.
 */

const UNITS: Readonly<Record<string, number>> = { '': 1, 'm': 1e-3, 'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40 };

/** A Kubernetes quantity (`250m`, `4Gi`, `2`) as a number of base units (cores, bytes). */
export function quantity(value: string | number | undefined): number {
  const match = /^([0-9.]+)([A-Za-z]*)$/.exec(String(value ?? 0));
  if (!match || UNITS[match[2]] === undefined) {
    throw new Error(`not a quantity: ${value}`);
  }
  return Number(match[1]) * UNITS[match[2]];
}

export const RESOURCES = ['pods', 'cpu', 'memory', 'ephemeral-storage'] as const;
export type Resource = (typeof RESOURCES)[number];
/** Pods, CPU cores, memory and ephemeral storage in bytes. */
export type Demand = Record<Resource, number>;

/** A rendered object: `kind`, `metadata`, `spec`, as in dist/ or a synthesized chart. */
export type KubeBody = { readonly kind?: unknown; readonly metadata?: unknown; readonly spec?: any };

/** A pod's requests as the quota counts them: the larger of its containers' sum and its largest init container. */
function podRequests(pod: any, defaults: Readonly<Record<string, string>>): Demand {
  const of = (container: any, resource: Resource) => quantity(container.resources?.requests?.[resource] ?? defaults[resource]);
  const sum = (resource: Resource) => (pod.containers ?? []).reduce((acc: number, c: any) => acc + of(c, resource), 0);
  const init = (resource: Resource) => Math.max(0, ...(pod.initContainers ?? []).map((c: any) => of(c, resource)));
  return { 'pods': 1, 'cpu': Math.max(sum('cpu'), init('cpu')), 'memory': Math.max(sum('memory'), init('memory')), 'ephemeral-storage': Math.max(sum('ephemeral-storage'), init('ephemeral-storage')) };
}

/** Every pod the namespace of `objects` (one environment) can run at once in the worst case. */
export function peakDemand(objects: readonly KubeBody[]): Demand {
  const all = objects as readonly any[];
  const kinds = (kind: string) => all.filter((o) => o.kind === kind);
  const limitRange = kinds('LimitRange').find((o) => o.metadata?.name === 'container-limits');
  const defaults = limitRange?.spec.limits.find((l: any) => l.type === 'Container')?.defaultRequest ?? {};
  const total: Demand = { 'pods': 0, 'cpu': 0, 'memory': 0, 'ephemeral-storage': 0 };
  const add = (count: number, pod: any) => {
    const requests = podRequests(pod, defaults);
    RESOURCES.forEach((resource) => (total[resource] += count * requests[resource]));
  };
  const maximum = (workload: any) => {
    const scaler = all.find((o) => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(o.kind) && o.spec.scaleTargetRef.name === workload.metadata.name);
    return scaler ? (scaler.spec.maxReplicas ?? scaler.spec.maxReplicaCount) : workload.spec.replicas;
  };
  for (const rollout of kinds('Rollout')) {
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
  for (const deployment of kinds('Deployment')) {
    const max = maximum(deployment);
    const surge = Math.max(1, Math.ceil((max * parseInt(deployment.spec.strategy.rollingUpdate.maxSurge, 10)) / 100));
    add(max + surge, deployment.spec.template.spec);
  }
  kinds('StatefulSet').forEach((statefulSet) => add(statefulSet.spec.replicas, statefulSet.spec.template.spec));
  kinds('Job').forEach((job) => add(1, job.spec.template.spec));
  for (const template of kinds('AnalysisTemplate')) {
    template.spec.metrics.filter((m: any) => m.provider.job).forEach((m: any) => add(1, m.provider.job.spec.template.spec));
  }
  // CloudNativePG: one pod per instance plus the join Job it runs beside them, with the instances' resources.
  kinds('Cluster').forEach((cluster) => add(cluster.spec.instances + 1, { containers: [{ resources: cluster.spec.resources }] }));
  // The pooler's Deployment surges one pod during a rolling update.
  kinds('Pooler').forEach((pooler) => add(pooler.spec.instances + 1, pooler.spec.template.spec));
  kinds('RabbitmqCluster').forEach((broker) => add(broker.spec.replicas, broker.spec.override.statefulSet.spec.template.spec));
  // cert-manager's HTTP-01 solver pods, one per public hostname: limits 100m / 64Mi, the LimitRange's default ephemeral storage.
  if (kinds('ClusterIssuer').some((issuer) => issuer.spec.acme?.solvers.some((solver: any) => solver.http01))) {
    const hostnames = new Set(kinds('Ingress').flatMap((ingress) => ingress.spec.rules.map((rule: any) => rule.host)));
    add(hostnames.size, { containers: [{ resources: { requests: { cpu: '100m', memory: '64Mi' } } }] });
  }
  return total;
}
