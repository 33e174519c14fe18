import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { production } from '../../lib/config/environments/production';
import { PROJECT_ROOT } from '../../tools/addons/addon-lock';
import { layerBinary } from '../../tools/addons/layer-binaries';
import { ArgoCd } from '../../tools/argocd/argo-cd';
import { SIMULATED_API_SERVICES } from '../../tools/argocd/argocd-config';
import { ApplicationJson, ApplicationTimeline, isDone, projectRefusals, waveOf, whyNotDone } from '../../tools/argocd/application-timeline';
import { kustomizeBinaryDir } from '../../tools/argocd/kustomize-binary';
import { LocalSources } from '../../tools/argocd/local-sources';
import { droppedFields } from '../../tools/argocd/dropped-fields';
import { objectWaveOrder } from '../../tools/argocd/object-wave-order';
import { SimulatedControllers } from '../../tools/argocd/simulated-controllers';
import { SimulatedWebhooks, withWebhookClientConfigIgnored } from '../../tools/argocd/simulated-webhooks';
import { ControlPlane } from '../../tools/cluster/control-plane';
import { poolNodes } from '../../tools/cluster/failure-drills';
import { KubeObject, statusMessage } from '../../tools/cluster/kube-client';
import { readObjects } from '../../tools/cluster/simulated-environment';

/**
 * Issue 16, items 1 to 3: a fresh production cluster comes up from the projects and the root
 * Application alone, applied as docs/gitops.md tells a person to (step 5), synced by a real Argo CD
 * 2.10.18 (application controller; repo server with helm 3.12 and kustomize 5.2.1) into a real
 * Kubernetes 1.27.16 (scheduler, controller manager, KWOK nodes of production's node pool at its
 * minimum), from this repository served by `git daemon` and every add-on from ../shared/addons
 * (git repositories and local Helm repositories). Only repoURLs are rewritten to those servers, in
 * the commit served as `main`, never in dist/. Controllers that do not run here are stood in for
 * and listed in the output. Then, on the running cluster, deliberately broken merges must each
 * make the environment fail with a message that names what broke.
 */

const CLUSTER = 'production';
const ENVIRONMENT_APP = `generator-platform-${production.name}`;
const ROOT_APP = `root-${CLUSTER}`;
const CLUSTER_DIR = `dist/argocd/${CLUSTER}`;
const ENVIRONMENT_DIR = `dist/${production.name}`;
/** A fresh cluster, waves -4 to 1 with every add-on: about 7 minutes here (2 cores). */
const BOOTSTRAP_TIMEOUT_MS = 20 * 60_000;
/**
 * After everything is done, the controller refreshes every Application each `appResyncSeconds`
 * (10 here, 180 in a real install) and self-heals after 2 s: a quiet minute is six comparisons
 * of every Application with Git and with the cluster.
 */
const QUIET_MS = 60_000;

const started = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`);

let sources: LocalSources;
/** The served `main` as bootstrapped: repoURLs rewritten, nothing else. */
let goodCommit: string;
let goodFiles: Record<string, string>;
const report: string[] = [];

const parse = (text: string) => parseAllDocuments(text).map((document) => document.toJS() as KubeObject).filter(Boolean);
const serialize = (objects: readonly object[]) => objects.map((object) => stringify(object)).join('---\n');

/** dist/argocd/<cluster>/*.yaml as the test serves them: sources rewritten to the local servers, webhook clientConfigs left to the stand-in. */
function servedClusterFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const dir = path.join(PROJECT_ROOT, CLUSTER_DIR);
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.yaml'))) {
    const objects = sources.rewrite(parse(fs.readFileSync(path.join(dir, file), 'utf8')));
    files[`${CLUSTER_DIR}/${file}`] = serialize(objects.map((object) => (object.kind === 'Application' ? withWebhookClientConfigIgnored(object) : object)));
  }
  return files;
}

/**
 * An empty cluster with Argo CD: a control plane with KWOK nodes of production's node pool at its
 * minimum, Argo CD, the status writers and the admission-webhook stand-in. `bootstrap()` then
 * applies the projects and the root Application from the served `main`.
 */
class EmptyCluster {
  private constructor(
    public readonly plane: ControlPlane,
    public readonly argo: ArgoCd,
    public readonly controllers: SimulatedControllers,
    public readonly webhooks: SimulatedWebhooks,
    public readonly timeline: ApplicationTimeline,
  ) {}

  public static async start(): Promise<EmptyCluster> {
    const plane = await ControlPlane.start({ scheduler: true, kwok: true, log });
    for (const node of poolNodes({ ...production.nodePool, zones: production.zones, perZone: production.nodePool.minNodesPerZone })) {
      const response = await plane.client.apply(node, { dryRun: false, fieldManager: 'production-bootstrap-test' });
      expect(response.status).toBeLessThan(300);
    }
    // Self-heal waits 5 s, as in a real install (the harness's default is 2 s), so re-syncs count as they would there.
    // Production's projects require a signed tip of main: Argo CD's keyring holds the key LocalSources signs with.
    const argo = await ArgoCd.start({ plane, log, selfHealTimeoutSeconds: 5, gpgPublicKeys: sources.gpgPublicKeys(), repoServerEnv: { PATH: `${kustomizeBinaryDir(log)}:${path.dirname(layerBinary('helm/helm'))}:${process.env.PATH}` } });
    const controllers = SimulatedControllers.start(plane.client);
    const webhooks = await SimulatedWebhooks.start(plane.client);
    return new EmptyCluster(plane, argo, controllers, webhooks, new ApplicationTimeline(plane.client, Date.now(), log));
  }

  /** docs/gitops.md step 5: `kubectl apply -f projects.yaml -f root.yaml`, from `files` (the served main). */
  public async bootstrap(files: Readonly<Record<string, string>>): Promise<void> {
    for (const file of ['projects.yaml', 'root.yaml']) {
      for (const object of parse(files[`${CLUSTER_DIR}/${file}`])) {
        const response = await this.plane.client.apply(object, { dryRun: false, fieldManager: 'kubectl' });
        expect({ object: `${object.kind}/${object.metadata.name}`, status: response.status < 300 ? 'applied' : statusMessage(response) }).toEqual({ object: `${object.kind}/${object.metadata.name}`, status: 'applied' });
      }
    }
  }

  public application(name: string): ApplicationJson | undefined {
    return this.timeline.applications.find((application) => application.metadata.name === name);
  }

  /** Asks Argo CD to compare an Application with Git now (what a webhook would; otherwise it polls). */
  public async refresh(name: string): Promise<void> {
    const response = await this.plane.client.request('PATCH', `/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/${name}`, { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } } }, 'application/merge-patch+json');
    expect({ name, status: response.status < 300 ? 'ok' : statusMessage(response) }).toEqual({ name, status: 'ok' });
  }

  /** Stops everything it started; throws what the stand-ins could not write. */
  public async stop(): Promise<void> {
    const failures: string[] = [];
    for (const stop of [() => this.webhooks.stop(), () => this.controllers.stop(), () => this.argo.stop(), () => this.plane.stop()]) {
      await stop().catch((error: Error) => failures.push(error.message));
    }
    if (failures.length > 0) {
      throw new Error(failures.join('\n'));
    }
  }
}

const SIMULATED = [
  ...SimulatedControllers.describe(),
  ...Object.entries(SIMULATED_API_SERVICES).map(([name, server]) => `APIService ${name}: Healthy in Argo CD's check (${server} does not run)`),
  'admission webhooks: answered by one stand-in that admits everything (SimulatedWebhooks)',
];

beforeAll(async () => {
  sources = await LocalSources.start({ repositoryRoot: PROJECT_ROOT, clusters: [CLUSTER] });
  goodFiles = servedClusterFiles();
  goodCommit = await sources.publish(goodFiles, 'test: repoURLs of dist/argocd served locally');
  log(`simulated:\n  ${SIMULATED.join('\n  ')}`);
}, 10 * 60_000);

afterAll(async () => {
  console.log(report.join('\n'));
  await sources?.stop();
});

/** A newline-free line per unfinished Application, for failure messages. */
const notDone = (timeline: ApplicationTimeline) => timeline.applications.filter((application) => !isDone(application)).map(whyNotDone);

describe(`a fresh ${CLUSTER} cluster from ${CLUSTER_DIR}/projects.yaml and root.yaml alone (real Argo CD 2.10.18 and Kubernetes 1.27.16)`, () => {
  let cluster: EmptyCluster;
  beforeAll(async () => {
    cluster = await EmptyCluster.start();
  }, 10 * 60_000);
  afterAll(async () => {
    if (cluster) {
      report.push(`timeline of each Application (seconds from applying the root):\n  ${cluster.timeline.table().join('\n  ')}`);
      await cluster.stop();
    }
  }, 120_000);

  test('every Application reaches Synced and Healthy, each wave only after the one before; the environment applies its waves in order and runs its PostSync hook; nothing is refused', async () => {
    const bootstrapStarted = Date.now();
    await cluster.bootstrap(goodFiles);
    const expected = [ROOT_APP, ...Object.entries(goodFiles).filter(([file]) => !file.endsWith('/root.yaml')).flatMap(([, text]) => parse(text)).filter((object) => object.kind === 'Application').map((object) => object.metadata.name as string)].sort();
    await cluster.timeline.until('every Application to be Synced and Healthy', (applications) => applications.length === expected.length && applications.every(isDone), BOOTSTRAP_TIMEOUT_MS);
    report.push(`bootstrap: every Application done ${((Date.now() - bootstrapStarted) / 1000).toFixed(0)} s after the root was applied`);

    expect(cluster.timeline.applications.map((application) => application.metadata.name).sort()).toEqual(expected);
    expect(cluster.timeline.waveOrderViolations).toEqual([]);
    expect(cluster.timeline.applications.flatMap(projectRefusals)).toEqual([]);

    // Inside the environment: waves in order, on this first sync of every object.
    await cluster.plane.client.discover();
    const rendered = readObjects([path.join(PROJECT_ROOT, ENVIRONMENT_DIR)]);
    const order = await objectWaveOrder(cluster.plane.client, rendered);
    report.push(`${ENVIRONMENT_APP} waves: ${order.waves.map((wave) => `${wave.wave}: ${wave.objects} objects created ${wave.firstCreated.slice(11, 19)}-${wave.lastCreated.slice(11, 19)}`).join('; ')}`);
    expect({ missing: order.missing, violations: order.violations }).toEqual({ missing: [], violations: [] });
    expect(order.waves.map((wave) => wave.wave)).toEqual([-1, 0, 1, 2]);

    // Every field of Git is in the cluster: nothing the API server dropped (Argo CD would call it Synced all the same).
    expect(await droppedFields(cluster.plane.client, rendered)).toEqual([]);

    // Its PostSync hook (the Redis cluster bootstrap Job) ran and succeeded.
    const hooks = (cluster.application(ENVIRONMENT_APP)?.status?.operationState?.syncResult?.resources ?? []).filter((resource) => resource.hookType);
    expect(hooks.map((hook) => `${hook.hookType} ${hook.kind}/${hook.name}: ${hook.hookPhase}`)).toEqual(['PostSync Job/redis-bootstrap: Succeeded']);
  }, BOOTSTRAP_TIMEOUT_MS + 60_000);

  test(`no Application keeps re-syncing: ${QUIET_MS / 1000} s with nothing changed bring no sync (every Application compared each 10 s)`, async () => {
    const before = await cluster.argo.syncCounts();
    report.push(`sync operations during the bootstrap (<application> <phase>: count): ${JSON.stringify(before)}`);
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    await cluster.timeline.poll();
    const after = await cluster.argo.syncCounts();
    const resynced = Object.entries(after).filter(([key, count]) => count !== (before[key] ?? 0)).map(([key, count]) => `${key}: ${before[key] ?? 0} -> ${count}`);
    expect({ resynced, notDone: notDone(cluster.timeline) }).toEqual({ resynced: [], notDone: [] });
    expect({ webhooks: cluster.webhooks.errors, controllers: cluster.controllers.errors }).toEqual({ webhooks: [], controllers: [] });
  }, QUIET_MS + 60_000);

  describe('a broken merge to main fails in the environment with a message that names it; reverting it heals', () => {
    /** The environment's files with `edit` applied to every object (in place); only the files it changed. */
    const edited = (edit: (object: KubeObject) => boolean): Record<string, string> => {
      const changed: Record<string, string> = {};
      const dir = path.join(PROJECT_ROOT, ENVIRONMENT_DIR);
      for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')) {
        const objects = parse(fs.readFileSync(path.join(dir, file), 'utf8'));
        if (objects.map(edit).some(Boolean)) {
          changed[`${ENVIRONMENT_DIR}/${file}`] = serialize(objects);
        }
      }
      return changed;
    };

    /** Merges `files` on top of the bootstrapped commit and waits until the environment, at that commit, shows `expected`; returns its line. */
    async function mergeBroken(what: string, files: Record<string, string>, expected: RegExp): Promise<string> {
      const commit = await sources.publish(files, `broken on purpose: ${what}`, goodCommit);
      log(`merged ${commit.slice(0, 12)}: ${what}`);
      await cluster.refresh(ENVIRONMENT_APP);
      let seen = '';
      await cluster.timeline.until(`the environment to fail for ${what}`, () => {
        const application = cluster.application(ENVIRONMENT_APP);
        seen = application ? whyNotDone(application) : '';
        return application?.status?.sync?.revision === commit && expected.test(seen);
      }, 5 * 60_000);
      log(`failed as it must: ${seen}`);
      return seen;
    }

    /**
     * The bootstrapped tree back on main (a new commit), and the environment done again at it. A
     * sync that retries a broken commit keeps running (retry: 5, backoff up to 5 min), and after it
     * is terminated, automated sync does not start again for a tree that is already synced. So the
     * environment's Application is deleted (it has no resources finalizer: its objects stay) and the
     * root, self-healing, creates it again from main, as it would after anyone deleted it.
     */
    async function revert(): Promise<void> {
      const commit = await sources.publish({}, 'revert', goodCommit);
      const response = await cluster.plane.client.request('DELETE', `/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/${ENVIRONMENT_APP}`);
      expect({ deleted: response.status }).toEqual({ deleted: 200 });
      await cluster.refresh(ROOT_APP);
      log(`reverted to ${commit.slice(0, 12)}; ${ENVIRONMENT_APP} deleted for the root to create it again`);
      await cluster.timeline.until('the environment to be created again by the root and done at the revert', () => {
        const application = cluster.application(ENVIRONMENT_APP);
        return application !== undefined && isDone(application) && application.status?.sync?.revision === commit;
      }, 5 * 60_000);
    }

    test("a cluster-scoped kind in the environment (a ClusterRole) is refused by the environment's AppProject, naming the kind and the project", async () => {
      const clusterRole = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'generator-platform-reads-secrets' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }] };
      const seen = await mergeBroken('a ClusterRole in the environment', { [`${ENVIRONMENT_DIR}/cluster-role.yaml`]: serialize([clusterRole]) }, /not permitted/);
      expect(seen).toContain(`rbac.authorization.k8s.io:ClusterRole is not permitted in project ${ENVIRONMENT_APP}`);
      await revert();
    }, 12 * 60_000);

    test('a field the API server drops (nodeTaintsPolicy on the CloudNativePG Cluster, whose schema lacks it): Argo CD calls the environment Synced, the test names the object and the field', async () => {
      const files = edited((object) => {
        if (object.kind !== 'Cluster' || object.apiVersion !== 'postgresql.cnpg.io/v1') {
          return false;
        }
        const spec = object.spec as { topologySpreadConstraints?: Record<string, unknown>[] };
        spec.topologySpreadConstraints = (spec.topologySpreadConstraints ?? []).map((constraint) => ({ ...constraint, nodeTaintsPolicy: 'Honor' }));
        return spec.topologySpreadConstraints.length > 0;
      });
      expect(Object.keys(files)).toHaveLength(1);
      const commit = await sources.publish(files, 'broken on purpose: nodeTaintsPolicy on the CloudNativePG Cluster', goodCommit);
      log(`merged ${commit.slice(0, 12)}: nodeTaintsPolicy on the CloudNativePG Cluster`);
      await cluster.refresh(ENVIRONMENT_APP);
      // Argo CD 2.10.18 with Server-Side Diff: the dry-run apply prunes the unknown field from the
      // predicted state as well, so (after a passing comparison error) the environment is Synced at the
      // broken commit and nothing is applied: the setting in Git silently does nothing.
      await cluster.timeline.until('the environment to be compared at the broken commit', () => {
        const application = cluster.application(ENVIRONMENT_APP);
        return application?.status?.sync?.revision === commit && application.status.sync.status !== undefined && application.status.sync.status !== 'Unknown';
      }, 5 * 60_000);
      const rendered = Object.values(files).flatMap(parse);
      const dropped = await droppedFields(cluster.plane.client, rendered);
      log(`dropped by the API server, unseen by Argo CD (${whyNotDone(cluster.application(ENVIRONMENT_APP)!)}): ${dropped.join('; ')}`);
      expect(dropped).toEqual(['Cluster generator-platform/postgres: spec.topologySpreadConstraints[0].nodeTaintsPolicy']);
      await revert();
    }, 12 * 60_000);
  });
});

describe(`a fresh ${CLUSTER} cluster whose environment Application comes in a wave before the cluster baseline that brings its namespace and secret store`, () => {
  let cluster: EmptyCluster;
  beforeAll(async () => {
    cluster = await EmptyCluster.start();
  }, 10 * 60_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  test(`the root stops at that wave, and the environment names what it lacks (${ENVIRONMENT_APP} moved from wave 1 to -2)`, async () => {
    const file = `${CLUSTER_DIR}/environments.yaml`;
    const moved = parse(goodFiles[file]).map((object) => (object.metadata.name === ENVIRONMENT_APP ? { ...object, metadata: { ...object.metadata, annotations: { ...(object.metadata.annotations as Record<string, string>), 'argocd.argoproj.io/sync-wave': '-2' } } } : object));
    const files = { ...goodFiles, [file]: serialize(moved) };
    await sources.publish(files, 'broken on purpose: the environment before its secret store', goodCommit);
    await cluster.bootstrap(files);
    let seen = '';
    await cluster.timeline.until('the environment to fail for its missing namespace or secret store', () => {
      const application = cluster.application(ENVIRONMENT_APP);
      seen = application ? whyNotDone(application) : '';
      return /namespaces? "generator-platform" not found|ClusterSecretStore "vault-production" does not exist/.test(seen);
    }, 10 * 60_000);
    log(`failed as it must: ${seen}`);
    expect(seen).toMatch(new RegExp(`^${ENVIRONMENT_APP} \\[wave -2\\]: `));
    // Every other Application of wave -2 gets done; the root then waits for the environment alone, at
    // wave -2, and never creates the cluster baseline (wave -1) that would bring what it lacks.
    await cluster.timeline.until('every other Application of wave -2 to be done', (applications) => {
      const others = applications.filter((application) => waveOf(application) === -2 && application.metadata.name !== ENVIRONMENT_APP);
      return others.length > 0 && others.every(isDone);
    }, 10 * 60_000);
    log(`the root stopped at wave -2: ${whyNotDone(cluster.application(ROOT_APP)!, 3)}`);
    expect(cluster.application('cluster-baseline')).toBeUndefined();
    expect(isDone(cluster.application(ENVIRONMENT_APP)!)).toBe(false);
  }, 20 * 60_000);
});
