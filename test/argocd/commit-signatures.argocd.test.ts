import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { production } from '../../lib/config/environments/production';
import { PROJECT_ROOT } from '../../tools/addons/addon-lock';
import { ArgoCd } from '../../tools/argocd/argo-cd';
import { ARGOCD_NAMESPACE } from '../../tools/argocd/argocd-config';
import { LocalSources } from '../../tools/argocd/local-sources';
import { ThrowawaySigningKey } from '../../tools/argocd/signing-key';
import { ControlPlane } from '../../tools/cluster/control-plane';
import { KubeObject, statusMessage } from '../../tools/cluster/kube-client';
import { waitFor } from '../../tools/cluster/managed-process';
import { readObjects } from '../../tools/cluster/simulated-environment';

/**
 * Issue 17, item 6: production deploys only commits signed by a listed key. A real Argo CD 2.10.18
 * (repo server with GnuPG, as in a real install) and a real Kubernetes 1.27.16 control plane; the
 * project is production's `generator-platform-production` exactly as dist/argocd/production renders
 * it, except that its signatureKeys name the throwaway key this run signs with (the real signers'
 * private keys are on their hardware keys) and its repository is served on loopback. The
 * Application is production's own, pointed at a folder with one ConfigMap that each commit changes,
 * so that what it syncs is seen at once. Every merge lands on top of the last: production keeps
 * running the last signed state until a listed key signs a new tip.
 */

const ENVIRONMENT_APP = `generator-platform-${production.name}`;
const PROBE_FOLDER = 'test-fixtures/commit-signatures';
const FIELD_MANAGER = 'commit-signatures-test';
const started = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`);

let sources: LocalSources;
let plane: ControlPlane;
let argo: ArgoCd;
let keyDir: string;
/** In Argo CD's keyring (argocd-gpg-keys-cm), not in the project: e.g. a staging signer, or a revoked key not yet removed from the keyring. */
let unlistedKey: ThrowawaySigningKey;
/** Unknown to Argo CD: e.g. a contributor's own key. */
let unknownKey: ThrowawaySigningKey;
let environmentApplication: KubeObject;
let tip: string;

interface ApplicationStatus {
  readonly sync?: { readonly status?: string; readonly revision?: string };
  readonly operationState?: { readonly phase?: string; readonly message?: string; readonly operation?: { readonly sync?: { readonly revision?: string } } };
  readonly conditions?: readonly { readonly type: string; readonly message: string }[];
}

async function apply(object: KubeObject): Promise<void> {
  const response = await plane.client.apply(object, { dryRun: false, fieldManager: FIELD_MANAGER });
  if (response.status >= 300) {
    throw new Error(`${object.kind} ${object.metadata.name} was refused: ${statusMessage(response)}`);
  }
}

const applicationPath = `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications/${ENVIRONMENT_APP}`;

async function applicationStatus(): Promise<ApplicationStatus> {
  const response = await plane.client.request('GET', applicationPath);
  return response.status === 200 ? ((response.body as { status?: ApplicationStatus }).status ?? {}) : {};
}

/** What production runs: the probe ConfigMap's `commit`, or undefined while it does not exist. */
async function running(): Promise<string | undefined> {
  const response = await plane.client.request('GET', `/api/v1/namespaces/${production.namespace}/configmaps/signature-probe`);
  return response.status === 200 ? (response.body as { data: Record<string, string> }).data.commit : undefined;
}

/** A merge to main on top of the last one, signed by `signedBy` (null: unsigned), whose probe ConfigMap names `what`. */
async function merge(what: string, signedBy: ThrowawaySigningKey | null): Promise<string> {
  const probe = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'signature-probe', namespace: production.namespace }, data: { commit: what } };
  tip = await sources.publish({ [`${PROBE_FOLDER}/configmap.yaml`]: stringify(probe) }, `test: ${what}`, tip, signedBy);
  log(`merged ${tip.slice(0, 12)}: ${what}`);
  return tip;
}

/**
 * Production's Application made anew (as the root, self-healing, would after anyone deleted it):
 * an Application whose sync failed keeps retrying that commit (retry 5, backoff to 5 min), so each
 * case starts from a fresh one; it has no resources finalizer, so what it synced stays.
 */
async function recreateApplication(): Promise<void> {
  await plane.client.request('DELETE', applicationPath);
  await waitFor('the old Application to be gone', async () => (await plane.client.request('GET', applicationPath)).status === 404, { timeoutMs: 60_000 });
  await apply(environmentApplication);
}

/** Waits until the Application has compared `revision` and `check` holds; the error shows its last status and the repo server's log. */
async function waitForApplication(revision: string, what: string, check: (status: ApplicationStatus) => boolean): Promise<ApplicationStatus> {
  let last: ApplicationStatus = {};
  await waitFor(`${ENVIRONMENT_APP} at ${revision.slice(0, 12)} ${what}`, async () => {
    last = await applicationStatus();
    return last.sync?.revision === revision && check(last);
  }, { timeoutMs: 180_000, intervalMs: 1000 }).catch((error: Error) => {
    throw new Error(`${error.message}\nsync ${JSON.stringify(last.sync)}, operation ${last.operationState?.phase}: ${last.operationState?.message}\nconditions: ${JSON.stringify(last.conditions)}\n${argo.logTails(8)}`);
  });
  return last;
}

/**
 * Refused: the comparison carries Argo CD's message, and the automated sync of that commit failed
 * with it (`ComparisonError: <message>`; phase Running while it waits to retry, Error after the last retry).
 */
async function expectRefused(revision: string, message: string): Promise<void> {
  const status = await waitForApplication(revision, 'refused', (candidate) =>
    (candidate.conditions ?? []).some((condition) => condition.type === 'ComparisonError' && condition.message === message)
    && candidate.operationState?.operation?.sync?.revision === revision && (candidate.operationState.message ?? '').includes(`ComparisonError: ${message}`));
  log(`refused: ${status.operationState?.phase}: ${status.operationState?.message}`);
  expect(['Running', 'Error']).toContain(status.operationState?.phase);
  expect(status.sync?.status).toBe('OutOfSync');
}

beforeAll(async () => {
  sources = await LocalSources.start({ repositoryRoot: PROJECT_ROOT, clusters: ['production'] });
  tip = sources.platformCommit;
  keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'commit-signatures-keys-'));
  unlistedKey = await ThrowawaySigningKey.create(path.join(keyDir, 'unlisted'), 'unlisted-signer');
  unknownKey = await ThrowawaySigningKey.create(path.join(keyDir, 'unknown'), 'unknown-signer');
  log(`keys: listed ${sources.signingKey.keyId}, in the keyring but not listed ${unlistedKey.keyId}, unknown to Argo CD ${unknownKey.keyId}`);
  plane = await ControlPlane.start({ pinnedCrds: false, log });
  argo = await ArgoCd.start({ plane, log, gpgPublicKeys: sources.gpgPublicKeys([sources.signingKey, unlistedKey]) });

  const clusterDir = path.join(PROJECT_ROOT, 'dist', 'argocd', 'production');
  const argoObjects = sources.rewrite(readObjects([clusterDir]));
  const project = argoObjects.find((object) => object.kind === 'AppProject' && object.metadata.name === ENVIRONMENT_APP);
  // dist/ as rendered requires the signers of lib/config/commit-signers.yaml; the rewrite put the throwaway key in their place.
  expect((project?.spec as { signatureKeys?: unknown })?.signatureKeys).toEqual([{ keyID: sources.signingKey.keyId }]);
  const application = argoObjects.find((object) => object.kind === 'Application' && object.metadata.name === ENVIRONMENT_APP)!;
  const spec = application.spec as { source: { path: string } };
  environmentApplication = { ...application, spec: { ...spec, source: { ...spec.source, path: PROBE_FOLDER } } };
  // The namespace, as the cluster baseline brings it a wave earlier.
  const namespace = readObjects([path.join(clusterDir, 'cluster-baseline')]).find((object) => object.kind === 'Namespace' && object.metadata.name === production.namespace)!;
  for (const object of [namespace, project!]) {
    await apply(object);
  }
}, 1_800_000);

afterAll(async () => {
  await argo?.stop();
  await plane?.stop();
  await sources?.stop();
  await unlistedKey?.stop();
  await unknownKey?.stop();
  if (keyDir) {
    fs.rmSync(keyDir, { recursive: true, force: true });
  }
});

describe("production's project accepts only commits signed by a listed key (real Argo CD 2.10.18)", () => {
  test('a commit signed by a listed key syncs', async () => {
    const commit = await merge('signed by a listed key', sources.signingKey);
    await apply(environmentApplication);
    await waitForApplication(commit, 'Synced', (status) => status.sync?.status === 'Synced' && status.operationState?.phase === 'Succeeded');
    expect(await running()).toBe('signed by a listed key');
  });

  test('an unsigned commit is refused, naming it; production keeps running the last signed one', async () => {
    const commit = await merge('unsigned', null);
    await recreateApplication();
    await expectRefused(commit, `Target revision ${commit} in Git is not signed, but a signature is required`);
    expect(await running()).toBe('signed by a listed key');
  });

  test("a commit with a good signature of a key in Argo CD's keyring but not in the project is refused, naming the key", async () => {
    const commit = await merge('signed by a key the project does not list', unlistedKey);
    await recreateApplication();
    await expectRefused(commit, `Found good signature made with EDDSA key ${unlistedKey.keyId}, but this key is not allowed in AppProject`);
    expect(await running()).toBe('signed by a listed key');
  });

  test('a commit signed by a key unknown to Argo CD is refused, naming the key', async () => {
    const commit = await merge('signed by a key Argo CD does not know', unknownKey);
    await recreateApplication();
    await expectRefused(commit, `Found signature made with EDDSA key ${unknownKey.keyId}, but verification result was invalid: 'gpg: Can't check signature: No public key'`);
    expect(await running()).toBe('signed by a listed key');
  });

  test('a listed key signing a new tip on top of the refused ones syncs it (Argo CD verifies the tip only)', async () => {
    const commit = await merge('signed again on top', sources.signingKey);
    await recreateApplication();
    await waitForApplication(commit, 'Synced', (status) => status.sync?.status === 'Synced' && status.operationState?.phase === 'Succeeded' && (status.conditions ?? []).length === 0);
    expect(await running()).toBe('signed again on top');
  });
});
