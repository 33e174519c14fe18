import { record, records, stringMap, text } from './json-access';
import { PathSegment } from './json-path';
import { JsonObject, ManifestObject } from './manifest';

/** The pod a workload runs, wherever in the object it is declared. */
export interface PodTemplate {
  readonly spec: JsonObject;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  /** Path of the pod's metadata/spec parent, e.g. `['spec', 'template']`; `[]` for a Pod. */
  readonly path: readonly PathSegment[];
  /**
   * Set when the template is declared by another object: a Rollout with `spec.workloadRef` runs
   * the referenced Deployment's template (`Deployment web`); `path` is then `['spec', 'workloadRef']`.
   */
  readonly borrowedFrom?: string;
}

export type ContainerGroup = 'initContainers' | 'containers' | 'ephemeralContainers';

export interface ContainerEntry {
  readonly container: JsonObject;
  readonly name: string;
  readonly group: ContainerGroup;
  /** Path of the container in the object, e.g. `['spec', 'template', 'spec', 'containers', 0]`. */
  readonly path: readonly PathSegment[];
}

const TEMPLATE_PATHS: Readonly<Record<string, readonly PathSegment[]>> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Rollout: ['spec', 'template'],
};

/** Workload kinds whose pods keep running, so that probes and disruption budgets matter. */
export const LONG_RUNNING_KINDS: ReadonlySet<string> = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Rollout']);

/** Argo Rollouts analysis templates, whose job metrics declare pod templates. */
const ANALYSIS_TEMPLATE_KINDS: ReadonlySet<string> = new Set(['AnalysisTemplate', 'ClusterAnalysisTemplate']);

/** The label each workload controller puts on its pods to tell revisions apart (for `matchLabelKeys`). */
export const REVISION_LABELS: Readonly<Record<string, string>> = {
  Deployment: 'pod-template-hash',
  ReplicaSet: 'pod-template-hash',
  Rollout: 'rollouts-pod-template-hash',
  StatefulSet: 'controller-revision-hash',
  DaemonSet: 'controller-revision-hash',
};

/** The Deployment an Argo Rollout borrows its pod template from (`spec.workloadRef`), when it names one. */
export function workloadRefOf(object: ManifestObject): { apiVersion: string; kind: string; name: string } | undefined {
  if (object.kind !== 'Rollout' || !object.apiVersion.startsWith('argoproj.io/')) {
    return undefined;
  }
  const reference = record(record(object.body.spec).workloadRef);
  if (Object.keys(reference).length === 0) {
    return undefined;
  }
  return { apiVersion: text(reference.apiVersion) ?? '', kind: text(reference.kind) ?? '', name: text(reference.name) ?? '' };
}

/** The pod template of a workload object; empty for other kinds (and for a Rollout that borrows one with workloadRef). */
export function podTemplatesOf(object: ManifestObject): PodTemplate[] {
  if (ANALYSIS_TEMPLATE_KINDS.has(object.kind) && object.apiVersion.startsWith('argoproj.io/')) {
    // Argo Rollouts runs a Job from each job metric during an analysis: its pods run like any other.
    return records(record(object.body.spec).metrics).flatMap((metric, index) =>
      templateAt(record(record(record(record(metric.provider).job).spec).template), ['spec', 'metrics', index, 'provider', 'job', 'spec', 'template']),
    );
  }
  const templatePath = TEMPLATE_PATHS[object.kind];
  if (!templatePath) {
    return [];
  }
  let node: unknown = object.body;
  for (const segment of templatePath) {
    node = record(node)[segment];
  }
  return templateAt(record(node), templatePath);
}

function templateAt(template: JsonObject, path: readonly PathSegment[]): PodTemplate[] {
  if (!template.spec) {
    return [];
  }
  const metadata = record(template.metadata);
  return [{ spec: record(template.spec), labels: stringMap(metadata.labels), annotations: stringMap(metadata.annotations), path }];
}

/**
 * Whether the object's pods run in a namespace other than its own: a ClusterAnalysisTemplate's
 * job pods run in the namespace of each Rollout that uses it, so rules that look up objects of the
 * pod's namespace (ServiceAccount, ConfigMap, Secret, claim, NetworkPolicy) cannot check them.
 */
export function runsPodsElsewhere(object: ManifestObject): boolean {
  return object.kind === 'ClusterAnalysisTemplate';
}

const ALL_GROUPS: readonly ContainerGroup[] = ['initContainers', 'containers', 'ephemeralContainers'];

/** The containers of a pod, init containers first, each with its path in the object. */
export function containersOf(pod: PodTemplate, groups: readonly ContainerGroup[] = ALL_GROUPS): ContainerEntry[] {
  return groups.flatMap((group) =>
    records(pod.spec[group]).map((container, index) => ({
      container,
      name: typeof container.name === 'string' ? container.name : `#${index}`,
      group,
      path: [...pod.path, 'spec', group, index],
    })),
  );
}

/** Shorthand for `[...pod.path, 'spec', ...rest]`. */
export function podSpecPath(pod: PodTemplate, ...rest: PathSegment[]): PathSegment[] {
  return [...pod.path, 'spec', ...rest];
}
