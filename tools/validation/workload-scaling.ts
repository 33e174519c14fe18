import { EnvironmentScope } from './environment-scope';
import { numberOf, record, text } from './json-access';
import { ManifestObject } from './manifest';

/** HorizontalPodAutoscalers and KEDA ScaledObjects whose scaleTargetRef names `workload`. */
export function autoscalersOf(workload: ManifestObject, scope: EnvironmentScope): ManifestObject[] {
  return scope.inNamespace(workload.namespace).filter((candidate) => {
    const target = scaleTargetOf(candidate);
    return target !== undefined && target.kind === workload.kind && target.name === workload.name;
  });
}

/**
 * The workload an autoscaler scales, by apiVersion, kind and name; undefined for other objects.
 * The HPA controller maps the target through its apiVersion (unset: the core group); KEDA defaults
 * the target to an apps/v1 Deployment.
 */
export function scaleTargetOf(object: ManifestObject): { apiVersion: string; kind: string; name: string } | undefined {
  const reference = record(record(object.body.spec).scaleTargetRef);
  if (object.kind === 'HorizontalPodAutoscaler') {
    return { apiVersion: text(reference.apiVersion) ?? '', kind: text(reference.kind) ?? '', name: text(reference.name) ?? '' };
  }
  if (object.kind === 'ScaledObject') {
    return { apiVersion: text(reference.apiVersion) ?? 'apps/v1', kind: text(reference.kind) ?? 'Deployment', name: text(reference.name) ?? '' };
  }
  return undefined;
}

/** The fewest replicas the workload may run: spec.replicas (or an operator's spec.instances), else its autoscalers' minimum, else 1. */
export function minimumReplicas(workload: ManifestObject, scope: EnvironmentScope): number {
  const spec = record(workload.body.spec);
  const fixed = numberOf(spec.replicas) ?? numberOf(spec.instances);
  if (fixed !== undefined) {
    return fixed;
  }
  const minimums = autoscalersOf(workload, scope).map((autoscaler) => {
    const spec = record(autoscaler.body.spec);
    return autoscaler.kind === 'ScaledObject' ? (numberOf(spec.minReplicaCount) ?? 0) : (numberOf(spec.minReplicas) ?? 1);
  });
  return minimums.length > 0 ? Math.min(...minimums) : 1;
}

/** The most replicas the workload may run: spec.replicas, else its autoscalers' maximum, else 1. */
export function maximumReplicas(workload: ManifestObject, scope: EnvironmentScope): number {
  const fixed = numberOf(record(workload.body.spec).replicas);
  if (fixed !== undefined) {
    return fixed;
  }
  const maximums = autoscalersOf(workload, scope).map((autoscaler) => {
    const spec = record(autoscaler.body.spec);
    return autoscaler.kind === 'ScaledObject' ? (numberOf(spec.maxReplicaCount) ?? 100) : (numberOf(spec.maxReplicas) ?? 1);
  });
  return maximums.length > 0 ? Math.max(...maximums) : 1;
}
