import { KubeObject } from './kube-client';

type Json = Record<string, unknown>;

/**
 * The pod sets two operators would make, for a cluster where they do not run: what CloudNativePG
 * 1.22 makes of a `Cluster` and the RabbitMQ cluster operator 2.7 of a `RabbitmqCluster`, as a
 * StatefulSet of the same size whose pods carry what scheduling sees (labels, requests, node and
 * pod affinity, spread). Both operators keep each member on its own volume in its own zone and never
 * move a member whose node is gone, as a StatefulSet never replaces a pod it cannot see deleted:
 * so after a zone loss the equivalent keeps the same survivors. Storage is an emptyDir (no
 * provisioner here); the containers are stand-ins that never run (KWOK makes pods Ready).
 */
export function operatorPodSet(object: KubeObject): KubeObject | undefined {
  if (object.kind === 'Cluster' && object.apiVersion.startsWith('postgresql.cnpg.io/')) {
    return cloudNativePgInstances(object);
  }
  if (object.kind === 'RabbitmqCluster') {
    return rabbitmqServers(object);
  }
  return undefined;
}

/** A container that passes Pod Security `restricted`, with the given requests and limits. */
function standIn(name: string, image: string, resources: unknown): Json {
  return {
    name,
    image,
    resources,
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  };
}

function statefulSet(object: KubeObject, name: string, replicas: number, labels: Record<string, string>, podSpec: Json): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: object.metadata.namespace, labels },
    spec: {
      replicas,
      serviceName: name,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, ...podSpec } },
    },
  };
}

/**
 * CloudNativePG 1.22 instance pods (pkg/specs/pods.go, pkg/specs/podaffinity.go): labels
 * `cnpg.io/cluster` and `cnpg.io/podRole: instance` plus `inheritedMetadata`; the Cluster's
 * nodeAffinity and topologySpreadConstraints as written; `enablePodAntiAffinity` adds an
 * anti-affinity on `topologyKey` over the cluster's instances (required or preferred by
 * `podAntiAffinityType`), and `additionalPodAntiAffinity` is added to it.
 */
function cloudNativePgInstances(object: KubeObject): KubeObject {
  const spec = object.spec as Json;
  const name = object.metadata.name ?? '';
  const affinity = (spec.affinity ?? {}) as Json;
  const inherited = ((spec.inheritedMetadata as Json | undefined)?.labels ?? {}) as Record<string, string>;
  const labels = { ...inherited, 'cnpg.io/cluster': name, 'cnpg.io/podRole': 'instance' };
  const additional = (affinity.additionalPodAntiAffinity ?? {}) as Json;
  const term = { labelSelector: { matchExpressions: [{ key: 'cnpg.io/cluster', operator: 'In', values: [name] }, { key: 'cnpg.io/podRole', operator: 'In', values: ['instance'] }] }, topologyKey: (affinity.topologyKey as string | undefined) ?? 'kubernetes.io/hostname' };
  const required = [...((additional.requiredDuringSchedulingIgnoredDuringExecution ?? []) as Json[])];
  const preferred = [...((additional.preferredDuringSchedulingIgnoredDuringExecution ?? []) as Json[])];
  if (affinity.enablePodAntiAffinity !== false) {
    if (affinity.podAntiAffinityType === 'required') {
      required.push(term);
    } else {
      preferred.push({ weight: 100, podAffinityTerm: term });
    }
  }
  const podAntiAffinity = {
    ...(required.length > 0 ? { requiredDuringSchedulingIgnoredDuringExecution: required } : {}),
    ...(preferred.length > 0 ? { preferredDuringSchedulingIgnoredDuringExecution: preferred } : {}),
  };
  return statefulSet(object, name, spec.instances as number, labels, {
    affinity: { ...(affinity.nodeAffinity ? { nodeAffinity: affinity.nodeAffinity } : {}), podAntiAffinity },
    ...(spec.topologySpreadConstraints ? { topologySpreadConstraints: spec.topologySpreadConstraints } : {}),
    containers: [standIn('postgres', spec.imageName as string, spec.resources)],
  });
}

/**
 * The RabbitMQ cluster operator 2.7's StatefulSet `<name>-server`
 * (internal/resource/statefulset.go): labels `app.kubernetes.io/name: <name>`, `component:
 * rabbitmq`, `part-of: rabbitmq`; the RabbitmqCluster's affinity, tolerations and resources; then
 * `override.statefulSet.spec.template.spec` merged over it (here: the spread constraints and the
 * security context the platform sets).
 */
function rabbitmqServers(object: KubeObject): KubeObject {
  const spec = object.spec as Json;
  const name = object.metadata.name ?? '';
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'rabbitmq', 'app.kubernetes.io/part-of': 'rabbitmq' };
  const override = ((((spec.override as Json | undefined)?.statefulSet as Json | undefined)?.spec as Json | undefined)?.template as Json | undefined)?.spec as Json | undefined;
  const overrideContainer = ((override?.containers ?? []) as Json[]).find((container) => container.name === 'rabbitmq') ?? {};
  return statefulSet(object, `${name}-server`, (spec.replicas as number | undefined) ?? 1, labels, {
    ...(spec.affinity ? { affinity: spec.affinity } : {}),
    ...(spec.tolerations ? { tolerations: spec.tolerations } : {}),
    ...(override?.topologySpreadConstraints ? { topologySpreadConstraints: override.topologySpreadConstraints } : {}),
    ...(override?.securityContext ? { securityContext: override.securityContext } : {}),
    containers: [standIn('rabbitmq', spec.image as string, overrideContainer.resources ?? spec.resources)],
  });
}
