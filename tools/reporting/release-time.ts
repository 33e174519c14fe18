import { blueGreenRelease } from './blue-green-release';
import { ModelOptions } from './budget-constants';
import { canaryRelease } from './canary-release';
import { deploymentRollout } from './deployment-release';
import { detectionOf, fallbackNote } from './detection';
import { JsonObject, numberOf, record, text } from './json';
import { RenderedObject } from './manifests';
import { podReadiness } from './pod-readiness';
import { ReleaseEstimate, TimeCategory, TimeComponent } from './release-estimate';
import { postgresClusterRelease, rabbitmqClusterRelease, statefulSetRollout } from './store-release';
import { wavesAhead } from './sync-waves';

/** The kinds the model estimates: workloads, and the stores their operators roll (CloudNativePG, RabbitMQ). */
export const MODELLED_KINDS: readonly string[] = ['Deployment', 'Rollout', 'StatefulSet', 'Cluster', 'RabbitmqCluster'];

/** Store kinds by API group: `Cluster` is a common kind name. */
const STORE_GROUPS: Readonly<Record<string, string>> = { Cluster: 'postgresql.cnpg.io/', RabbitmqCluster: 'rabbitmq.com/' };

/**
 * Estimates every modelled workload of one environment. `objects` are the environment's objects,
 * `applications` the Argo CD Applications that may deploy them (for their sync waves and
 * detection), `argoCdObjects` the objects of their clusters' folders (the webhook secret).
 */
export function estimateEnvironment(objects: readonly RenderedObject[], applications: readonly RenderedObject[], options: ModelOptions, argoCdObjects: readonly RenderedObject[] = []): ReleaseEstimate[] {
  return objects
    .filter((object) => MODELLED_KINDS.includes(object.kind) && (STORE_GROUPS[object.kind] === undefined || object.apiVersion.startsWith(STORE_GROUPS[object.kind])))
    .filter((object) => !(object.kind === 'Deployment' && isWorkloadRefOfRollout(object, objects)))
    .map((workload) => estimateWorkload(workload, objects, applications, options, argoCdObjects));
}

export function estimateWorkload(
  workload: RenderedObject,
  objects: readonly RenderedObject[],
  applications: readonly RenderedObject[],
  options: ModelOptions,
  argoCdObjects: readonly RenderedObject[] = [],
): ReleaseEstimate {
  const spec = record(workload.body.spec);
  const service = serviceName(workload);
  const expectedStart = options.expectedStartSecondsByService[service] ?? options.defaultExpectedStartSeconds;
  let pod = podReadiness(podSpecOf(workload, objects), numberOf(spec.minReadySeconds) ?? 0, expectedStart, options);
  let replicas = replicasAtMost(workload, objects);
  const notes: string[] = [];
  let strategy: string;
  let components: TimeComponent[];
  if (workload.kind === 'Cluster' || workload.kind === 'RabbitmqCluster') {
    const store = workload.kind === 'Cluster' ? postgresClusterRelease(workload, expectedStart, options, notes) : rabbitmqClusterRelease(workload, expectedStart, options);
    ({ strategy, replicas, pod, components } = store);
    notes.push(`${workload.kind}: a store, rolled by its operator one pod at a time; included in the budget (modelled from its settings)`);
  } else if (workload.kind === 'Rollout' && record(spec.strategy).blueGreen !== undefined) {
    strategy = 'blueGreen';
    components = blueGreenRelease(workload, record(record(spec.strategy).blueGreen), replicas, pod, objects, options, notes);
  } else if (workload.kind === 'Rollout') {
    strategy = 'canary';
    components = canaryRelease(workload, record(record(spec.strategy).canary), replicas, pod, objects, options, notes);
  } else if (workload.kind === 'StatefulSet') {
    strategy = text(record(spec.updateStrategy).type) ?? 'RollingUpdate';
    components = [statefulSetRollout(replicas, podSpecOf(workload, objects), pod, options)];
    notes.push('StatefulSet: a store, one pod at a time; included in the budget (modelled from its settings)');
  } else {
    strategy = text(record(spec.strategy).type) ?? 'RollingUpdate';
    components = [deploymentRollout(record(spec.strategy), strategy, replicas, pod, podSpecOf(workload, objects))];
  }
  const detection = detectionOf(workload, applications, argoCdObjects, options);
  components.unshift(detection.component);
  const ahead = wavesAhead(workload, objects, applications);
  const waves = ahead.applicationWaves + ahead.objectWaves;
  components.push({
    category: TimeCategory.WAVES,
    seconds: waves * options.syncWaveDelaySeconds,
    detail: `${ahead.applicationWaves} Application wave(s) + ${ahead.objectWaves} object wave(s) ahead x ${options.syncWaveDelaySeconds} s`,
  });
  const totalSeconds = components.reduce((sum, component) => sum + component.seconds, 0);
  const fallbackTotalSeconds = detection.fallbackSeconds === undefined ? undefined : totalSeconds - detection.component.seconds + detection.fallbackSeconds;
  if (detection.fallbackSeconds !== undefined) {
    notes.push(fallbackNote(detection.fallbackSeconds, options));
  }
  return {
    environment: workload.environment,
    service,
    kind: workload.kind,
    name: workload.name,
    strategy,
    replicas,
    pod,
    components,
    totalSeconds,
    budgeted: true,
    fallbackTotalSeconds,
    notes,
  };
}

/** `app.kubernetes.io/name`, else the object's name. */
export function serviceName(workload: RenderedObject): string {
  return text(record(record(workload.body.metadata).labels)['app.kubernetes.io/name']) ?? workload.name;
}

/** The most replicas a release replaces: an autoscaler's maximum when one targets the workload, else spec.replicas, else 1. */
export function replicasAtMost(workload: RenderedObject, objects: readonly RenderedObject[]): number {
  const maximums = objects
    .filter((candidate) => candidate.namespace === workload.namespace)
    .flatMap((candidate) => {
      const spec = record(candidate.body.spec);
      const target = record(spec.scaleTargetRef);
      if (candidate.kind === 'HorizontalPodAutoscaler' && target.kind === workload.kind && target.name === workload.name) {
        return [numberOf(spec.maxReplicas) ?? 1];
      }
      if (candidate.kind === 'ScaledObject' && (text(target.kind) ?? 'Deployment') === workload.kind && target.name === workload.name) {
        return [numberOf(spec.maxReplicaCount) ?? 100];
      }
      return [];
    });
  return maximums.length > 0 ? Math.max(...maximums) : (numberOf(record(workload.body.spec).replicas) ?? 1);
}

/** The pod spec of a workload, following a Rollout's `workloadRef` to its Deployment. */
function podSpecOf(workload: RenderedObject, objects: readonly RenderedObject[]): JsonObject {
  const spec = record(workload.body.spec);
  const reference = record(spec.workloadRef);
  if (spec.template === undefined && reference.name !== undefined) {
    const target = objects.find((o) => o.kind === (text(reference.kind) ?? 'Deployment') && o.name === reference.name && o.namespace === workload.namespace);
    return record(record(record(target?.body.spec).template).spec);
  }
  return record(record(spec.template).spec);
}

/** A Deployment a Rollout takes its pod template from (`workloadRef`) is not released itself. */
function isWorkloadRefOfRollout(deployment: RenderedObject, objects: readonly RenderedObject[]): boolean {
  return objects.some((o) => {
    const reference = record(record(o.body.spec).workloadRef);
    return o.kind === 'Rollout' && o.namespace === deployment.namespace && reference.name === deployment.name && (text(reference.kind) ?? 'Deployment') === 'Deployment';
  });
}
