import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { isKustomizationFile } from '../validation/load-manifests';
import { KubeObject } from './kube-client';
import { operatorPodSet } from './operator-pod-sets';

/** What a rendered environment becomes on a cluster that runs only Kubernetes' own controllers. */
export interface SimulatedEnvironment {
  /** Objects to apply, in order: Namespaces, then everything a pod needs, then the workloads. */
  readonly objects: readonly KubeObject[];
  /** `<Kind>/<name> -> <Kind>/<name>`: the stand-ins for kinds whose controllers do not run. */
  readonly simulated: readonly string[];
  /** `<Kind>/<name>: why`: what is not applied. */
  readonly skipped: readonly string[];
}

type Json = Record<string, unknown>;

const APPLY_FIRST = ['Namespace', 'ResourceQuota', 'LimitRange', 'ServiceAccount', 'ConfigMap', 'Service'];

/** Every YAML document of every `.yaml` file in `dirs`, in file order. */
export function readObjects(dirs: readonly string[]): KubeObject[] {
  return dirs.flatMap((dir) =>
    fs
      .readdirSync(dir)
      .filter((file) => file.endsWith('.yaml') && !isKustomizationFile(file))
      .sort()
      .flatMap((file) => parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8')).map((document) => document.toJS() as KubeObject))
      .filter((object) => object?.kind),
  );
}

/** The label Argo Rollouts puts on each ReplicaSet's pods; a stand-in Deployment of a Rollout carries it too. */
export const ROLLOUT_HASH_LABEL = 'rollouts-pod-template-hash';

/**
 * Turns rendered objects into what a bare cluster can run, with only Kubernetes' own controllers:
 * - a Rollout becomes a Deployment from its own template, its pods labelled as one Argo Rollouts
 *   ReplicaSet (`rollouts-pod-template-hash: stable`); a canary without traffic routing, whose
 *   ReplicaSets together stay within replicas + maxSurge, a Deployment that rolls with the canary's
 *   maxSurge and maxUnavailable (no hash label); and a HorizontalPodAutoscaler of the Rollout
 *   (or the one KEDA makes for a ScaledObject of it) scales that Deployment instead;
 * - a CloudNativePG Pooler becomes a Deployment of `spec.instances` from its template, a
 *   CloudNativePG Cluster and a RabbitmqCluster the StatefulSet their operator would make
 *   (operator-pod-sets.ts), a KEDA ScaledObject the HorizontalPodAutoscaler KEDA would make;
 * - a workload an autoscaler scales starts at the autoscaler's minimum (as the HPA controller
 *   raises it at once);
 * - no storage provisioner runs: per-pod claims (generic ephemeral volumes, a StatefulSet's
 *   volumeClaimTemplates) become emptyDir volumes of the same name; the zone pinning of real
 *   volumes is explicit in the Redis StatefulSets' node affinity, and the stores' StatefulSets
 *   never move a member whose node is gone;
 * - Jobs are skipped (a one-shot bootstrap, no part of availability), and so are objects of kinds
 *   the server does not serve (`served`).
 */
export function simulateEnvironment(objects: readonly KubeObject[], served: (object: KubeObject) => boolean): SimulatedEnvironment {
  const simulated: string[] = [];
  const skipped: string[] = [];
  const out: KubeObject[] = [];
  const minimum = new Map<string, number>();
  for (const object of objects.filter((candidate) => candidate.kind === 'HorizontalPodAutoscaler' || candidate.kind === 'ScaledObject')) {
    const spec = object.spec as { scaleTargetRef: { kind?: string; name: string }; minReplicas?: number; minReplicaCount?: number };
    minimum.set(`${spec.scaleTargetRef.kind ?? 'Deployment'}/${spec.scaleTargetRef.name}`, spec.minReplicas ?? spec.minReplicaCount ?? 1);
  }
  for (const object of objects) {
    const id = `${object.kind}/${object.metadata.name}`;
    const spec = object.spec as Json;
    const operatorSet = operatorPodSet(object);
    if (object.kind === 'Rollout' || object.kind === 'Pooler') {
      const rollout = object.kind === 'Rollout';
      const replicas = rollout ? ((spec.replicas as number | undefined) ?? minimum.get(id) ?? 1) : (spec.instances as number);
      const template = withoutClaims(spec.template as Json);
      const templateLabels = ((template.metadata as Json).labels ?? {}) as Record<string, string>;
      const canary = ((spec.strategy as Json | undefined)?.canary ?? undefined) as Json | undefined;
      // A canary without traffic routing moves replicas between its ReplicaSets within maxSurge: a rolling update.
      const basicCanary = rollout && canary !== undefined && canary.trafficRouting === undefined;
      const hash = rollout && !basicCanary ? { [ROLLOUT_HASH_LABEL]: 'stable' } : {};
      // CloudNativePG labels a Pooler's pods with its name (pkg/specs/pgbouncer/deployments.go), which the Pooler's spread selects.
      const podLabels = rollout ? { ...templateLabels, ...hash } : { ...templateLabels, 'cnpg.io/poolerName': object.metadata.name ?? '' };
      const selectorLabels = ((spec.selector as Json | undefined)?.matchLabels ?? templateLabels) as Record<string, string>;
      const selector = { matchLabels: rollout ? { ...selectorLabels, ...hash } : { ...selectorLabels, 'cnpg.io/poolerName': object.metadata.name ?? '' } };
      const name = rollout ? object.metadata.name : `${object.metadata.name}-pooler`;
      const podTemplate = { ...template, metadata: { ...(template.metadata as Json), labels: podLabels } };
      const strategy = basicCanary ? { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: canary.maxSurge ?? '25%', maxUnavailable: canary.maxUnavailable ?? '25%' } } } : {};
      out.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: object.metadata.namespace, labels: object.metadata.labels }, spec: { replicas, selector, ...strategy, template: podTemplate } });
      simulated.push(`${id} -> Deployment/${name} (${replicas} replicas${basicCanary ? `, a rolling update within the canary's maxSurge ${String(canary.maxSurge ?? '25%')}` : ''})`);
    } else if (operatorSet) {
      out.push(operatorSet);
      simulated.push(`${id} -> StatefulSet/${operatorSet.metadata.name} (${(operatorSet.spec as Json).replicas} members, as its operator makes them)`);
    } else if (object.kind === 'ScaledObject') {
      const name = ((spec.advanced as Json | undefined)?.horizontalPodAutoscalerConfig as Json | undefined)?.name as string | undefined ?? `keda-hpa-${object.metadata.name}`;
      const target = spec.scaleTargetRef as { apiVersion?: string; kind?: string; name: string };
      // A ScaledObject of a Rollout scales the Rollout's stand-in Deployment, like a HorizontalPodAutoscaler of one.
      const scaled = target.kind === 'Rollout' ? { apiVersion: 'apps/v1', kind: 'Deployment', name: target.name } : { apiVersion: target.apiVersion ?? 'apps/v1', kind: target.kind ?? 'Deployment', name: target.name };
      out.push({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name, namespace: object.metadata.namespace, labels: object.metadata.labels },
        spec: { scaleTargetRef: scaled, minReplicas: spec.minReplicaCount, maxReplicas: spec.maxReplicaCount },
      });
      simulated.push(`${id} -> HorizontalPodAutoscaler/${name} (${spec.minReplicaCount}-${spec.maxReplicaCount}, as KEDA makes it${target.kind === 'Rollout' ? `, scaling Deployment/${target.name}, the Rollout's stand-in` : ''})`);
    } else if (object.kind === 'Job') {
      skipped.push(`${id}: a one-shot Job, no part of availability`);
    } else if (!served(object)) {
      skipped.push(`${id}: the server does not serve ${object.apiVersion} ${object.kind}`);
    } else if (object.kind === 'HorizontalPodAutoscaler' && (spec.scaleTargetRef as Json).kind === 'Rollout') {
      const target = spec.scaleTargetRef as Json;
      out.push({ ...object, spec: { ...spec, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target.name } } });
      simulated.push(`${id}: scales Deployment/${target.name} (the Rollout's stand-in)`);
    } else if (object.kind === 'Deployment' || object.kind === 'StatefulSet') {
      const claims = ((spec.volumeClaimTemplates ?? []) as Json[]).map((claim) => (claim.metadata as Json).name as string);
      const rest = Object.fromEntries(Object.entries(spec).filter(([key]) => key !== 'volumeClaimTemplates'));
      const replicas = (spec.replicas as number | undefined) ?? minimum.get(id) ?? 1;
      out.push({ ...object, spec: { ...rest, replicas, template: withoutClaims(spec.template as Json, claims) } });
    } else {
      out.push(object);
    }
  }
  const rank = (object: KubeObject) => {
    const index = APPLY_FIRST.indexOf(object.kind);
    return index >= 0 ? index : APPLY_FIRST.length;
  };
  return { objects: [...out].sort((a, b) => rank(a) - rank(b)), simulated, skipped };
}

/** The pod template with generic ephemeral volumes and the named claim templates as emptyDir volumes. */
function withoutClaims(template: Json, claimTemplates: readonly string[] = []): Json {
  const spec = template.spec as Json;
  const volumes = ((spec.volumes ?? []) as Json[]).map((volume) => (volume.ephemeral ? { name: volume.name, emptyDir: {} } : volume));
  const extra = claimTemplates.filter((name) => !volumes.some((volume) => volume.name === name)).map((name) => ({ name, emptyDir: {} }));
  return { ...template, spec: { ...spec, volumes: [...volumes, ...extra] } };
}

/** The objects copied into another namespace (for a side-by-side variant on the same nodes). */
export function inNamespace(objects: readonly KubeObject[], from: string, to: string): KubeObject[] {
  return objects.map((object) => {
    if (object.kind === 'Namespace') {
      return object.metadata.name === from ? { ...object, metadata: { ...object.metadata, name: to } } : object;
    }
    return object.metadata.namespace === from ? { ...object, metadata: { ...object.metadata, namespace: to } } : object;
  });
}
