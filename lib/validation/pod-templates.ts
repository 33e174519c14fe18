import { record, records, stringMap } from './json-access';
import { PathSegment } from './json-path';
import { JsonObject, ManifestObject } from './manifest';

/** The pod a workload runs, wherever in the object it is declared. */
export interface PodTemplate {
  readonly spec: JsonObject;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  /** Path of the pod's metadata/spec parent, e.g. `['spec', 'template']`; `[]` for a Pod. */
  readonly path: readonly PathSegment[];
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

/** The pod template of a workload object; empty for other kinds. */
export function podTemplatesOf(object: ManifestObject): PodTemplate[] {
  const templatePath = TEMPLATE_PATHS[object.kind];
  if (!templatePath) {
    return [];
  }
  let node: unknown = object.body;
  for (const segment of templatePath) {
    node = record(node)[segment];
  }
  const template = record(node);
  if (!template.spec) {
    return [];
  }
  const metadata = record(template.metadata);
  return [{ spec: record(template.spec), labels: stringMap(metadata.labels), annotations: stringMap(metadata.annotations), path: templatePath }];
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
