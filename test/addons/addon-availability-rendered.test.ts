import * as fs from 'fs';
import * as path from 'path';
import { renderAllEnvironments } from '../../synth/render';
import { RenderAddonsResult, objectsOf, renderAddons, writeRenderedAddons } from '../../tools/addons/render-addons';
import { labelSelectorMatches } from '../../tools/validation/label-selector';
import { ValidationResult, validateDirectory } from '../../tools/validation/validate-directory';
import { tempDirsRemovedAfterAll } from '../support/files';

/**
 * The operators, webhooks and ingress controller the platform cannot run without, as Argo CD
 * renders them (`helm template` / `kustomize build` of the pinned sources with the Applications
 * of a freshly synthesized dist/), checked for what keeps each one serving through the loss of a
 * node or a zone: enough replicas, a PodDisruptionBudget that lets one pod go at a time, and a
 * spread over hosts and zones.
 */
const makeTempDir = tempDirsRemovedAfterAll();

/** Deployments (and StatefulSets) by add-on Application, with the replicas each needs. */
const COMPONENTS: readonly { readonly addon: string; readonly workloads: readonly string[]; readonly minReplicas: number }[] = [
  { addon: 'ingress-nginx', workloads: ['ingress-nginx-controller'], minReplicas: 3 },
  { addon: 'kyverno', workloads: ['kyverno-admission-controller'], minReplicas: 3 },
  { addon: 'kyverno', workloads: ['kyverno-background-controller', 'kyverno-cleanup-controller', 'kyverno-reports-controller'], minReplicas: 2 },
  { addon: 'cert-manager', workloads: ['cert-manager', 'cert-manager-webhook', 'cert-manager-cainjector'], minReplicas: 2 },
  { addon: 'external-secrets', workloads: ['external-secrets', 'external-secrets-webhook', 'external-secrets-cert-controller'], minReplicas: 2 },
  { addon: 'keda', workloads: ['keda-operator', 'keda-operator-metrics-apiserver', 'keda-admission-webhooks'], minReplicas: 2 },
  { addon: 'argo-rollouts', workloads: ['argo-rollouts'], minReplicas: 2 },
  { addon: 'cloudnative-pg', workloads: ['cnpg-controller-manager'], minReplicas: 2 },
  { addon: 'rabbitmq-cluster-operator', workloads: ['rabbitmq-cluster-operator'], minReplicas: 2 },
  { addon: 'rabbitmq-messaging-topology-operator', workloads: ['messaging-topology-operator'], minReplicas: 2 },
  { addon: 'reloader', workloads: ['reloader-reloader'], minReplicas: 2 },
  { addon: 'kube-prometheus-stack', workloads: ['kube-prometheus-stack-operator'], minReplicas: 2 },
  { addon: 'grafana', workloads: ['grafana'], minReplicas: 2 },
  { addon: 'loki', workloads: ['loki-write', 'loki-read', 'loki-backend'], minReplicas: 3 },
];

const NO_BUDGET = 'no PodDisruptionBudget that lets one pod go';
const NO_HOST_SPREAD = 'not kept apart on hosts';
const NO_ZONE_SPREAD = 'not spread over zones (DoNotSchedule, nodeTaintsPolicy Honor)';
const tooFew = (replicas: number, needed: number) => `${replicas} replica(s), needs ${needed}`;

/**
 * What cannot be had from values (docs/gitops.md, "Add-on availability"); anything else missing
 * fails, and so does a gap listed here that is closed (then remove it).
 */
const KNOWN_GAPS: Readonly<Record<string, readonly string[]>> = {
  // A release manifest Argo CD applies as a directory: no value or patch reaches it.
  'cnpg-controller-manager': [tooFew(1, 2), NO_BUDGET, NO_HOST_SPREAD, NO_ZONE_SPREAD],
  // The chart writes `replicas: 1` and the operator elects no leader; its webhooks fail open.
  'kube-prometheus-stack-operator': [tooFew(1, 2), NO_BUDGET, NO_HOST_SPREAD, NO_ZONE_SPREAD],
  // Sessions and users live in a per-pod SQLite file: Grafana's HA needs a shared database.
  'grafana': [tooFew(1, 2), NO_BUDGET, NO_HOST_SPREAD, NO_ZONE_SPREAD],
  // Kustomizations: a patch sets replicas and spread but cannot add a PodDisruptionBudget.
  'argo-rollouts': [NO_BUDGET],
  'rabbitmq-cluster-operator': [NO_BUDGET],
  'messaging-topology-operator': [NO_BUDGET],
};

let dist: string;
let rendered: RenderAddonsResult;
let gate: ValidationResult;

beforeAll(async () => {
  dist = makeTempDir('availability-dist-');
  for (const [file, content] of renderAllEnvironments()) {
    fs.mkdirSync(path.dirname(path.join(dist, file)), { recursive: true });
    fs.writeFileSync(path.join(dist, file), content);
  }
  rendered = await renderAddons(dist);
  const dir = makeTempDir('availability-gate-');
  fs.cpSync(dist, dir, { recursive: true });
  writeRenderedAddons(dir, rendered.addons);
  gate = await validateDirectory(dir);
}, 600_000);

const parsed = new Map<string, any[]>();

function objectsOfAddon(cluster: string, addon: string): any[] {
  const found = rendered.addons.find((candidate) => candidate.application.cluster === cluster && candidate.application.name === addon);
  if (!found) {
    throw new Error(`add-on ${addon} was not rendered for ${cluster}`);
  }
  if (!parsed.has(found.yaml)) {
    parsed.set(found.yaml, objectsOf(found.yaml));
  }
  return parsed.get(found.yaml)!;
}

/** Pods that disruption may take at once under a budget, for `replicas` pods. */
function allowedDisruptions(budget: any, replicas: number): number {
  const count = (value: number | string) => (typeof value === 'number' ? value : Math.floor((replicas * parseInt(value, 10)) / 100));
  return budget.spec.maxUnavailable !== undefined ? count(budget.spec.maxUnavailable) : replicas - count(budget.spec.minAvailable);
}

/** What a workload lacks to keep serving through a node's or a zone's loss. */
function gapsOf(objects: readonly any[], workload: any, minReplicas: number, multiZone: boolean): string[] {
  const labels: Record<string, string> = workload.spec.template.metadata.labels;
  const autoscaler = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === workload.metadata.name);
  const replicas: number = workload.spec.replicas ?? autoscaler?.spec.minReplicas ?? 1;
  const pod = workload.spec.template.spec;
  const selects = (selector: unknown) => selector !== undefined && labelSelectorMatches(selector, labels);
  const strictSpread = (key: string) =>
    (pod.topologySpreadConstraints ?? []).some((c: any) => c.topologyKey === key && c.whenUnsatisfiable === 'DoNotSchedule' && c.nodeTaintsPolicy === 'Honor' && selects(c.labelSelector));
  const apart = (key: string) => (pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).some((t: any) => t.topologyKey === key && selects(t.labelSelector));
  const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget' && selects(o.spec.selector));
  return [
    ...(replicas < minReplicas ? [tooFew(replicas, minReplicas)] : []),
    ...(budgets.some((b) => allowedDisruptions(b, replicas) >= 1) ? [] : [NO_BUDGET]),
    ...(strictSpread('kubernetes.io/hostname') || apart('kubernetes.io/hostname') ? [] : [NO_HOST_SPREAD]),
    ...(!multiZone || strictSpread('topology.kubernetes.io/zone') ? [] : [NO_ZONE_SPREAD]),
  ];
}

/** The gaps of every listed workload of `cluster`, judged as for a cluster over several zones, by workload. */
function clusterGaps(cluster: string, components = COMPONENTS): Record<string, string[]> {
  const gaps: Record<string, string[]> = {};
  for (const { addon, workloads, minReplicas } of components) {
    const objects = objectsOfAddon(cluster, addon);
    for (const name of workloads) {
      const workload = objects.find((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === name);
      if (!workload) {
        throw new Error(`${cluster}: add-on ${addon} renders no workload ${name}`);
      }
      const found = gapsOf(objects, workload, minReplicas, true);
      if (found.length > 0) {
        gaps[name] = found;
      }
    }
  }
  return gaps;
}

test("before: the charts' defaults, which every cluster ran until now and development still runs, fail every check", () => {
  const beforeComponents = COMPONENTS.filter((component) => component.addon !== 'loki');
  const allGaps = (minReplicas: number) => [tooFew(1, minReplicas), NO_BUDGET, NO_HOST_SPREAD, NO_ZONE_SPREAD];
  const expected = Object.fromEntries(beforeComponents.flatMap(({ workloads, minReplicas }) => workloads.map((name) => [name, allGaps(minReplicas)])));
  expect(clusterGaps('development', beforeComponents)).toEqual(expected);
  expect(Object.keys(expected)).toHaveLength(21);
});

describe.each(['staging', 'production'])('the add-ons of %s (three zones)', (cluster) => {
  test('every listed component has its replicas, a budget that lets one pod go, and a strict spread over hosts and zones, but for the known gaps', () => {
    expect(clusterGaps(cluster)).toEqual(KNOWN_GAPS);
  });

  test('ingress-nginx scales on CPU alone from 3 to 9 pods, and its Deployment leaves the count to the autoscaler', () => {
    const objects = objectsOfAddon(cluster, 'ingress-nginx');
    const autoscaler = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(autoscaler.spec).toMatchObject({ minReplicas: 3, maxReplicas: 9, metrics: [{ resource: { name: 'cpu' } }] });
    expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'ingress-nginx-controller').spec.replicas).toBeUndefined();
  });

  test('the controllers that elect a leader only when told to are told to: External Secrets and its cert controller, Reloader', () => {
    const argsOf = (addon: string, name: string) => objectsOfAddon(cluster, addon).find((o) => o.kind === 'Deployment' && o.metadata.name === name).spec.template.spec.containers[0].args;
    expect(argsOf('external-secrets', 'external-secrets')).toContain('--enable-leader-election=true');
    expect(argsOf('external-secrets', 'external-secrets-cert-controller')).toContain('--enable-leader-election=true');
    expect(argsOf('reloader', 'reloader-reloader')).toContain('--enable-ha=true');
  });
});

test('development keeps one copy of each (one zone, no SLO), so no budget blocks a drain', () => {
  const budgets = rendered.addons.filter((addon) => addon.application.cluster === 'development').flatMap((addon) => objectsOf(addon.yaml).filter((o) => o.kind === 'PodDisruptionBudget'));
  expect(budgets.map((b: any) => b.metadata.name)).toEqual([]);
});

test('the gate passes over the synthesized dist/ plus every rendered add-on (schemas, ADDON-PROJECT-PERMITS for the budgets and autoscaler)', () => {
  expect(gate.findings).toEqual([]);
  expect(gate.environments).toEqual(expect.arrayContaining(['addon-ingress-nginx-production+staging', 'addon-kyverno-production+staging', 'addon-ingress-nginx-development']));
});
