import { record, records, text } from '../validation/json-access';
import { KubeObject } from './kube-client';

/** A Pod as a workload's controller would create it from the pod template, or why none can be made. */
export type TemplatePod = { readonly pod: KubeObject } | { readonly skipped: string };

/**
 * Where each kind keeps its pod template. Pod Security admission checks Pods (and, for warnings,
 * the built-in workload kinds), and a Rollout's or an operator's template only ever reaches it as
 * a Pod: so every template is also checked as the Pod it becomes.
 */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Rollout: ['spec', 'template'],
  // CloudNativePG's PgBouncer Pooler: a full pod template; the operator adds the image when a container leaves it out.
  Pooler: ['spec', 'template'],
};

/** Whether `object`'s kind has a pod template this module turns into a Pod. */
export function hasPodTemplate(object: KubeObject): boolean {
  return TEMPLATE_PATHS[object.kind] !== undefined;
}

/**
 * The Pod the controller of `object` would create (name `<workload>-template-pod`, the template's
 * labels, annotations and spec; for a StatefulSet each volumeClaimTemplate becomes the claim its
 * controller would mount). A template a controller completes first (a container without image, a
 * Rollout that refers to a Deployment's template) is skipped with the reason, never guessed.
 */
export function podFromTemplate(object: KubeObject): TemplatePod | undefined {
  const templatePath = TEMPLATE_PATHS[object.kind];
  if (!templatePath) {
    return undefined;
  }
  const template = templatePath.reduce<Record<string, unknown>>((at, key) => record(at[key]), object as unknown as Record<string, unknown>);
  const spec = record(template.spec);
  if (Object.keys(spec).length === 0) {
    const reference = record(record(object.spec).workloadRef);
    return { skipped: text(reference.name) ? `its pod template is ${text(reference.kind)} ${text(reference.name)}'s, checked there` : 'it has no pod template' };
  }
  const containers = [...records(spec.initContainers), ...records(spec.containers)];
  const withoutImage = containers.filter((container) => !text(container.image)).map((container) => text(container.name));
  if (withoutImage.length > 0) {
    return { skipped: `container(s) ${withoutImage.join(', ')} leave the image to the operator` };
  }
  const metadata = record(template.metadata);
  const claims = records(record(object.spec).volumeClaimTemplates).map((claim) => {
    const claimName = text(record(claim.metadata).name) ?? '';
    return { name: claimName, persistentVolumeClaim: { claimName: `${claimName}-${object.metadata.name}-0` } };
  });
  const volumes = [...records(spec.volumes), ...claims];
  return {
    pod: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${object.metadata.name}-template-pod`,
        namespace: object.metadata.namespace,
        ...(metadata.labels ? { labels: metadata.labels } : {}),
        ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
      },
      spec: { ...spec, ...(volumes.length > 0 ? { volumes } : {}) },
    },
  };
}
