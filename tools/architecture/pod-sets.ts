import { list, record, records, stringMap, text } from '../validation/json-access';
import { ManifestObject } from '../validation/manifest';
import { podTemplatesOf } from '../validation/pod-templates';
import { hookOf, syncWaveOf } from './rendered-environment';

/** A group of pods of the environment that NetworkPolicies select by their labels. */
export interface PodSet {
  /** Graph node id, e.g. `api`, `redis`, `postgres`. */
  readonly id: string;
  /** `Rollout api`, `Cluster postgres`, `StatefulSet redis-eu-west-1a, ...`. */
  readonly objects: readonly string[];
  readonly kinds: readonly string[];
  readonly labels: Record<string, string>;
  /** Sync wave of the objects that make the pods; `PostSync` etc. for a hook. */
  readonly layer: string;
  /** Named container ports, to resolve a policy's or Service's named port. */
  readonly namedPorts: Record<string, number>;
}

/**
 * Labels of the pods operators make from a custom resource, as the operators set them:
 * CloudNativePG 1.22 instances (`cnpg.io/cluster`, `cnpg.io/podRole: instance`, pkg/specs/pods.go)
 * and PgBouncer poolers (`cnpg.io/poolerName`, `cnpg.io/podRole: pooler`, pkg/specs/pgbouncer/deployments.go),
 * the RabbitMQ cluster operator 2.7 (`app.kubernetes.io/name: <cluster>`, `app.kubernetes.io/component: rabbitmq`,
 * `app.kubernetes.io/part-of: rabbitmq`, internal/metadata/label.go), and cert-manager's ACME
 * HTTP-01 solver (`acme.cert-manager.io/http01-solver: "true"`, pkg/issuer/acme/http/pod.go).
 */
function operatorPodLabels(object: ManifestObject): Record<string, string> | undefined {
  const inherited = stringMap(record(record(object.body.spec).inheritedMetadata).labels);
  if (object.kind === 'Cluster' && object.apiVersion.startsWith('postgresql.cnpg.io/')) {
    return { ...inherited, 'cnpg.io/cluster': object.name, 'cnpg.io/podRole': 'instance' };
  }
  if (object.kind === 'Pooler' && object.apiVersion.startsWith('postgresql.cnpg.io/')) {
    const templateLabels = stringMap(record(record(record(object.body.spec).template).metadata).labels);
    const cluster = text(record(record(object.body.spec).cluster).name) ?? '';
    return { ...templateLabels, 'cnpg.io/cluster': cluster, 'cnpg.io/poolerName': object.name, 'cnpg.io/podRole': 'pooler' };
  }
  if (object.kind === 'RabbitmqCluster') {
    return { 'app.kubernetes.io/name': object.name, 'app.kubernetes.io/component': 'rabbitmq', 'app.kubernetes.io/part-of': 'rabbitmq' };
  }
  if (object.kind === 'ClusterIssuer' || object.kind === 'Issuer') {
    return records(record(record(object.body.spec).acme).solvers).some((solver) => solver.http01) ? { 'acme.cert-manager.io/http01-solver': 'true' } : undefined;
  }
  return undefined;
}

/** Container ports of the pods an operator makes, by name, as the operator names them. */
const OPERATOR_PORTS: Readonly<Record<string, Record<string, number>>> = {
  Cluster: { postgresql: 5432, status: 8000, metrics: 9187 },
  Pooler: { pgbouncer: 5432, metrics: 9127 },
  RabbitmqCluster: { amqps: 5671, 'management-tls': 15671, 'prometheus-tls': 15691, epmd: 4369, 'cluster-links': 25672 },
};

function namedPortsOf(spec: Record<string, unknown>): Record<string, number> {
  const ports: Record<string, number> = {};
  for (const container of [...records(spec.initContainers), ...records(spec.containers)]) {
    for (const port of records(container.ports)) {
      const name = text(port.name);
      if (name && typeof port.containerPort === 'number') {
        ports[name] = port.containerPort;
      }
    }
  }
  return ports;
}

/** The id of a pod set: its `app.kubernetes.io/name`, else the object's name (one id for the three zonal Redis StatefulSets). */
function idOf(object: ManifestObject, labels: Record<string, string>): string {
  if (object.kind === 'Cluster' || object.kind === 'Pooler') {
    return object.name;
  }
  if (object.kind === 'ClusterIssuer' || object.kind === 'Issuer') {
    return `${object.name}-http01-solver`;
  }
  return labels['app.kubernetes.io/name'] ?? object.name;
}

/**
 * Every pod set of the environment: the pod templates of its workloads (Deployments, Rollouts,
 * StatefulSets, Jobs, analysis Jobs) and the pods its operators make from custom resources
 * (`clusterObjects` for the ACME issuer, whose solver pods run in the environment's namespace).
 */
export function podSetsOf(objects: readonly ManifestObject[], clusterObjects: readonly ManifestObject[]): PodSet[] {
  const byId = new Map<string, { objects: string[]; kinds: Set<string>; labels: Record<string, string>; layer: string; namedPorts: Record<string, number> }>();
  const add = (object: ManifestObject, labels: Record<string, string>, namedPorts: Record<string, number>) => {
    const id = idOf(object, labels);
    const hook = hookOf(object);
    const layer = hook ?? `wave ${syncWaveOf(object)}`;
    const entry = byId.get(id) ?? { objects: [], kinds: new Set<string>(), labels, layer, namedPorts: {} };
    entry.objects.push(`${object.kind} ${object.name}`);
    entry.kinds.add(object.kind);
    Object.assign(entry.namedPorts, namedPorts);
    byId.set(id, entry);
  };
  for (const object of objects) {
    const operatorLabels = operatorPodLabels(object);
    if (operatorLabels) {
      add(object, operatorLabels, OPERATOR_PORTS[object.kind] ?? {});
      continue;
    }
    for (const template of podTemplatesOf(object)) {
      add(object, template.labels, namedPortsOf(template.spec));
    }
  }
  for (const object of clusterObjects) {
    const labels = operatorPodLabels(object);
    if (labels && list(record(record(object.body.spec).acme).solvers).length > 0) {
      add(object, labels, { http: 8089 });
    }
  }
  return [...byId.entries()]
    .map(([id, entry]) => ({ id, objects: entry.objects.sort(), kinds: [...entry.kinds].sort(), labels: entry.labels, layer: entry.layer, namedPorts: entry.namedPorts }))
    .sort((a, b) => a.id.localeCompare(b.id));
}
