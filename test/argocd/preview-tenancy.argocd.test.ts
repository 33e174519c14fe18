import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { preview } from '../../lib/config/environments/preview';
import { KUSTOMIZATION_FILE } from '../../synth/render';
import { PROJECT_ROOT } from '../../tools/addons/addon-lock';
import { ArgoCd } from '../../tools/argocd/argo-cd';
import { ARGOCD_NAMESPACE } from '../../tools/argocd/argocd-config';
import { kustomizeBinaryDir } from '../../tools/argocd/kustomize-binary';
import { LocalSources } from '../../tools/argocd/local-sources';
import { SimulatedControllers } from '../../tools/argocd/simulated-controllers';
import { ControlPlane } from '../../tools/cluster/control-plane';
import { fillInPullRequest } from '../../tools/cluster/deployment-units';
import { poolNodes } from '../../tools/cluster/failure-drills';
import { KubeObject, statusMessage } from '../../tools/cluster/kube-client';
import { waitFor } from '../../tools/cluster/managed-process';
import { readObjects } from '../../tools/cluster/simulated-environment';

/**
 * Issue 16, item 4, and issue 17, item 3: the preview of an application pull request on the
 * development cluster, synced by a real Argo CD 2.10.18 (application controller, repo server with
 * kustomize 5.2.1) into a real Kubernetes 1.27.16 (scheduler, controllers, KWOK nodes of the
 * development node pool), from this repository's main served by `git daemon`, with the images of
 * that pull request's build. The Applications are what the two ApplicationSets make for one pull
 * request (the ApplicationSet controller, which asks GitHub for pull requests, does not run).
 * Controllers that do not run here have their status written for them (SimulatedControllers,
 * listed in the output; External Secrets' included, which waits for the preview's Password
 * generator as the real one does). The test then merges to main what the preview project must refuse.
 */

const FIELD_MANAGER = 'preview-tenancy-test';
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const log = (line: string) => console.log(`[${elapsed()}] ${line}`);

let sources: LocalSources;
let plane: ControlPlane;
let argo: ArgoCd;
let controllers: SimulatedControllers;
let argoObjects: KubeObject[];

interface ApplicationStatus {
  readonly sync?: { readonly status?: string; readonly revision?: string };
  readonly health?: { readonly status?: string; readonly message?: string };
  readonly reconciledAt?: string;
  readonly history?: readonly unknown[];
  readonly operationState?: {
    readonly phase?: string;
    readonly message?: string;
    readonly syncResult?: { readonly resources?: readonly { readonly kind: string; readonly name: string; readonly status?: string; readonly message?: string; readonly hookType?: string; readonly hookPhase?: string }[] };
  };
  readonly conditions?: readonly { readonly type: string; readonly message: string }[];
  readonly resources?: readonly { readonly kind: string; readonly name: string; readonly namespace?: string; readonly health?: { readonly status?: string; readonly message?: string } }[];
}

async function apply(object: KubeObject): Promise<void> {
  const response = await plane.client.apply(object, { dryRun: false, fieldManager: FIELD_MANAGER });
  if (response.status >= 300) {
    throw new Error(`${object.kind} ${object.metadata.name} was refused: ${statusMessage(response)}`);
  }
}

async function applicationStatus(name: string): Promise<ApplicationStatus> {
  const response = await plane.client.request('GET', `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications/${name}`);
  return (response.body as { status?: ApplicationStatus }).status ?? {};
}

/** The head commit of application pull request 42, as the pull-request generator reports it (its CI pushed images tagged with it). */
const APPLICATION_HEAD_SHA = '0123456789abcdef0123456789abcdef01234567';

/** The Application the named ApplicationSet of dist/argocd/development makes for the application's pull request `number` at `headSha`. */
function pullRequestApplication(applicationSet: string, number: string, headSha: string): KubeObject {
  const set = argoObjects.find((object) => object.kind === 'ApplicationSet' && object.metadata.name === applicationSet) as KubeObject & { spec: { template: { metadata: KubeObject['metadata']; spec: unknown } } };
  const template = fillInPullRequest(set.spec.template, number, headSha) as { metadata: KubeObject['metadata']; spec: Record<string, unknown> };
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { ...template.metadata, namespace: ARGOCD_NAMESPACE }, spec: template.spec };
}

/**
 * Argo CD 2.10.18's Server-Side Diff can panic ("invalid memory address or nil pointer dereference"
 * in gitops-engine's removeWebhookMutation when its type parser cannot resolve a kind; argoproj/argo-cd
 * issue 18020, fixed from 2.11), which fails that sync with phase Error; it hit one run of this test.
 * A person would press Sync again: so does the test, counted and printed, never for any other error.
 */
let argoCdPanicsResynced = 0;
async function syncAgainAfterArgoCdPanic(name: string, status: ApplicationStatus): Promise<void> {
  if (status.operationState?.phase !== 'Error' || !(status.operationState.message ?? '').includes('nil pointer dereference')) {
    return;
  }
  argoCdPanicsResynced += 1;
  log(`${name}: Argo CD 2.10.18 panicked in Server-Side Diff (issue 18020): syncing again (${argoCdPanicsResynced})`);
  const sync = { operation: { initiatedBy: { username: 'preview-tenancy-test' }, sync: { revision: status.sync?.revision, syncOptions: ['ServerSideApply=true'] } } };
  await plane.client.request('PATCH', `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications/${name}`, sync, 'application/merge-patch+json');
}

/** Waits until `check` holds for the Application's status; the error shows its last status and the controller's log. */
async function waitForApplication(name: string, what: string, check: (status: ApplicationStatus) => boolean, timeoutMs = 300_000): Promise<ApplicationStatus> {
  let last: ApplicationStatus = {};
  await waitFor(`Application ${name} ${what}`, async () => {
    last = await applicationStatus(name);
    await syncAgainAfterArgoCdPanic(name, last);
    return check(last);
  }, { timeoutMs, intervalMs: 1000 }).catch(async (error: Error) => {
    const unhealthy = (last.resources ?? []).filter((resource) => resource.health && resource.health.status !== 'Healthy').map((resource) => `${resource.kind}/${resource.name}: ${resource.health?.status} ${resource.health?.message ?? ''}`);
    const pending = (last.operationState?.syncResult?.resources ?? []).filter((resource) => resource.status !== 'Synced' || (resource.hookPhase && resource.hookPhase !== 'Succeeded')).map((resource) => `${resource.kind}/${resource.name}: ${resource.status} ${resource.hookPhase ?? ''} ${resource.message ?? ''}`);
    const events = await plane.client.request('GET', '/api/v1/events?limit=500');
    const warnings = ((events.body as { items?: { type: string; reason: string; message: string; involvedObject: { kind: string; name: string } }[] }).items ?? []).filter((event) => event.type === 'Warning').slice(-15).map((event) => `${event.involvedObject.kind}/${event.involvedObject.name} ${event.reason}: ${event.message}`);
    throw new Error(`${error.message}\nsync ${last.sync?.status}, health ${last.health?.status}, operation ${last.operationState?.phase}: ${last.operationState?.message}\nconditions: ${JSON.stringify(last.conditions)}\nnot healthy: ${unhealthy.join('; ')}\nsync tasks not done: ${pending.join('; ')}\nwarning events: ${warnings.join('\n  ')}\n${argo.logTails(3)}`);
  });
  return last;
}

const isSettled = (status: ApplicationStatus) => status.sync?.status === 'Synced' && status.operationState?.phase === 'Succeeded';

beforeAll(async () => {
  sources = await LocalSources.start({ repositoryRoot: PROJECT_ROOT, clusters: ['development'] });
  log(`sources served: ${sources.served.length}`);
  plane = await ControlPlane.start({ scheduler: true, kwok: true, log });
  for (const node of poolNodes({ ...preview.nodePool, zones: preview.zones, perZone: preview.nodePool.maxNodesPerZone })) {
    await apply(node);
  }
  argo = await ArgoCd.start({ plane, log, repoServerEnv: { PATH: `${kustomizeBinaryDir(log)}:${process.env.PATH}` } });
  controllers = SimulatedControllers.start(plane.client);
  log(`simulated:\n  ${SimulatedControllers.describe().join('\n  ')}`);
  argoObjects = sources.rewrite(readObjects([path.join(PROJECT_ROOT, 'dist', 'argocd', 'development')]));
  for (const project of argoObjects.filter((object) => object.kind === 'AppProject')) {
    await apply(project);
  }
  // What the development cluster's root brought before any preview: the stores and issuers a
  // preview reads through (the status writers hold an ExternalSecret or Certificate until its store
  // or issuer is Ready, as the real controllers do). The whole bootstrap is production-bootstrap's.
  const readThrough = readObjects(['cluster-baseline', 'certificate-authority'].map((folder) => path.join(PROJECT_ROOT, 'dist', 'argocd', 'development', folder)))
    .filter((object) => ['ClusterSecretStore', 'ClusterIssuer'].includes(object.kind));
  for (const object of readThrough) {
    await apply(object);
  }
  log(`applied as the development cluster's root would have: ${readThrough.map((object) => `${object.kind}/${object.metadata.name}`).join(', ')}`);
}, 1_800_000);

afterAll(async () => {
  await controllers?.stop().catch((error: Error) => console.log(error.message));
  await argo?.stop();
  await plane?.stop();
  await sources?.stop();
});

describe('a pull request preview on the development cluster, synced by a real Argo CD', () => {
  test("syncs in its own project from main, with the pull request's images and its passwords generated in its namespace: Synced, Healthy, PostSync hook run, no re-sync loop", async () => {
    const main = sources.platformCommit;
    const namespaceApp = pullRequestApplication('generator-platform-preview-namespaces', '42', APPLICATION_HEAD_SHA);
    await apply(namespaceApp);
    const namespaceStatus = await waitForApplication(namespaceApp.metadata.name ?? '', 'Synced', isSettled);
    log(`${namespaceApp.metadata.name}: Synced`);
    expect(namespaceStatus.sync?.revision).toBe(main);
    const namespace = (await plane.client.request('GET', '/api/v1/namespaces/generator-platform-pr-42')).body as KubeObject & { metadata: { labels: Record<string, string> } };
    expect(namespace.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'generator-platform.dev/environment': 'preview' });

    const previewApp = pullRequestApplication('generator-platform-previews', '42', APPLICATION_HEAD_SHA);
    await apply(previewApp);
    const status = await waitForApplication(previewApp.metadata.name ?? '', 'Synced and Healthy with its PostSync hook run', (candidate) => isSettled(candidate) && candidate.health?.status === 'Healthy');
    log(`${previewApp.metadata.name}: Synced and Healthy; statuses written: ${JSON.stringify(controllers.written)}`);
    expect(status.sync?.revision).toBe(main);
    const deployments = (await plane.client.request('GET', '/apis/apps/v1/namespaces/generator-platform-pr-42/deployments')).body as { items: { metadata: { name: string }; spec: { template: { spec: { containers: { image: string }[] } } } }[] };
    const platformImages = deployments.items.flatMap((deployment) => deployment.spec.template.spec.containers.map((container) => container.image)).filter((image) => image.startsWith('ghcr.io/acme/generator-platform-'));
    expect(new Set(platformImages)).toEqual(new Set(['web', 'api', 'generator'].map((service) => `ghcr.io/acme/generator-platform-${service}:pr-${APPLICATION_HEAD_SHA}`)));
    const passwords = (await plane.client.request('GET', '/apis/generators.external-secrets.io/v1alpha1/namespaces/generator-platform-pr-42/passwords')).body as { items: KubeObject[] };
    expect(passwords.items.map((password) => password.metadata.name)).toEqual(['platform-password']);
    const hooks = (status.operationState?.syncResult?.resources ?? []).filter((resource) => resource.hookType === 'PostSync');
    expect(hooks.map((hook) => `${hook.kind}/${hook.name}: ${hook.hookPhase}`)).toEqual(['Job/redis-bootstrap: Succeeded']);

    // No re-sync loop: over two more reconciliations of the controller, no further sync is started.
    const history = status.history?.length ?? 0;
    let reconciled = status.reconciledAt;
    for (let pass = 0; pass < 2; pass += 1) {
      const before = reconciled;
      await waitForApplication(previewApp.metadata.name ?? '', 'reconciled again', (candidate) => (reconciled = candidate.reconciledAt) !== before, 120_000);
    }
    const after = await applicationStatus(previewApp.metadata.name ?? '');
    expect({ syncs: after.history?.length ?? 0, sync: after.sync?.status }).toEqual({ syncs: history, sync: 'Synced' });
  });

  // A pull request's own manifests are no longer synced (the application repository has none), so
  // the case that matters is a bad merge to main: the previews' project still refuses what no
  // preview may hold, whatever main's dist/preview says (defence in depth).
  test("refuses what main's dist/preview must never hold: a ClusterRole, or a relabelled namespace, is not permitted in the preview project", async () => {
    const kustomizationPath = `dist/preview/${KUSTOMIZATION_FILE}`;
    const kustomization = parse(fs.readFileSync(path.join(PROJECT_ROOT, kustomizationPath), 'utf8')) as { resources: string[] };
    const escape = [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'preview-escape' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'generator-platform-pr-43', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } },
    ];
    const merged = await sources.publish(
      {
        'dist/preview/escape.yaml': escape.map((object) => stringify(object)).join('---\n'),
        [kustomizationPath]: stringify({ ...kustomization, resources: [...kustomization.resources, 'escape.yaml'] }),
      },
      'a bad merge to main: a ClusterRole and a relabelled namespace in dist/preview',
    );
    log(`merged ${merged.slice(0, 12)} to main`);
    // A hard refresh, as the webhook of the merge would ask for: the repo server keeps main's old commit for 3 minutes (--revision-cache-expiration).
    const hardRefresh = (name: string) => plane.client.request('PATCH', `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications/${name}`, { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'hard' } } }, 'application/merge-patch+json');
    await apply(pullRequestApplication('generator-platform-preview-namespaces', '43', APPLICATION_HEAD_SHA));
    await hardRefresh('preview-43-namespace');
    await waitForApplication('preview-43-namespace', 'Synced', isSettled);
    await apply(pullRequestApplication('generator-platform-previews', '43', APPLICATION_HEAD_SHA));
    await hardRefresh('preview-43');
    // Only the merged commit holds these objects: a refusal naming them is main's new dist/preview refused.
    const status = await waitForApplication('preview-43', 'refused', (candidate) =>
      JSON.stringify([candidate.conditions, candidate.operationState?.message, candidate.operationState?.syncResult]).includes('not permitted in project'));
    const messages = JSON.stringify([status.conditions, status.operationState]);
    log(`preview-43: ${status.operationState?.phase}: ${status.operationState?.message}; conditions: ${JSON.stringify(status.conditions)}`);
    expect(messages).toMatch(/ClusterRole[^"]*not permitted in project generator-platform-previews/);
    expect(messages).toMatch(/Namespace[^"]*not permitted in project generator-platform-previews/);
    expect((await plane.client.request('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/preview-escape')).status).toBe(404);
    const namespace = (await plane.client.request('GET', '/api/v1/namespaces/generator-platform-pr-43')).body as { metadata: { labels: Record<string, string> } };
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});
