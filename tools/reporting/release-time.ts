import { blueGreenRelease } from './blue-green-release';
import { ModelOptions } from './budget-constants';
import { canaryRelease } from './canary-release';
import { deploymentRollout } from './deployment-release';
import { JsonObject, numberOf, record, text } from './json';
import { RenderedObject } from './manifests';
import { podReadiness } from './pod-readiness';
import { ReleaseEstimate, TimeCategory, TimeComponent } from './release-estimate';
import { wavesAhead } from './sync-waves';

/** The kinds the model estimates. Operator-managed stores (CloudNativePG, RabbitMQ) roll their own pods and are not modelled. */
export const MODELLED_KINDS: readonly string[] = ['Deployment', 'Rollout', 'StatefulSet'];

/**
 * Estimates every modelled workload of one environment. `objects` are the environment's objects,
 * `applications` the Argo CD Applications that may deploy them (for their sync waves).
 */
export function estimateEnvironment(objects: readonly RenderedObject[], applications: readonly RenderedObject[], options: ModelOptions): ReleaseEstimate[] {
  return objects
    .filter((object) => MODELLED_KINDS.includes(object.kind))
    .filter((object) => !(object.kind === 'Deployment' && isWorkloadRefOfRollout(object, objects)))
    .map((workload) => estimateWorkload(workload, objects, applications, options));
}

export function estimateWorkload(
  workload: RenderedObject,
  objects: readonly RenderedObject[],
  applications: readonly RenderedObject[],
  options: ModelOptions,
): ReleaseEstimate {
  const spec = record(workload.body.spec);
  const service = serviceName(workload);
  const replicas = replicasAtMost(workload, objects);
  const expectedStart = options.expectedStartSecondsByService[service] ?? options.defaultExpectedStartSeconds;
  const pod = podReadiness(podSpecOf(workload, objects), numberOf(spec.minReadySeconds) ?? 0, expectedStart, options);
  const notes: string[] = [];
  let strategy: string;
  let components: TimeComponent[];
  if (workload.kind === 'Rollout' && record(spec.strategy).blueGreen !== undefined) {
    strategy = 'blueGreen';
    components = blueGreenRelease(workload, record(record(spec.strategy).blueGreen), replicas, pod, objects, options, notes);
  } else if (workload.kind === 'Rollout') {
    strategy = 'canary';
    components = canaryRelease(workload, record(record(spec.strategy).canary), replicas, pod, objects, options, notes);
  } else if (workload.kind === 'StatefulSet') {
    strategy = text(record(spec.updateStrategy).type) ?? 'RollingUpdate';
    components = [{ category: TimeCategory.ROLLOUT, seconds: replicas * pod.totalSeconds, detail: `${replicas} pods one at a time x ${pod.totalSeconds} s` }];
    notes.push('StatefulSet: informational, outside the budget; each pod is also shut down first (up to terminationGracePeriodSeconds)');
  } else {
    strategy = text(record(spec.strategy).type) ?? 'RollingUpdate';
    components = [deploymentRollout(record(spec.strategy), strategy, replicas, pod, podSpecOf(workload, objects))];
  }
  const ahead = wavesAhead(workload, objects, applications);
  const waves = ahead.applicationWaves + ahead.objectWaves;
  components.push({
    category: TimeCategory.WAVES,
    seconds: waves * options.syncWaveDelaySeconds,
    detail: `${ahead.applicationWaves} Application wave(s) + ${ahead.objectWaves} object wave(s) ahead x ${options.syncWaveDelaySeconds} s`,
  });
  return {
    environment: workload.environment,
    service,
    kind: workload.kind,
    name: workload.name,
    strategy,
    replicas,
    pod,
    components,
    totalSeconds: components.reduce((sum, component) => sum + component.seconds, 0),
    budgeted: workload.kind !== 'StatefulSet',
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
