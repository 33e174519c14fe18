import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROJECT_ROOT } from '../../tools/addons/addon-lock';
import { ControlPlane } from '../../tools/cluster/control-plane';
import {
  drainNode, isUnschedulableFor, keyOf, nodeState, podsNotEvicted, poolNodes, quotaUsage, readyCounts, readyPodNodes, replicaFailures,
  NodePool, scaleToMaxima, setHeartbeats, uncordon, notReadyReasons, waitUntilSettled, Workload, workloadsOf,
} from '../../tools/cluster/failure-drills';
import { KubeObject, statusMessage } from '../../tools/cluster/kube-client';
import { waitFor } from '../../tools/cluster/managed-process';
import { inNamespace, readObjects, ROLLOUT_HASH_LABEL, simulateEnvironment, SimulatedEnvironment } from '../../tools/cluster/simulated-environment';
import { production } from '../../lib/config/environments/production';

/**
 * Issue 15, item 3: production on a simulated cluster (real kube-apiserver, kube-scheduler and
 * kube-controller-manager 1.27.16 with its quota, ReplicaSet, StatefulSet, HPA, disruption and
 * node-lifecycle controllers; KWOK nodes from the config's node pool), through a node drain, the
 * loss of a whole zone and its return, and every autoscaler at its maximum with a release in
 * flight. The environment is rendered fresh from the code (never read from dist/, which may lag)
 * and runs twice side by side on the same nodes: as rendered, and with the spread's
 * `nodeTaintsPolicy` taken out (Kubernetes' default, `Ignore`: the behaviour before the fix), so
 * the test shows that this field is what brings the services back after a zone loss.
 */

/** The config's node pool at its minimum; the last test grows it to its maximum, as the cluster autoscaler would. */
const POOL: NodePool = { ...production.nodePool, zones: production.zones, perZone: production.nodePool.minNodesPerZone };
const NAMESPACE = production.namespace;
const IGNORED = `${NAMESPACE}-taints-ignored`;
/** The user-facing services: each keeps at least one Ready pod through a drain. */
const USER_FACING = ['web', 'api', 'oauth2-proxy'];
const LOST_ZONE = POOL.zones[1];
const LOST_NODES = Array.from({ length: POOL.perZone }, (_, index) => `${LOST_ZONE}-${index + 1}`);

/**
 * Only waiting is shortened: pods tolerate the unreachable taint 10 s here, 300 s by default
 * (DefaultTolerationSeconds; the platform sets no toleration of its own). The node lifecycle
 * controller runs with its defaults (40 s grace, KWOK renewing node leases as a kubelet does). A real
 * zone loss therefore takes 290 s longer than here, and a real pod takes its probes' startup budget
 * to become Ready where a KWOK pod is Ready at once: both are added to the measured time before it
 * is compared with the RTO (15 minutes, docs/disaster-recovery.md).
 */
const TOLERATION_SECONDS = 10;
const REAL_EXTRA_SECONDS = 300 - TOLERATION_SECONDS;
const RTO_SECONDS = 15 * 60;

let plane: ControlPlane;
let outDir: string;
let environment: SimulatedEnvironment;
let rendered: Workload[];
let ignored: Workload[];
const table: Record<string, Record<string, number | string>> = {};
const timings: Record<string, number | string> = {};

/** KWOK's last log lines (it stands in for every kubelet), for a failure message. */
const kwokLog = () => plane.processes.find((process) => process.name === 'kwok')?.logTail(40) ?? 'no kwok process';

function record(phase: string, counts: Record<string, number | string>): void {
  for (const [key, count] of Object.entries(counts)) {
    table[key] = { ...table[key], [phase]: count };
  }
}

/** The copy with every spread constraint's nodeTaintsPolicy removed (so the API default, Ignore). */
function withoutTaintsPolicy(objects: readonly KubeObject[]): KubeObject[] {
  return JSON.parse(JSON.stringify(objects, (key, value) => (key === 'nodeTaintsPolicy' ? undefined : value)));
}

/**
 * Ready pods each workload must have again after the zone loss: a Deployment all its replicas (in
 * the other zones); a store member set all but its members in the lost zone (their volumes are
 * there, so they wait for it, and the rest must be a majority); a StatefulSet confined to the lost
 * zone none (Redis: its shards fail over to their replicas in the next zone).
 */
function expectedAfterZoneLoss(workload: Workload, lostBefore: number): number {
  if (workload.pinnedZones?.every((zone) => zone === LOST_ZONE)) {
    return 0;
  }
  return workload.kind === 'Deployment' ? workload.replicas : workload.replicas - lostBefore;
}

beforeAll(async () => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'failure-domains-'));
  const synth = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts', '--out', outDir], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (synth.status !== 0) {
    throw new Error(`synth failed: ${synth.stderr}`);
  }
  plane = await ControlPlane.start({
    scheduler: true,
    kwok: true,
    apiserverArgs: [`--default-unreachable-toleration-seconds=${TOLERATION_SECONDS}`, `--default-not-ready-toleration-seconds=${TOLERATION_SECONDS}`],
  });
}, 600_000);

/** Pods the harness reported Ready again as their kubelet would (reportReadyAsKubeletsWould), printed with the table. */
const kubeletStandIn: string[] = [];
const reportKubeletStandIn = (line: string) => kubeletStandIn.push(line);

afterAll(async () => {
  await plane?.stop();
  if (outDir) {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
  const rows = Object.entries(table).map(([key, phases]) => `${key.padEnd(52)} ${Object.entries(phases).map(([phase, value]) => `${phase}=${value}`).join('  ')}`);
  console.log(`failure domains, Ready pods per workload (${IGNORED}: the spread without nodeTaintsPolicy):\n${rows.join('\n')}\ntimings: ${JSON.stringify(timings)}\nkubelet stand-in: ${kubeletStandIn.length === 0 ? 'nothing to report' : kubeletStandIn.join('; ')}`);
});

describe(`production on ${POOL.zones.length} zones x ${POOL.perZone} KWOK nodes of ${POOL.cpuMillis}m CPU / ${POOL.memoryMi}Mi`, () => {
  test('applies for real: every rendered (or simulated) workload is scheduled and Ready, spread over the zones', async () => {
    for (const node of poolNodes(POOL)) {
      const response = await plane.client.request('POST', '/api/v1/nodes', node);
      expect({ node: node.metadata.name, status: response.status, message: response.status >= 300 ? statusMessage(response) : '' }).toEqual({ node: node.metadata.name, status: 201, message: '' });
    }
    const baselineNamespaces = readObjects([path.join(outDir, 'argocd', 'production', 'cluster-baseline')]).filter((object) => object.kind === 'Namespace' && object.metadata.name === NAMESPACE);
    const objects = [...baselineNamespaces, ...readObjects([path.join(outDir, 'production')])];
    environment = simulateEnvironment(objects, (object) => plane.client.resourceOf(object.apiVersion, object.kind) !== undefined);
    // The copy holds web and api alone (what the issue found Pending for good), so that both fit the pool at its minimum.
    const copy = inNamespace(withoutTaintsPolicy(environment.objects), NAMESPACE, IGNORED).filter(
      (object) => ['Namespace', 'ServiceAccount', 'ConfigMap'].includes(object.kind) || (['Deployment', 'PodDisruptionBudget', 'HorizontalPodAutoscaler'].includes(object.kind) && ['web', 'api'].includes(object.metadata.name ?? '')),
    );
    const started = Date.now();
    const refused: string[] = [];
    for (const object of [...environment.objects, ...copy]) {
      const response = await plane.client.apply(object, { dryRun: false, fieldManager: 'failure-domains' });
      if (response.status >= 300) {
        refused.push(`${object.kind}/${object.metadata.namespace}/${object.metadata.name}: ${statusMessage(response)}`);
      }
    }
    console.log(`simulated:\n  ${environment.simulated.join('\n  ')}\nskipped:\n  ${environment.skipped.join('\n  ')}`);
    expect(refused).toEqual([]);
    rendered = workloadsOf(environment.objects);
    ignored = workloadsOf(copy);
    expect(rendered.map((workload) => workload.name).sort()).toEqual(
      ['api', 'generator', 'oauth2-proxy', 'postgres', 'postgres-pooler-pooler', 'rabbitmq-server', 'web', ...POOL.zones.map((zone) => `redis-${zone}`)].sort(),
    );
    const settled = await waitUntilSettled(plane.client, [...rendered, ...ignored], 240_000, reportKubeletStandIn);
    timings.applyToReadyMs = Date.now() - started;
    record('before', await readyCounts(plane.client, [...rendered, ...ignored]));
    expect({ settled, pending: settled ? [] : await notReadyReasons(plane.client, [...rendered, ...ignored]) }).toEqual({ settled: true, pending: [] });
    // Spread as intended: no zone holds more than its share (rounded up) of any multi-zone workload.
    const nodes = await readyPodNodes(plane.client, rendered);
    const crowded = rendered
      .filter((workload) => !workload.pinnedZones || workload.pinnedZones.length > 1)
      .flatMap((workload) => POOL.zones.map((zone) => ({ workload: keyOf(workload), zone, pods: nodes[keyOf(workload)].filter((node) => node.startsWith(`${zone}-`)).length, most: Math.ceil(workload.replicas / POOL.zones.length) })))
      .filter((cell) => cell.pods > cell.most);
    expect(crowded).toEqual([]);
  });

  test('drains every node in turn through the eviction API: PDBs honoured, every user-facing service keeps a Ready pod', async () => {
    const minima: Record<string, number> = {};
    const started = Date.now();
    for (const node of poolNodes(POOL).map((object) => object.metadata.name ?? '')) {
      for (const [key, count] of Object.entries(await drainNode(plane.client, node, [...rendered, ...ignored], 180_000))) {
        minima[key] = Math.min(minima[key] ?? count, count);
      }
      // The next node is drained only once every workload is whole again, as `kubectl drain` in a node upgrade would wait.
      const settled = await waitUntilSettled(plane.client, [...rendered, ...ignored], 120_000, reportKubeletStandIn);
      await uncordon(plane.client, node);
      expect({ node, settled, pending: settled ? [] : await notReadyReasons(plane.client, [...rendered, ...ignored]) }).toEqual({ node, settled: true, pending: [] });
    }
    timings.drainEveryNodeMs = Date.now() - started;
    record('drain(min)', minima);
    for (const key of [...rendered, ...ignored].filter((workload) => USER_FACING.includes(workload.name)).map(keyOf)) {
      expect({ key, atLeastOneReady: minima[key] >= 1 }).toEqual({ key, atLeastOneReady: true });
    }
  });

  test(`loses zone ${LOST_ZONE}: every service is back to its minimum in the other zones within the RTO; without nodeTaintsPolicy web and api are not`, async () => {
    const before = await readyPodNodes(plane.client, [...rendered, ...ignored]);
    const lostBefore = (workload: Workload) => before[keyOf(workload)].filter((node) => LOST_NODES.includes(node)).length;
    const started = Date.now();
    await setHeartbeats(plane.client, LOST_NODES, false);
    // The node lifecycle controller (real) marks the silent nodes Ready=Unknown and taints them unreachable:NoSchedule.
    await waitFor(`the node lifecycle controller to mark ${LOST_NODES.join(', ')} unreachable`, async () => {
      const states = await Promise.all(LOST_NODES.map((node) => nodeState(plane.client, node)));
      return states.every((state) => state.ready === 'Unknown' && state.taints.includes('node.kubernetes.io/unreachable:NoSchedule'));
    }, { timeoutMs: 180_000, intervalMs: 1000 });
    timings.unreachableAfterMs = Date.now() - started;
    // Then (its tainter, rate-limited per zone) unreachable:NoExecute, which evicts the pods once their toleration ends.
    await waitFor(`the node lifecycle controller to taint ${LOST_NODES.join(', ')} unreachable:NoExecute`, async () => {
      const states = await Promise.all(LOST_NODES.map((node) => nodeState(plane.client, node)));
      return states.every((state) => state.taints.includes('node.kubernetes.io/unreachable:NoExecute'));
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    timings.noExecuteAfterMs = Date.now() - started;
    // The outage outlasts the pods' toleration: the taint manager deletes every pod of the lost zone (its
    // StatefulSet pods then wait, Terminating, for their node). A zone back sooner would find pods the node
    // lifecycle controller marked NotReady and KWOK, unlike a kubelet, never marks Ready again.
    let notEvicted: string[] = [];
    await waitFor(`the taint manager to evict every pod of ${LOST_ZONE}`, async () => (notEvicted = await podsNotEvicted(plane.client, LOST_NODES)).length === 0, { timeoutMs: 120_000, intervalMs: 1000 }).catch((error: Error) => {
      throw new Error(`${error.message}: still there: ${notEvicted.join(', ')}`);
    });
    timings.evictedAfterMs = Date.now() - started;
    const expected = new Map(rendered.map((workload) => [keyOf(workload), expectedAfterZoneLoss(workload, lostBefore(workload))]));
    const recoveredAt: Record<string, number> = {};
    await waitFor('every workload to be back to its minimum outside the lost zone', async () => {
      const counts = await readyCounts(plane.client, rendered);
      for (const workload of rendered) {
        if (recoveredAt[keyOf(workload)] === undefined && counts[keyOf(workload)] >= (expected.get(keyOf(workload)) ?? 0)) {
          recoveredAt[keyOf(workload)] = Date.now() - started;
        }
      }
      return Object.keys(recoveredAt).length === rendered.length;
    }, { timeoutMs: 300_000, intervalMs: 1000 }).catch(() => undefined);
    record('zone-lost', await readyCounts(plane.client, [...rendered, ...ignored]));
    record('expected', Object.fromEntries(expected));
    // Only a Deployment that lost pods needs new ones; a store's survivors serve by failover (docs/disaster-recovery.md: measured there with the real servers).
    const estimates = Object.fromEntries(rendered.map((workload) => {
      const measured = recoveredAt[keyOf(workload)];
      if (lostBefore(workload) === 0) {
        return [keyOf(workload), 'none lost'];
      }
      if (workload.kind !== 'Deployment') {
        return [keyOf(workload), 'failover'];
      }
      return [keyOf(workload), measured === undefined ? 'never' : Math.round(measured / 1000) + REAL_EXTRA_SECONDS + workload.startupSeconds];
    }));
    record('real-RTO-s', estimates);
    const late = Object.entries(estimates).filter(([, seconds]) => seconds === 'never' || (typeof seconds === 'number' && seconds > RTO_SECONDS));
    expect({ late, pending: late.length > 0 ? await notReadyReasons(plane.client, rendered) : [] }).toEqual({ late: [], pending: [] });
    // Before the fix: the spread still counts the lost zone's nodes, so web's and api's replacement pods never schedule.
    for (const name of ['web', 'api']) {
      const workload = ignored.find((candidate) => candidate.name === name) as Workload;
      await waitFor(`${keyOf(workload)} to be refused for the topology spread`, () => isUnschedulableFor(plane.client, workload, ['untolerated taint {node.kubernetes.io/unreachable', "didn't match pod topology spread constraints"]), { timeoutMs: 60_000 });
      expect((await readyCounts(plane.client, [workload]))[keyOf(workload)]).toBeLessThan(workload.replicas);
    }
  });

  test(`zone ${LOST_ZONE} comes back: every workload, stores included, returns to all its replicas`, async () => {
    const started = Date.now();
    await setHeartbeats(plane.client, LOST_NODES, true);
    // The node lifecycle controller sees the leases renewed, marks the nodes Ready and lifts its taints.
    await waitFor(`the node lifecycle controller to lift the taints of ${LOST_NODES.join(', ')}`, async () => {
      const states = await Promise.all(LOST_NODES.map((node) => nodeState(plane.client, node)));
      return states.every((state) => state.ready === 'True' && !state.taints.some((taint) => taint.startsWith('node.kubernetes.io/')));
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    timings.zoneBackAfterMs = Date.now() - started;
    const settled = await waitUntilSettled(plane.client, [...rendered, ...ignored], 240_000, reportKubeletStandIn);
    timings.recoveryMs = Date.now() - started;
    record('recovered', await readyCounts(plane.client, [...rendered, ...ignored]));
    expect({ settled, pending: settled ? [] : await notReadyReasons(plane.client, [...rendered, ...ignored]), kwok: settled ? '' : kwokLog() }).toEqual({ settled: true, pending: [], kwok: '' });
  });

  test('every autoscaler at its maximum with a release of every service in flight fits the quota and the node pool at its maximum', async () => {
    // Only the rendered environment from here: the copy's namespace is removed, as the cluster autoscaler adds the pool's other nodes.
    await plane.client.request('DELETE', `/api/v1/namespaces/${IGNORED}`);
    const extraNodes = poolNodes({ ...POOL, perZone: production.nodePool.maxNodesPerZone }).filter((node) => !poolNodes(POOL).some((existing) => existing.metadata.name === node.metadata.name));
    for (const node of extraNodes) {
      expect((await plane.client.request('POST', '/api/v1/nodes', node)).status).toBe(201);
    }
    const maxima = await scaleToMaxima(plane.client, NAMESPACE);
    // A release in flight: each Rollout with traffic routing or blue-green runs three full sets (the new one,
    // and the two it replaces during their scale-down delay: back-to-back releases); each Deployment, and the
    // stand-in of a canary without traffic routing (the generator), holds its surge (maxSurge) while the new
    // pods wait out a minReadySeconds they cannot reach.
    const releaseSets: KubeObject[] = [];
    for (const object of environment.objects.filter((candidate) => candidate.kind === 'Deployment' && (candidate.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels[ROLLOUT_HASH_LABEL])) {
      const spec = object.spec as { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> } } };
      for (const release of ['release-1', 'release-2']) {
        const labels = { ...spec.template.metadata.labels, [ROLLOUT_HASH_LABEL]: release };
        releaseSets.push({ ...object, metadata: { ...object.metadata, name: `${object.metadata.name}-${release}` }, spec: { ...spec, replicas: maxima[`Deployment/${object.metadata.name}`], selector: { matchLabels: { ...spec.selector.matchLabels, [ROLLOUT_HASH_LABEL]: release } }, template: { ...spec.template, metadata: { ...spec.template.metadata, labels } } } });
      }
    }
    for (const set of releaseSets) {
      const response = await plane.client.apply(set, { dryRun: false, fieldManager: 'failure-domains' });
      expect({ set: set.metadata.name, status: response.status < 300 ? 'ok' : statusMessage(response) }).toEqual({ set: set.metadata.name, status: 'ok' });
    }
    const rolling = rendered.filter((workload) => workload.kind === 'Deployment' && !workload.matchLabels[ROLLOUT_HASH_LABEL] && !workload.name.endsWith('-pooler'));
    for (const workload of rolling) {
      const patch = { spec: { minReadySeconds: 3600, progressDeadlineSeconds: 7200, template: { metadata: { annotations: { 'generator-platform.dev/release': 'in-flight' } } } } };
      const response = await plane.client.request('PATCH', `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${workload.name}`, patch, 'application/merge-patch+json');
      expect(response.status).toBe(200);
    }
    const atMaximum = [
      ...rendered.map((workload) => ({ ...workload, replicas: maxima[`Deployment/${workload.name}`] ?? workload.replicas })),
      ...workloadsOf(releaseSets),
    ];
    const started = Date.now();
    const settled = await waitUntilSettled(plane.client, atMaximum, 300_000, reportKubeletStandIn);
    timings.scaleToMaximaMs = Date.now() - started;
    const usage = await quotaUsage(plane.client, NAMESPACE);
    timings.quotaAtMaxima = Object.entries(usage).map(([resource, { used, hard }]) => `${resource} ${used}/${hard}`).join(', ');
    record('at-max', await readyCounts(plane.client, atMaximum));
    expect({ settled, refused: await replicaFailures(plane.client, NAMESPACE), pending: settled ? [] : await notReadyReasons(plane.client, atMaximum), kwok: settled ? '' : kwokLog() }).toEqual({ settled: true, refused: [], pending: [], kwok: '' });
  });
});
