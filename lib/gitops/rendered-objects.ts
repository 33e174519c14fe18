import { Chart } from 'cdk8s';
import { GroupKind, distinctGroupKinds, groupOf } from './group-kind';

/** A rendered Kubernetes object as a chart's `toJson()` returns it. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly spec?: unknown;
  readonly [key: string]: unknown;
}

/** A workload whose replica count an autoscaler owns. */
export interface AutoscaledWorkload extends GroupKind {
  readonly name: string;
  readonly namespace: string;
}

export function renderedObjectsOf(chart: Chart): RenderedObject[] {
  return chart.toJson() as RenderedObject[];
}

/**
 * Workloads whose `spec.replicas` a HorizontalPodAutoscaler or a KEDA ScaledObject owns (KEDA
 * creates the HPA itself), read from their `scaleTargetRef`s, sorted.
 */
export function autoscaledWorkloads(objects: readonly RenderedObject[]): AutoscaledWorkload[] {
  const targets = objects.flatMap((object): AutoscaledWorkload[] => {
    if (object.kind !== 'HorizontalPodAutoscaler' && object.kind !== 'ScaledObject') {
      return [];
    }
    const ref = (object.spec as { scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string } } | undefined)?.scaleTargetRef;
    if (!ref?.name) {
      throw new Error(`${object.kind} ${object.metadata.name}: spec.scaleTargetRef.name is missing, so the workload it scales is unknown`);
    }
    return [{ group: groupOf(ref.apiVersion ?? 'apps/v1'), kind: ref.kind ?? 'Deployment', name: ref.name, namespace: object.metadata.namespace ?? '' }];
  });
  const byKey = new Map(targets.map((t) => [`${t.group}/${t.kind}/${t.namespace}/${t.name}`, t]));
  return [...byKey.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

/** The kinds of the objects that carry no namespace: the cluster-scoped kinds an Application creates. */
export function clusterScopedKinds(objects: readonly RenderedObject[]): GroupKind[] {
  return distinctGroupKinds(objects.filter((o) => o.metadata.namespace === undefined).map((o) => ({ group: groupOf(o.apiVersion), kind: o.kind })));
}

/** The namespaces objects are rendered into. */
export function namespacesOf(objects: readonly RenderedObject[]): string[] {
  const names = objects.flatMap((o) => (o.kind === 'Namespace' && o.metadata.name ? [o.metadata.name] : o.metadata.namespace ? [o.metadata.namespace] : []));
  return [...new Set(names)].sort();
}

/** The namespaced RBAC kinds (Role, RoleBinding) among the objects, which an AppProject blacklists unless they are rendered. */
export function namespacedRbacKinds(objects: readonly RenderedObject[]): GroupKind[] {
  return distinctGroupKinds(
    objects
      .filter((o) => o.metadata.namespace !== undefined && (o.kind === 'Role' || o.kind === 'RoleBinding') && groupOf(o.apiVersion) === 'rbac.authorization.k8s.io')
      .map((o) => ({ group: groupOf(o.apiVersion), kind: o.kind })),
  );
}

/** The kinds of the objects that carry a namespace: the namespaced kinds an Application creates. */
export function namespacedKinds(objects: readonly RenderedObject[]): GroupKind[] {
  return distinctGroupKinds(objects.filter((o) => o.metadata.namespace !== undefined).map((o) => ({ group: groupOf(o.apiVersion), kind: o.kind })));
}
