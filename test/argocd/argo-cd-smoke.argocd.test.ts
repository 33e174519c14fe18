import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ArgoCd } from '../../tools/argocd/argo-cd';
import { ARGOCD_NAMESPACE } from '../../tools/argocd/argocd-config';
import { ControlPlane } from '../../tools/cluster/control-plane';
import { KubeObject, statusMessage } from '../../tools/cluster/kube-client';
import { freePort, ManagedProcess, processGroupAlive, waitFor } from '../../tools/cluster/managed-process';

/**
 * The harness itself: a real Argo CD 2.10.18 (application controller + repo server + redis) next to
 * a real Kubernetes 1.27.16 control plane syncs one ConfigMap from a git repository served by
 * `git daemon` on loopback, reports Synced and Healthy, and heals a deletion.
 */
let plane: ControlPlane;
let argo: ArgoCd;
let gitDaemon: ManagedProcess;
let scratch: string;
let repoUrl: string;

const FIELD_MANAGER = 'argo-cd-smoke-test';
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

function git(args: readonly string[], cwd: string): string {
  const result = spawnSync('git', ['-c', 'user.name=smoke', '-c', 'user.email=smoke@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  }
  return result.stdout;
}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'argo-cd-smoke-'));
  const repo = path.join(scratch, 'repos', 'smoke');
  fs.mkdirSync(path.join(repo, 'manifests'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'manifests', 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: smoke\ndata:\n  synced-by: argo-cd\n');
  git(['init', '--quiet'], repo);
  git(['add', '.'], repo);
  git(['commit', '--quiet', '-m', 'one ConfigMap'], repo);
  const port = await freePort();
  gitDaemon = new ManagedProcess('git-daemon', 'git', ['daemon', '--export-all', '--reuseaddr', '--informative-errors', `--base-path=${path.join(scratch, 'repos')}`, '--listen=127.0.0.1', `--port=${port}`], path.join(scratch, 'git-daemon.log'));
  repoUrl = `git://127.0.0.1:${port}/smoke`;
  await waitFor(`git daemon serving ${repoUrl}`, async () => spawnSync('git', ['ls-remote', repoUrl], { encoding: 'utf8' }).status === 0, { timeoutMs: 30_000, intervalMs: 200, process: gitDaemon });

  const log = (line: string) => console.log(`[${elapsed()}] ${line}`);
  plane = await ControlPlane.start({ pinnedCrds: false, log });
  argo = await ArgoCd.start({ plane, log });
  log('Argo CD ready');
}, 1_800_000);

afterAll(async () => {
  await argo?.stop();
  await plane?.stop();
  await gitDaemon?.stop();
  if (scratch) {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});

async function create(object: KubeObject): Promise<void> {
  const response = await plane.client.apply(object, { dryRun: false, fieldManager: FIELD_MANAGER });
  if (response.status >= 300) {
    throw new Error(`${object.kind} ${object.metadata.name} was refused: ${statusMessage(response)}`);
  }
}

interface ApplicationStatus {
  readonly sync?: { readonly status?: string; readonly revision?: string };
  readonly health?: { readonly status?: string };
  readonly operationState?: { readonly phase?: string; readonly message?: string };
  readonly conditions?: readonly { readonly type: string; readonly message: string }[];
}

async function applicationStatus(): Promise<ApplicationStatus> {
  const response = await plane.client.request('GET', `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications/smoke`);
  return ((response.body as { status?: ApplicationStatus }).status ?? {});
}

async function configMap(): Promise<{ status: number; data?: Record<string, string> }> {
  const response = await plane.client.request('GET', '/api/v1/namespaces/smoke/configmaps/smoke');
  return { status: response.status, data: (response.body as { data?: Record<string, string> }).data };
}

describe('a real Argo CD 2.10.18 on loopback (tools/argocd/argo-cd.ts)', () => {
  test('syncs an Application from git daemon into the control plane: Synced, Healthy, the ConfigMap exists; a deletion self-heals', async () => {
    await create({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: 'default', namespace: ARGOCD_NAMESPACE },
      spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] },
    });
    await create({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'smoke', namespace: ARGOCD_NAMESPACE },
      spec: {
        project: 'default',
        source: { repoURL: repoUrl, targetRevision: 'main', path: 'manifests' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'smoke' },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
      },
    });
    const applied = Date.now();
    let last: ApplicationStatus = {};
    await waitFor('Application smoke Synced and Healthy with its ConfigMap', async () => {
      last = await applicationStatus();
      return last.sync?.status === 'Synced' && last.health?.status === 'Healthy' && last.operationState?.phase === 'Succeeded' && (await configMap()).status === 200;
    }, { timeoutMs: 180_000, intervalMs: 500 }).catch((error: Error) => {
      throw new Error(`${error.message}\nlast status: ${JSON.stringify(last)}\n${argo.logTails()}`);
    });
    console.log(`[${elapsed()}] Application smoke Synced and Healthy ${((Date.now() - applied) / 1000).toFixed(1)} s after it was created`);
    expect(last.sync?.revision).toBe(git(['rev-parse', 'HEAD'], path.join(scratch, 'repos', 'smoke')).trim());
    expect((await configMap()).data).toEqual({ 'synced-by': 'argo-cd' });

    // The controller watches the cluster: a deleted ConfigMap is drift that selfHeal reverts.
    expect((await plane.client.request('DELETE', '/api/v1/namespaces/smoke/configmaps/smoke')).status).toBe(200);
    const deleted = Date.now();
    await waitFor('the deleted ConfigMap to come back (selfHeal)', async () => (await configMap()).status === 200, { timeoutMs: 120_000, intervalMs: 500 }).catch((error: Error) => {
      throw new Error(`${error.message}\n${argo.logTails()}`);
    });
    console.log(`[${elapsed()}] self-healed ${((Date.now() - deleted) / 1000).toFixed(1)} s after the deletion`);
  });

  test('stop() ends every process it started, also one that crashed before', async () => {
    const groups = argo.processes.map((process) => ({ name: process.name, group: process.processGroup }));
    expect(groups.map((group) => group.name)).toEqual(['redis-server', 'argocd-repo-server', 'argocd-application-controller']);
    process.kill(-argo.processes[0].processGroup, 'SIGKILL');
    await waitFor('redis-server to be gone', async () => argo.processes[0].hasExited, { timeoutMs: 10_000 });
    await argo.stop();
    // The crashed redis-server (SIGKILLed with its watchdog) counts as alive until init reaps it, about 2 s here.
    const alive = () => groups.filter((group) => processGroupAlive(group.group)).map((group) => group.name);
    await waitFor('every process group to be gone', async () => alive().length === 0, { timeoutMs: 10_000 }).catch(() => undefined);
    expect(alive()).toEqual([]);
    expect(fs.existsSync(argo.dir)).toBe(false);
  });
});
