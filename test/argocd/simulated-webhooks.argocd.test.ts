import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { renderAddons } from '../../tools/addons/render-addons';
import { ArgoCd } from '../../tools/argocd/argo-cd';
import { ARGOCD_NAMESPACE } from '../../tools/argocd/argocd-config';
import { argoCdObjects } from '../../tools/argocd/argocd-sources';
import { LocalGitDaemon } from '../../tools/argocd/local-git-daemon';
import { SimulatedWebhooks, withWebhookClientConfigIgnored } from '../../tools/argocd/simulated-webhooks';
import { ControlPlane } from '../../tools/cluster/control-plane';
import { KubeObject, KubeResponse, statusMessage } from '../../tools/cluster/kube-client';
import { waitFor } from '../../tools/cluster/managed-process';

/**
 * cert-manager's webhook configurations as production's add-on renders them, owned by a real Argo CD
 * 2.10.18 Application with the rendered Application's syncPolicy, on a real Kubernetes 1.27.16 API
 * server: without a webhook server a Certificate is refused naming the webhook; with the stand-in
 * of tools/argocd/simulated-webhooks.ts it is admitted; and with withWebhookClientConfigIgnored the
 * Application stays Synced after the rewrite, also through a sync of a new commit.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');
const CLUSTER = 'production';
const ADDON = 'cert-manager';
const VALIDATING = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';
const MUTATING = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
const APPLICATION = `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications/${ADDON}`;
/** The kinds of the rendered add-on this test serves: what the API server needs to call and route the webhooks. */
const SERVED_KINDS = ['CustomResourceDefinition', 'Service', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'];

let plane: ControlPlane;
let argo: ArgoCd;
let daemon: LocalGitDaemon;
let webhooks: SimulatedWebhooks | undefined;
let scratch: string;
let repository: string;
let servedObjects: KubeObject[];
let renderedApplication: KubeObject & { spec: Record<string, unknown> };

const started = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`);

function git(args: readonly string[]): string {
  const result = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd: repository, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  }
  return result.stdout.trim();
}

/** Commits `objects` as the served add-on and returns the commit. */
function commit(objects: readonly KubeObject[], message: string): string {
  fs.writeFileSync(path.join(repository, 'manifests', `${ADDON}.yaml`), objects.map((object) => stringify(object)).join('---\n'));
  git(['add', '.']);
  git(['commit', '--quiet', '-m', message]);
  return git(['rev-parse', 'HEAD']);
}

beforeAll(async () => {
  const rendered = (await renderAddons(DIST)).addons.find((addon) => addon.application.cluster === CLUSTER && addon.application.name === ADDON);
  if (!rendered) {
    throw new Error(`no add-on Application ${ADDON} in dist/argocd/${CLUSTER}`);
  }
  servedObjects = parseAllDocuments(rendered.yaml)
    .map((document) => document.toJSON() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null && SERVED_KINDS.includes(object.kind));
  const application = argoCdObjects(DIST, [CLUSTER]).find((object) => object.body.kind === 'Application' && (object.body.metadata as { name: string }).name === ADDON);
  renderedApplication = application!.body as unknown as typeof renderedApplication;

  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'simulated-webhooks-test-'));
  repository = path.join(scratch, 'git', ADDON);
  fs.mkdirSync(path.join(repository, 'manifests'), { recursive: true });
  git(['init', '--quiet']);
  commit(servedObjects, `${ADDON} as dist/argocd/${CLUSTER} renders it: ${SERVED_KINDS.join(', ')}`);
  daemon = await LocalGitDaemon.start(path.join(scratch, 'git'), ADDON, scratch);

  plane = await ControlPlane.start({ pinnedCrds: false, log });
  argo = await ArgoCd.start({ plane, log });
  log('Argo CD ready');
  await create({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'default', namespace: ARGOCD_NAMESPACE },
    spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] },
  });
}, 1_800_000);

afterAll(async () => {
  await webhooks?.stop();
  await argo?.stop();
  await plane?.stop();
  await daemon?.stop();
  if (scratch) {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});

async function create(object: KubeObject): Promise<void> {
  const response = await plane.client.apply(object, { dryRun: false, fieldManager: 'simulated-webhooks-test' });
  if (response.status >= 300) {
    throw new Error(`${object.kind} ${object.metadata.name} was refused: ${statusMessage(response)}`);
  }
}

/** The rendered Application (its syncPolicy: automated selfHeal, retry, ServerSideApply) with its source on the local git daemon. */
function applicationFromGit(): KubeObject {
  const spec = { ...renderedApplication.spec };
  delete spec.source; // the Helm chart source: the test serves the rendered objects instead
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: ADDON, namespace: ARGOCD_NAMESPACE },
    spec: { ...spec, project: 'default', source: { repoURL: daemon.urlOf(ADDON), targetRevision: 'main', path: 'manifests' } },
  };
}

interface ApplicationStatus {
  readonly sync?: { readonly status?: string; readonly revision?: string };
  readonly health?: { readonly status?: string };
  readonly operationState?: { readonly phase?: string; readonly message?: string; readonly startedAt?: string };
  readonly resources?: readonly { readonly kind: string; readonly name: string; readonly status?: string }[];
  readonly history?: readonly unknown[];
}

async function applicationStatus(): Promise<ApplicationStatus> {
  return ((await plane.client.request('GET', APPLICATION)).body as { status?: ApplicationStatus }).status ?? {};
}

const settled = (status: ApplicationStatus, revision?: string) =>
  status.sync?.status === 'Synced' && status.health?.status === 'Healthy' && status.operationState?.phase === 'Succeeded' && (revision === undefined || status.sync.revision === revision);

async function waitSettled(what: string, revision?: string): Promise<ApplicationStatus> {
  let last: ApplicationStatus = {};
  await waitFor(what, async () => settled((last = await applicationStatus()), revision), { timeoutMs: 300_000, intervalMs: 500 }).catch((error: Error) => {
    throw new Error(`${error.message}\nlast status: ${JSON.stringify(last)}\n${argo.logTails()}`);
  });
  return last;
}

function certificate(name: string): KubeObject {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name, namespace: 'default' },
    spec: { secretName: name, dnsNames: [`${name}.example.test`], issuerRef: { name: 'test', kind: 'ClusterIssuer' } },
  };
}

async function post(object: KubeObject): Promise<{ response: KubeResponse; ms: number }> {
  const before = Date.now();
  const response = await plane.client.request('POST', plane.client.pathOf(object, false), object);
  return { response, ms: Date.now() - before };
}

async function webhookConfigurations(): Promise<{ kind: string; name: string; clientConfigs: Record<string, unknown>[] }[]> {
  const lists = await Promise.all([VALIDATING, MUTATING].map(async (resource) => (await plane.client.request('GET', resource)).body as { items: { metadata: { name: string }; webhooks: { clientConfig: Record<string, unknown> }[] }[] }));
  return lists.flatMap((list, index) => list.items.map((item) => ({ kind: index === 0 ? 'Validating' : 'Mutating', name: item.metadata.name, clientConfigs: item.webhooks.map((webhook) => webhook.clientConfig) })));
}

describe('stand-ins for admission webhook servers that do not run (tools/argocd/simulated-webhooks.ts)', () => {
  test('without a webhook server, creating a Certificate is refused with a message naming cert-manager\'s webhook', async () => {
    // The Application as the lead's bootstrap would apply it: the clientConfig ignored from its first sync on.
    await create(withWebhookClientConfigIgnored(applicationFromGit()));
    await waitSettled(`Application ${ADDON} Synced and Healthy`);
    await plane.client.discover(); // Argo CD installed the cert-manager.io CRDs
    const configurations = await webhookConfigurations();
    log(`Argo CD installed ${configurations.map((configuration) => `${configuration.kind}WebhookConfiguration ${configuration.name} -> ${JSON.stringify(configuration.clientConfigs)}`).join('; ')}`);
    expect(configurations.map((configuration) => configuration.name)).toEqual(['cert-manager-webhook', 'cert-manager-webhook']);
    expect(configurations.flatMap((configuration) => configuration.clientConfigs).every((clientConfig) => clientConfig.service && !clientConfig.caBundle)).toBe(true);

    const { response, ms } = await post(certificate('refused'));
    log(`Certificate refused after ${ms} ms: ${response.status} ${statusMessage(response)}`);
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(statusMessage(response)).toMatch(/failed calling webhook "webhook\.cert-manager\.io"/);
  });

  test('with the stand-in, a Certificate and a CertificateRequest are admitted, unchanged', async () => {
    webhooks = await SimulatedWebhooks.start(plane.client);
    await waitFor('both configurations pointed at the stand-in', async () => webhooks!.simulated.length === 2, { timeoutMs: 10_000 });
    webhooks.simulated.forEach((line) => log(line));

    const { response, ms } = await post(certificate('admitted'));
    log(`Certificate admitted after ${ms} ms: ${response.status}`);
    expect(response.status).toBe(201);
    expect(webhooks.reviews['/cert-manager/cert-manager-webhook/validate']).toBeGreaterThanOrEqual(1);

    const request = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'CertificateRequest',
      metadata: { name: 'admitted', namespace: 'default' },
      spec: { request: Buffer.from(certificateSigningRequest()).toString('base64'), issuerRef: { name: 'test', kind: 'ClusterIssuer' } },
    };
    const mutated = await post(request);
    expect(mutated.response.status).toBe(201);
    expect(webhooks.reviews['/cert-manager/cert-manager-webhook/mutate']).toBeGreaterThanOrEqual(1);
    expect((mutated.response.body as { spec: typeof request.spec }).spec).toMatchObject(request.spec);
    log(`AdmissionReviews answered: ${JSON.stringify(webhooks.reviews)}`);
  });

  test('withWebhookClientConfigIgnored: the Application stays Synced, starts no sync of its own, and a sync of a new commit keeps the stand-in\'s clientConfig', async () => {
    const first = await waitSettled(`Application ${ADDON} Synced after the rewrite`);
    log(`Synced after the rewrite; rewrites ${JSON.stringify(webhooks!.rewrites)}`);

    // A sync that applies the webhook configurations again (a new annotation on each) must keep the live clientConfig.
    const revision = commit(
      servedObjects.map((object) => (object.kind.endsWith('WebhookConfiguration') ? { ...object, metadata: { ...object.metadata, annotations: { ...(object.metadata.annotations as object), 'test.generator-platform/revision': '2' } } } : object)),
      'annotate the webhook configurations',
    );
    const rewritesBefore = { ...webhooks!.rewrites };
    // A hard refresh, as a Git webhook would ask for: the repo server keeps `main`'s commit for 3 minutes (--revision-cache-expiration).
    await plane.client.request('PATCH', APPLICATION, { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'hard' } } }, 'application/merge-patch+json');
    const synced = await waitSettled(`Application ${ADDON} Synced at ${revision}`, revision);
    const live = (await plane.client.request('GET', `${VALIDATING}/cert-manager-webhook`)).body as { metadata: { annotations?: Record<string, string> }; webhooks: { clientConfig: { url?: string; service?: unknown } }[] };
    expect(live.metadata.annotations?.['test.generator-platform/revision']).toBe('2');
    expect(live.webhooks.map((webhook) => webhook.clientConfig.url)).toEqual([`${webhooks!.url}/cert-manager/cert-manager-webhook/validate`]);
    expect(webhooks!.rewrites).toEqual(rewritesBefore);
    log(`synced ${revision.slice(0, 8)} (history ${first.history?.length} -> ${synced.history?.length}): the webhook configurations kept the stand-in's clientConfig`);

    // Three refresh periods (--app-resync 10 s): no further sync, no rewrite, Synced at every look.
    const operations = new Set<string>();
    const statuses = new Set<string>();
    const watchUntil = Date.now() + 35_000;
    while (Date.now() < watchUntil) {
      const status = await applicationStatus();
      operations.add(status.operationState?.startedAt ?? '');
      statuses.add(`${status.sync?.status}/${status.health?.status}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    log(`35 s after the sync: statuses ${[...statuses].join(', ')}, ${operations.size} operation(s), rewrites ${JSON.stringify(webhooks!.rewrites)}`);
    expect([...statuses]).toEqual(['Synced/Healthy']);
    expect(operations.size).toBe(1);
    expect(webhooks!.rewrites).toEqual(rewritesBefore);
  });

  test('the control: with the rendered syncPolicy alone, selfHeal applies the Service clientConfig again and the API server refuses it', async () => {
    const changed = Date.now();
    await create(applicationFromGit());
    let last: ApplicationStatus = {};
    const refused = /exactly one of url or service is required/;
    await waitFor('selfHeal\'s sync of the webhook configurations to fail', async () => refused.test((last = await applicationStatus()).operationState?.message ?? ''), { timeoutMs: 120_000, intervalMs: 250 }).catch((error: Error) => {
      throw new Error(`${error.message}\nlast status: ${JSON.stringify(last)}`);
    });
    log(`without ignoreDifferences, ${((Date.now() - changed) / 1000).toFixed(1)} s after the change: sync ${last.sync?.status}, operation ${last.operationState?.phase} "${last.operationState?.message}"`);
    expect(last.sync?.status).toBe('OutOfSync');
  });
});

/** A PKCS#10 request for a throwaway key (openssl): what a CertificateRequest carries. */
function certificateSigningRequest(): string {
  const result = spawnSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path.join(scratch, 'request.key'), '-subj', '/CN=admitted.example.test'], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`openssl req failed: ${result.stderr}`);
  }
  return result.stdout;
}
