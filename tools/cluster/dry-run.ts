import { ControlPlane } from './control-plane';
import { DeploymentUnit } from './deployment-units';
import { KubeObject, KubeResponse, statusMessage } from './kube-client';
import { waitFor } from './managed-process';
import { podFromTemplate } from './pod-from-template';

/** One rejection or warning of the API server for one object. */
export interface DryRunFinding {
  readonly cluster: string;
  /** The Application (or add-on) that deploys the object. */
  readonly source: string;
  /** `Kind namespace/name`; a Pod made from a template is `Pod ns/<workload>-template-pod (from Kind name)`. */
  readonly object: string;
  readonly verdict: 'rejected' | 'warning';
  readonly message: string;
}

export interface DryRunReport {
  readonly findings: readonly DryRunFinding[];
  /** Objects dry-run, per cluster. */
  readonly objects: Readonly<Record<string, number>>;
  /** Pods made from pod templates and dry-run, per cluster. */
  readonly pods: Readonly<Record<string, number>>;
  /** Templates not turned into a Pod, with the reason. */
  readonly skippedTemplates: readonly string[];
  /** Milliseconds per cluster and step: real set-up, objects, pods. */
  readonly timings: Readonly<Record<string, { readonly setUp: number; readonly objects: number; readonly pods: number }>>;
  readonly milliseconds: number;
}

/**
 * Kinds that must exist for real, besides namespaces and CRDs, before other objects are admitted:
 * a Pod needs its ServiceAccount (ServiceAccount admission), its PriorityClass (Priority) and
 * RuntimeClass, and the LimitRange and ResourceQuota that admission applies to it.
 */
const CREATED_FOR_REAL = ['ServiceAccount', 'PriorityClass', 'RuntimeClass', 'LimitRange', 'ResourceQuota'];
/** Argo CD applies with this field manager (ServerSideApply=true). */
const ARGOCD_FIELD_MANAGER = 'argocd-controller';
const SETUP_FIELD_MANAGER = 'generator-platform-dry-run-setup';

export interface DryRunOptions {
  /** Requests in flight at once. @default 8 */
  readonly concurrency?: number;
  /**
   * CRDs every cluster has before Argo CD syncs anything (Argo CD's own, installed at bootstrap),
   * applied where no unit of the cluster installs a CRD of the same name.
   * @default []
   */
  readonly bootstrapCrds?: readonly KubeObject[];
}

/**
 * Server-side dry-run with strict field validation of every object of every unit, cluster by
 * cluster on one control plane: first the cluster's CRDs and the objects admission depends on
 * (namespaces, service accounts, priority classes, limit ranges, quotas, counted by the quota
 * controller) for real, then every object as Argo CD applies it (server-side apply, dry run), then
 * a Pod from each pod template (dry-run create). Whatever the previous cluster created for real and
 * this one does not have is deleted first, so no cluster passes on another's objects.
 */
export async function dryRunUnits(plane: ControlPlane, units: readonly DeploymentUnit[], options: DryRunOptions = {}): Promise<DryRunReport> {
  const started = Date.now();
  const findings: DryRunFinding[] = [];
  const objects: Record<string, number> = {};
  const pods: Record<string, number> = {};
  const skippedTemplates: string[] = [];
  const timings: Record<string, { setUp: number; objects: number; pods: number }> = {};
  const clusters = [...new Set(units.map((unit) => unit.cluster))];
  let previous: KubeObject[] = [];
  // The API server's answer to each CRD last applied, by name: a CRD unchanged from the previous cluster is not applied again.
  const crdAnswers = new Map<string, KubeResponse>();
  for (const cluster of clusters) {
    const clusterUnits = units.filter((unit) => unit.cluster === cluster);
    let step = Date.now();
    const lap = () => -step + (step = Date.now());
    previous = await setUpCluster(plane, cluster, clusterUnits, previous, options.bootstrapCrds ?? [], crdAnswers, findings);
    const setUp = lap();
    const placed = clusterUnits.flatMap((unit) => unit.objects.filter((object) => !isCrd(object)).map((object) => ({ unit, object: withNamespace(plane, unit, object, findings) }))).filter((entry): entry is { unit: DeploymentUnit; object: KubeObject } => entry.object !== undefined);
    objects[cluster] = placed.length + clusterUnits.flatMap((unit) => unit.objects.filter(isCrd)).length;
    await pool(placed, options.concurrency ?? 8, async ({ unit, object }) => {
      record(findings, unit, describe(object), await plane.client.apply(object, { dryRun: true, fieldManager: ARGOCD_FIELD_MANAGER }));
    });
    const templatePods = placed.flatMap(({ unit, object }) => {
      const made = podFromTemplate(object);
      if (made && 'skipped' in made) {
        skippedTemplates.push(`${cluster}: ${describe(object)}: ${made.skipped}`);
      }
      return made && 'pod' in made ? [{ unit, pod: made.pod, from: `${object.kind} ${object.metadata.name}` }] : [];
    });
    const objectsMs = lap();
    pods[cluster] = templatePods.length;
    await pool(templatePods, options.concurrency ?? 8, async ({ unit, pod, from }) => {
      record(findings, unit, `${describe(pod)} (from ${from})`, await plane.client.dryRunCreate(pod));
    });
    timings[cluster] = { setUp, objects: objectsMs, pods: lap() };
  }
  return { findings, objects, pods, skippedTemplates, timings, milliseconds: Date.now() - started };
}

/**
 * Creates the cluster's CRDs (their write is their check: strict, with warnings recorded),
 * namespaces and admission prerequisites for real, side by side (CRDs take the API server a while
 * to establish; meanwhile the controllers fill in default service accounts and count quotas);
 * first deletes what only the previous cluster had.
 */
async function setUpCluster(plane: ControlPlane, cluster: string, units: readonly DeploymentUnit[], previous: readonly KubeObject[], bootstrapCrds: readonly KubeObject[], crdAnswers: Map<string, KubeResponse>, findings: DryRunFinding[]): Promise<KubeObject[]> {
  const setupUnit: DeploymentUnit = { cluster, source: 'bootstrap: Argo CD, its CRDs, and the namespaces it creates (CreateNamespace=true)', destinationNamespace: 'argocd', objects: [] };
  const installed = units.flatMap((unit) => unit.objects.filter(isCrd).map((object) => ({ unit, object })));
  const crds = [...bootstrapCrds.filter((crd) => !installed.some((entry) => entry.object.metadata.name === crd.metadata.name)).map((object) => ({ unit: setupUnit, object })), ...installed];
  const namespaces = new Map<string, KubeObject>([['argocd', namespace('argocd', {})]]);
  for (const unit of units.filter((candidate) => candidate.createNamespace)) {
    namespaces.set(unit.destinationNamespace, namespace(unit.destinationNamespace, unit.createNamespace!.labels));
  }
  for (const object of units.flatMap((unit) => unit.objects.filter((candidate) => candidate.kind === 'Namespace'))) {
    namespaces.set(object.metadata.name ?? '', object);
  }
  const prerequisites = units.flatMap((unit) => unit.objects.filter((object) => CREATED_FOR_REAL.includes(object.kind)).flatMap((object) => withNamespace(plane, unit, object, []) ?? []));
  const real = [...crds.map((entry) => entry.object), ...namespaces.values(), ...prerequisites];
  const key = (object: KubeObject) => plane.client.pathOf(object);
  const keep = new Set(real.map(key));
  await pool(previous.filter((object) => !keep.has(key(object))), 8, async (object) => void (await plane.client.request('DELETE', key(object))));
  await Promise.all([installCrds(plane, crds, previous, crdAnswers, findings), createPrerequisites(plane, [...namespaces.values()], prerequisites)]);
  return real;
}

/** Writes the CRDs that differ from the previous cluster's; records each one's answer (an unchanged CRD keeps its earlier answer). */
async function installCrds(plane: ControlPlane, crds: readonly { unit: DeploymentUnit; object: KubeObject }[], previous: readonly KubeObject[], crdAnswers: Map<string, KubeResponse>, findings: DryRunFinding[]): Promise<void> {
  const changed = crds.filter((entry) => !previous.some((object) => object.metadata.name === entry.object.metadata.name && JSON.stringify(object) === JSON.stringify(entry.object)));
  const responses = await plane.applyCrds(changed.map((entry) => entry.object));
  changed.forEach((entry, index) => crdAnswers.set(entry.object.metadata.name ?? '', responses[index]));
  for (const { unit, object } of crds) {
    record(findings, unit, describe(object), crdAnswers.get(object.metadata.name ?? '')!);
  }
}

/**
 * Namespaces, then what lives in them (a refusal here shows again in the dry-run, which records
 * it); then waits for each namespace's `default` ServiceAccount (a Pod without serviceAccountName
 * runs as it) and for the quota controller to have counted each ResourceQuota (until then quota
 * admission refuses every Pod).
 */
async function createPrerequisites(plane: ControlPlane, namespaces: readonly KubeObject[], prerequisites: readonly KubeObject[]): Promise<void> {
  for (const batch of [namespaces, prerequisites]) {
    await pool(batch, 8, async (object) => void (await plane.client.apply(object, { dryRun: false, fieldManager: SETUP_FIELD_MANAGER })));
  }
  await pool(namespaces, 8, (object) =>
    waitFor(`the ServiceAccount default in namespace ${object.metadata.name}`, async () => (await plane.client.request('GET', `/api/v1/namespaces/${object.metadata.name}/serviceaccounts/default`)).status === 200, { timeoutMs: 60_000 }),
  );
  await pool(prerequisites.filter((object) => object.kind === 'ResourceQuota'), 8, (quota) =>
    waitFor(`the quota controller to count ${describe(quota)}`, async () => {
      const current = await plane.client.request('GET', plane.client.pathOf(quota));
      return Object.keys((current.body as { status?: { hard?: object } }).status?.hard ?? {}).length > 0;
    }, { timeoutMs: 60_000 }),
  );
}

function isCrd(object: KubeObject): boolean {
  return object.kind === 'CustomResourceDefinition' && object.apiVersion.startsWith('apiextensions.k8s.io/');
}

/** The object with Argo CD's destination namespace filled in where a namespaced object has none; undefined (and a finding) when the server does not serve its kind. */
function withNamespace(plane: ControlPlane, unit: DeploymentUnit, object: KubeObject, findings: DryRunFinding[]): KubeObject | undefined {
  const info = plane.client.resourceOf(object.apiVersion, object.kind);
  if (!info) {
    findings.push({ cluster: unit.cluster, source: unit.source, object: describe(object), verdict: 'rejected', message: `the cluster does not serve ${object.apiVersion} ${object.kind} (no CRD installs it)` });
    return undefined;
  }
  if (info.namespaced && !object.metadata.namespace) {
    return { ...object, metadata: { ...object.metadata, namespace: unit.destinationNamespace } };
  }
  return object;
}

function namespace(name: string, labels: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(Object.keys(labels).length > 0 ? { labels } : {}) } };
}

function describe(object: KubeObject): string {
  return `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
}

function record(findings: DryRunFinding[], unit: DeploymentUnit, object: string, response: KubeResponse): void {
  if (response.status >= 300) {
    findings.push({ cluster: unit.cluster, source: unit.source, object, verdict: 'rejected', message: statusMessage(response) });
  }
  for (const warning of response.warnings) {
    findings.push({ cluster: unit.cluster, source: unit.source, object, verdict: 'warning', message: warning });
  }
}

/** Runs `task` over `items`, at most `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      await task(items[next++]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
