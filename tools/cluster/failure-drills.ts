import { NodePoolConfig } from '../../lib/config/environment-config';
import { KWOK_NODE_ANNOTATION } from './control-plane';
import { KubeClient, KubeObject, statusMessage } from './kube-client';
import { waitFor } from './managed-process';

/** `perZone` identical KWOK nodes in each zone, each offering pods what one machine of the config's node pool offers. */
export interface NodePool extends Pick<NodePoolConfig, 'cpuMillis' | 'memoryMi' | 'ephemeralStorageGi' | 'maxPods'> {
  readonly zones: readonly string[];
  readonly perZone: number;
}

/** A workload whose Ready pods are counted: its namespace, name and the pods' labels. */
export interface Workload {
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly namespace: string;
  readonly name: string;
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly replicas: number;
  /** The zones its pods are confined to by a required node affinity (a store member's volume), if any. */
  readonly pinnedZones?: readonly string[];
  /** Seconds a new pod may take to become Ready by its probes (startup probe's budget, else the readiness probe's first check). */
  readonly startupSeconds: number;
}

interface PodJson {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; deletionTimestamp?: string; ownerReferences?: { kind: string }[] };
  spec: { nodeName?: string };
  status: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** The KWOK Node objects of a pool, named `<zone>-<n>`, labelled with zone and hostname as a cloud's nodes are. */
export function poolNodes(pool: NodePool): KubeObject[] {
  return pool.zones.flatMap((zone) =>
    Array.from({ length: pool.perZone }, (_, index) => {
      const name = `${zone}-${index + 1}`;
      const resources = { cpu: `${pool.cpuMillis}m`, memory: `${pool.memoryMi}Mi`, pods: `${pool.maxPods}`, 'ephemeral-storage': `${pool.ephemeralStorageGi}Gi` };
      return {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, annotations: { [KWOK_NODE_ANNOTATION]: 'fake' }, labels: { 'topology.kubernetes.io/zone': zone, 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', type: 'kwok' } },
        status: { allocatable: resources, capacity: resources },
      };
    }),
  );
}

interface Probe { initialDelaySeconds?: number; periodSeconds?: number; failureThreshold?: number }
interface PodTemplateJson {
  spec: {
    containers: { startupProbe?: Probe; readinessProbe?: Probe }[];
    affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: { matchExpressions?: { key: string; operator: string; values?: string[] }[] }[] } } };
  };
}

/** Kubernetes' probe defaults: no delay, every 10 s, 3 failures. */
const probeBudget = (probe: Probe, checks: number) => (probe.initialDelaySeconds ?? 0) + (probe.periodSeconds ?? 10) * checks;

function startupSeconds(template: PodTemplateJson): number {
  return Math.max(0, ...template.spec.containers.map((container) =>
    container.startupProbe ? probeBudget(container.startupProbe, container.startupProbe.failureThreshold ?? 3) : container.readinessProbe ? probeBudget(container.readinessProbe, 1) : 0));
}

function pinnedZones(template: PodTemplateJson): string[] | undefined {
  const terms = template.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const zones = terms.flatMap((term) => (term.matchExpressions ?? []).filter((expression) => expression.key === 'topology.kubernetes.io/zone' && expression.operator === 'In').flatMap((expression) => expression.values ?? []));
  return terms.length > 0 && zones.length > 0 ? [...new Set(zones)] : undefined;
}

/** The Deployments and StatefulSets among `objects`, as workloads to count. */
export function workloadsOf(objects: readonly KubeObject[]): Workload[] {
  return objects
    .filter((object) => object.kind === 'Deployment' || object.kind === 'StatefulSet')
    .map((object) => {
      const spec = object.spec as { replicas?: number; selector: { matchLabels: Record<string, string> }; template: PodTemplateJson };
      return {
        kind: object.kind as Workload['kind'],
        namespace: object.metadata.namespace ?? 'default',
        name: object.metadata.name ?? '',
        matchLabels: spec.selector.matchLabels,
        replicas: spec.replicas ?? 1,
        pinnedZones: pinnedZones(spec.template),
        startupSeconds: startupSeconds(spec.template),
      };
    });
}

async function listPods(client: KubeClient, namespace: string, matchLabels: Readonly<Record<string, string>>): Promise<PodJson[]> {
  const selector = Object.entries(matchLabels).map(([key, value]) => `${key}=${value}`).join(',');
  const response = await client.request('GET', `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`);
  if (response.status !== 200) {
    throw new Error(`listing pods in ${namespace}: ${statusMessage(response)}`);
  }
  return (response.body as { items: PodJson[] }).items;
}

const isReady = (pod: PodJson) => !pod.metadata.deletionTimestamp && (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** A workload's key in counts: `<namespace>/<name>`. */
export const keyOf = (workload: Workload) => `${workload.namespace}/${workload.name}`;

/** The nodes of the Ready pods (Ready condition true, not being deleted) per workload key (`keyOf`). */
export async function readyPodNodes(client: KubeClient, workloads: readonly Workload[]): Promise<Record<string, string[]>> {
  const nodes = await Promise.all(workloads.map(async (workload) => (await listPods(client, workload.namespace, workload.matchLabels)).filter(isReady).map((pod) => pod.spec.nodeName ?? '')));
  return Object.fromEntries(workloads.map((workload, index) => [keyOf(workload), nodes[index]]));
}

/** Ready pods (Ready condition true, not being deleted) per workload key (`keyOf`). */
export async function readyCounts(client: KubeClient, workloads: readonly Workload[]): Promise<Record<string, number>> {
  return Object.fromEntries(Object.entries(await readyPodNodes(client, workloads)).map(([key, nodes]) => [key, nodes.length]));
}

/**
 * Why pods of the workloads are not Ready: the scheduler's message per Pending pod (first of each
 * distinct one), and for a scheduled pod that is not Ready its node, phase, Ready condition and
 * whether it is being deleted, so a failure names the pod that held it up.
 */
export async function notReadyReasons(client: KubeClient, workloads: readonly Workload[]): Promise<string[]> {
  const reasons = new Set<string>();
  for (const workload of workloads) {
    for (const pod of await listPods(client, workload.namespace, workload.matchLabels)) {
      const condition = (pod.status.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.status === 'False');
      if (condition?.message && !pod.metadata.deletionTimestamp) {
        reasons.add(`${keyOf(workload)}: ${condition.message}`);
      } else if (!isReady(pod)) {
        const ready = (pod.status.conditions ?? []).find((c) => c.type === 'Ready');
        const deleting = pod.metadata.deletionTimestamp ? `, terminating since ${pod.metadata.deletionTimestamp}` : '';
        reasons.add(`${keyOf(workload)}: pod ${pod.metadata.name} on ${pod.spec.nodeName ?? 'no node'} is ${pod.status.phase ?? 'without phase'}, Ready=${ready?.status ?? 'none'}${ready?.reason ? ` (${ready.reason})` : ''}${deleting}`);
      }
    }
  }
  return [...reasons];
}

/**
 * What a kubelet's next readiness probe does and KWOK v0.6.1 does not: a pod that the node
 * lifecycle controller marked NotReady (Ready False without a reason, MarkPodsNotReady) while its
 * node's heartbeat lagged is reported Ready again once its node is KWOK's and Ready. KWOK sets a
 * pod Ready only once, so under CPU load a live node's brief heartbeat gap left such pods NotReady
 * for good (seen in CI: rabbitmq-server-0 on a returned node). Pods of a node that is not Ready
 * (a lost zone) are left alone, as their kubelet would be silent. Returns the pods reported Ready.
 */
export async function reportReadyAsKubeletsWould(client: KubeClient, workloads: readonly Workload[]): Promise<string[]> {
  const readyNodes = new Map<string, boolean>();
  const nodeIsLive = async (node: string): Promise<boolean> => {
    if (!readyNodes.has(node)) {
      const body = (await client.request('GET', `/api/v1/nodes/${node}`)).body as { metadata?: { annotations?: Record<string, string> }; status?: { conditions?: { type: string; status: string }[] } };
      readyNodes.set(node, body.metadata?.annotations?.[KWOK_NODE_ANNOTATION] === 'fake' && (body.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
    }
    return readyNodes.get(node)!;
  };
  const reported: string[] = [];
  for (const workload of workloads) {
    for (const pod of await listPods(client, workload.namespace, workload.matchLabels)) {
      const ready = (pod.status.conditions ?? []).find((c) => c.type === 'Ready');
      if (pod.metadata.deletionTimestamp || pod.status.phase !== 'Running' || ready?.status !== 'False' || ready.reason || !pod.spec.nodeName || !(await nodeIsLive(pod.spec.nodeName))) {
        continue;
      }
      const now = new Date().toISOString();
      const conditions = (pod.status.conditions ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'True', lastTransitionTime: now } : c));
      const response = await client.request('PATCH', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, { status: { conditions } }, 'application/strategic-merge-patch+json');
      if (response.status === 200) {
        reported.push(`${pod.metadata.namespace}/${pod.metadata.name} on ${pod.spec.nodeName}`);
      }
    }
  }
  return reported;
}

/** Polls until every workload has its replicas Ready, or the deadline passes; returns whether it settled. */
export async function waitUntilSettled(client: KubeClient, workloads: readonly Workload[], timeoutMs: number, log: (line: string) => void = () => undefined): Promise<boolean> {
  try {
    await waitFor('every workload to have its replicas Ready', async () => {
      for (const pod of await reportReadyAsKubeletsWould(client, workloads)) {
        log(`reported Ready again as its kubelet would (KWOK does not): ${pod}`);
      }
      const counts = await readyCounts(client, workloads);
      return workloads.every((workload) => counts[keyOf(workload)] >= workload.replicas);
    }, { timeoutMs, intervalMs: 500 });
    return true;
  } catch {
    return false;
  }
}

/**
 * `kubectl drain` of one node: cordon it, then evict (policy/v1 Eviction, so PodDisruptionBudgets
 * are honoured) each of its pods, retrying refused evictions (429) until the deadline. Meanwhile
 * the lowest Ready count of each workload is recorded. Returns those minima.
 */
export async function drainNode(client: KubeClient, node: string, workloads: readonly Workload[], timeoutMs: number): Promise<Record<string, number>> {
  const minima: Record<string, number> = await readyCounts(client, workloads);
  const observe = async () => {
    const counts = await readyCounts(client, workloads);
    for (const [name, count] of Object.entries(counts)) {
      minima[name] = Math.min(minima[name], count);
    }
  };
  await patchNode(client, node, { spec: { unschedulable: true } });
  await waitFor(`node ${node} to be drained`, async () => {
    await observe();
    const pods = ((await client.request('GET', `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`)).body as { items: PodJson[] }).items;
    const remaining = pods.filter((pod) => !pod.metadata.deletionTimestamp && !(pod.metadata.ownerReferences ?? []).some((owner) => owner.kind === 'DaemonSet'));
    for (const pod of remaining) {
      const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace } };
      const response = await client.request('POST', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/eviction`, eviction);
      if (response.status >= 300 && response.status !== 429 && response.status !== 404) {
        throw new Error(`evicting ${pod.metadata.namespace}/${pod.metadata.name}: ${statusMessage(response)}`);
      }
    }
    return remaining.length === 0;
  }, { timeoutMs, intervalMs: 500 });
  return minima;
}

/** Makes a node schedulable again. */
export async function uncordon(client: KubeClient, node: string): Promise<void> {
  await patchNode(client, node, { spec: { unschedulable: false } });
}

/**
 * A zone's nodes lose (heartbeats: false) or regain their kubelets. KWOK manages nodes with its
 * annotation, but it lets go of a node only when the node is deleted (KWOK v0.6.1,
 * pkg/kwok/controllers/node_controller.go: a Modified event never unmanages). So each node is
 * deleted and at once created again with its name and labels:
 * - losing: as it was (taints, status), without the annotation, so no lease is renewed and no
 *   status posted: what a zone outage looks like to the node lifecycle controller (Ready Unknown,
 *   then the unreachable taints). Its pods stay bound (the pod garbage collector waits 40 s for a
 *   missing node, and the node is back at once);
 * - regaining: as a kubelet registers a node, with only its capacity and the annotation, so KWOK
 *   takes it back. No stale `Ready: Unknown` is carried over: the node lifecycle controller would
 *   otherwise mark pods scheduled in the first seconds NotReady, which a real kubelet corrects and
 *   KWOK does not.
 */
export async function setHeartbeats(client: KubeClient, nodes: readonly string[], heartbeats: boolean): Promise<void> {
  for (const node of nodes) {
    const current = (await client.request('GET', `/api/v1/nodes/${node}`)).body as KubeObject & { metadata: { annotations?: Record<string, string> }; status: { allocatable: object; capacity: object } };
    const annotations = Object.fromEntries(Object.entries(current.metadata.annotations ?? {}).filter(([key]) => key !== KWOK_NODE_ANNOTATION));
    const copy = heartbeats
      ? { apiVersion: 'v1', kind: 'Node', metadata: { name: node, labels: current.metadata.labels, annotations: { [KWOK_NODE_ANNOTATION]: 'fake' } }, status: { allocatable: current.status.allocatable, capacity: current.status.capacity } }
      : { ...current, metadata: { name: node, labels: current.metadata.labels, annotations } };
    const deleted = await client.request('DELETE', `/api/v1/nodes/${node}`);
    // The node's Lease names the deleted node as its owner: the garbage collector would delete it
    // at a moment of its choosing, possibly after KWOK renewed it for the new node (the node then
    // looks silent again). Deleting it here leaves KWOK to create a fresh one, as a kubelet does.
    const lease = await client.request('DELETE', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}`);
    const created = await client.request('POST', '/api/v1/nodes', copy);
    if (deleted.status !== 200 || created.status !== 201 || (lease.status !== 200 && lease.status !== 404)) {
      throw new Error(`re-creating node ${node}: ${statusMessage(deleted)}; ${statusMessage(lease)}; ${statusMessage(created)}`);
    }
  }
}

async function patchNode(client: KubeClient, node: string, patch: object): Promise<void> {
  const response = await client.request('PATCH', `/api/v1/nodes/${node}`, patch, 'application/merge-patch+json');
  if (response.status !== 200) {
    throw new Error(`patching node ${node}: ${statusMessage(response)}`);
  }
}

/** Pods bound to the nodes that are not being deleted (DaemonSet pods left out): `<namespace>/<name> on <node>`. */
export async function podsNotEvicted(client: KubeClient, nodes: readonly string[]): Promise<string[]> {
  const remaining: string[] = [];
  for (const node of nodes) {
    const pods = ((await client.request('GET', `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`)).body as { items: PodJson[] }).items;
    remaining.push(...pods.filter((pod) => !pod.metadata.deletionTimestamp && !(pod.metadata.ownerReferences ?? []).some((owner) => owner.kind === 'DaemonSet')).map((pod) => `${pod.metadata.namespace}/${pod.metadata.name} on ${node}`));
  }
  return remaining;
}

/** A node's Ready condition status and its taints as `key:effect`. */
export async function nodeState(client: KubeClient, node: string): Promise<{ ready: string; taints: string[] }> {
  const body = (await client.request('GET', `/api/v1/nodes/${node}`)).body as { spec: { taints?: { key: string; effect: string }[] }; status: { conditions?: { type: string; status: string }[] } };
  return {
    ready: (body.status.conditions ?? []).find((condition) => condition.type === 'Ready')?.status ?? 'none',
    taints: (body.spec.taints ?? []).map((taint) => `${taint.key}:${taint.effect}`),
  };
}

/** Whether pods of the workload are Pending with a scheduler message that contains every one of `fragments`. */
export async function isUnschedulableFor(client: KubeClient, workload: Workload, fragments: readonly string[]): Promise<boolean> {
  const reasons = await notReadyReasons(client, [workload]);
  return reasons.some((reason) => fragments.every((fragment) => reason.includes(fragment)));
}

/** Patches every HorizontalPodAutoscaler of the namespace to `minReplicas = maxReplicas` (the HPA controller then scales each target to its maximum); returns `<target>: <max>`. */
export async function scaleToMaxima(client: KubeClient, namespace: string): Promise<Record<string, number>> {
  const list = (await client.request('GET', `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`)).body as { items: { metadata: { name: string }; spec: { maxReplicas: number; scaleTargetRef: { kind: string; name: string } } }[] };
  const maxima: Record<string, number> = {};
  for (const hpa of list.items) {
    const response = await client.request('PATCH', `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers/${hpa.metadata.name}`, { spec: { minReplicas: hpa.spec.maxReplicas } }, 'application/merge-patch+json');
    if (response.status !== 200) {
      throw new Error(`patching HorizontalPodAutoscaler ${hpa.metadata.name}: ${statusMessage(response)}`);
    }
    maxima[`${hpa.spec.scaleTargetRef.kind}/${hpa.spec.scaleTargetRef.name}`] = hpa.spec.maxReplicas;
  }
  return maxima;
}

/** The namespace's ResourceQuota usage as the quota controller counted it: `resource -> used / hard`. */
export async function quotaUsage(client: KubeClient, namespace: string): Promise<Record<string, { used: string; hard: string }>> {
  const list = (await client.request('GET', `/api/v1/namespaces/${namespace}/resourcequotas`)).body as { items: { status?: { used?: Record<string, string>; hard?: Record<string, string> } }[] };
  const usage: Record<string, { used: string; hard: string }> = {};
  for (const quota of list.items) {
    for (const [resource, hard] of Object.entries(quota.status?.hard ?? {})) {
      usage[resource] = { used: quota.status?.used?.[resource] ?? '0', hard };
    }
  }
  return usage;
}

/** The ReplicaSets of the namespace the API server refused pods to (their `ReplicaFailure` condition: e.g. "exceeded quota"). */
export async function replicaFailures(client: KubeClient, namespace: string): Promise<string[]> {
  const list = (await client.request('GET', `/apis/apps/v1/namespaces/${namespace}/replicasets`)).body as { items: { metadata: { name: string }; status: { conditions?: { type: string; status: string; message?: string }[] } }[] };
  return list.items.flatMap((set) => (set.status.conditions ?? []).filter((condition) => condition.type === 'ReplicaFailure' && condition.status === 'True').map((condition) => `${set.metadata.name}: ${condition.message}`));
}
