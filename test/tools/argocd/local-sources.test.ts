import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { ArgoCdObject, ArgoCdSource, argoCdClusters, argoCdObjects, argoCdSources, isTemplatedRevision, sourceReposOf } from '../../../tools/argocd/argocd-sources';
import { helm } from '../../../tools/argocd/local-helm-repositories';
import { LocalSources } from '../../../tools/argocd/local-sources';
import { runProgram } from '../../../tools/addons/run-program';
import { PLATFORM_REPOSITORY } from '../../../lib/gitops/repository';
import { JsonObject } from '../../../tools/validation/manifest';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIST = path.join(ROOT, 'dist');
const LOCAL_URL = /^(git|http):\/\/127\.0\.0\.1:\d+\//;

let sources: LocalSources;
let work: string;
const memo = new Map<string, Promise<string>>();
/** Each fetch or pull once per run, whichever cluster asks first. */
const once = (key: string, run: () => Promise<string>): Promise<string> => memo.get(key) ?? memo.set(key, run()).get(key)!;

/** The commit `revision` names in the served repository, fetched as Argo CD does (`git fetch <url> <revision>`) into a scratch repository. */
function fetchRevision(url: string, revision: string): Promise<string> {
  return once(`git ${url} ${revision}`, async () => {
    const dir = fs.mkdtempSync(path.join(work, 'fetch-'));
    await runProgram('git', ['init', '--bare', '--quiet', dir], 'git init');
    await runProgram('git', ['-C', dir, 'fetch', '--quiet', '--depth=1', url, revision], `git fetch ${url} ${revision}`);
    return `${dir} ${(await runProgram('git', ['-C', dir, 'rev-parse', 'FETCH_HEAD'], 'git rev-parse')).trim()}`;
  });
}

/** `helm pull --repo` of a chart version: the chart's own Chart.yaml (name and version) from the package. */
function pullChart(url: string, chart: string, version: string): Promise<string> {
  return once(`helm ${url} ${chart} ${version}`, async () => {
    const dir = fs.mkdtempSync(path.join(work, 'pull-'));
    await helm(['pull', '--repo', url, chart, '--version', version, '--destination', dir], path.join(work, 'helm-home'), `helm pull --repo ${url} ${chart} --version ${version}`);
    return helm(['show', 'chart', path.join(dir, `${chart}-${version}.tgz`)], path.join(work, 'helm-home'), `helm show chart ${chart}`);
  });
}

/** Why a Git source does not resolve (its revision cannot be fetched, or its path is not there), or undefined. */
async function gitSourceProblem(source: ArgoCdSource): Promise<string | undefined> {
  // A preview's `{{head_sha}}` is a pull request's head commit: here the served working-tree commit.
  const revision = isTemplatedRevision(source.targetRevision) ? sources.platformCommit : source.targetRevision;
  try {
    const [dir, commit] = (await fetchRevision(source.repoURL, revision)).split(' ');
    await runProgram('git', ['-C', dir, 'cat-file', '-e', `${commit}:${source.path ?? ''}`], `git cat-file -e ${revision}:${source.path}`);
    return undefined;
  } catch (error) {
    return `${source.owner}: ${source.repoURL} ${revision} path ${source.path}: ${(error as Error).message}`;
  }
}

/** Why a Helm source does not resolve (no such chart version, or the package holds another chart), or undefined. */
async function helmSourceProblem({ owner, repoURL, chart, targetRevision }: ArgoCdSource): Promise<string | undefined> {
  try {
    const chartFile = parse(await pullChart(repoURL, chart ?? '', targetRevision)) as { name: string; version: string };
    return chartFile.name === chart && chartFile.version === targetRevision ? undefined : `${owner}: the package holds ${chartFile.name} ${chartFile.version}`;
  } catch (error) {
    return `${owner}: ${(error as Error).message}`;
  }
}

function rewritten(objects: readonly ArgoCdObject[]): ArgoCdObject[] {
  const bodies = sources.rewrite(objects.map((object) => object.body));
  return objects.map((object, index) => ({ ...object, body: bodies[index] }));
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'local-sources-test-'));
  const started = Date.now();
  sources = await LocalSources.start({ repositoryRoot: ROOT });
  process.stdout.write(`LocalSources started in ${Date.now() - started} ms: ${sources.served.map((source) => `${source.upstream} -> ${source.local}`).join(', ')}\n`);
}, 120_000);

afterAll(async () => {
  await sources?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe.each(argoCdClusters(DIST))('dist/argocd/%s, served on loopback', (cluster) => {
  const objects = argoCdObjects(DIST, [cluster]);

  test('after rewrite every Application and ApplicationSet source and every AppProject sourceRepos entry is a local server, and the objects read from dist/ are not modified', () => {
    const before = JSON.stringify(objects);
    const local = rewritten(objects);
    const remote = [
      ...argoCdSources(local).filter((source) => !LOCAL_URL.test(source.repoURL)).map((source) => `${source.owner}: ${source.repoURL}`),
      ...local.flatMap((object) => sourceReposOf(object.body).filter((url) => !LOCAL_URL.test(url)).map((url) => `AppProject ${String((object.body.metadata as JsonObject).name)}: ${url}`)),
    ];
    expect(remote).toEqual([]);
    expect(argoCdSources(local).length).toBeGreaterThan(0);
    expect(JSON.stringify(objects)).toBe(before);
  });

  test('every Git source resolves: its revision is fetched and its path exists there', async () => {
    const problems = await Promise.all(argoCdSources(rewritten(objects)).filter((source) => source.chart === undefined).map(gitSourceProblem));
    expect(problems.filter(Boolean)).toEqual([]);
  });

  test('every Helm source resolves: helm pull --repo gets the chart at its version', async () => {
    const problems = await Promise.all(argoCdSources(rewritten(objects)).filter((source) => source.chart !== undefined).map(helmSourceProblem));
    expect(problems.filter(Boolean)).toEqual([]);
  });
});

describe('LocalSources', () => {
  test('serves the working tree as it is now: every file of dist/argocd at the branch the root Applications follow is the file on disk', async () => {
    const root = argoCdSources(argoCdObjects(DIST)).find((source) => source.path === `dist/argocd/${argoCdClusters(DIST)[0]}`)!;
    const [dir, commit] = (await fetchRevision(sources.gitUrl(root.repoURL), root.targetRevision)).split(' ');
    const served = (await runProgram('git', ['-C', dir, 'ls-tree', '-r', commit, '--', 'dist/argocd'], 'git ls-tree'))
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/))
      .map(([, , blob, file]) => `${file} ${blob}`);
    const files = served.map((entry) => entry.split(' ')[0]);
    const onDisk = (await runProgram('git', ['hash-object', ...files.map((file) => path.join(ROOT, file))], 'git hash-object')).trim().split('\n');
    expect(served).toEqual(files.map((file, index) => `${file} ${onDisk[index]}`));
    expect(files.length).toBeGreaterThan(0);
  });

  test('the checks fail for a revision or path the repository lacks and for a chart version it does not publish', async () => {
    const [rollouts, certManager] = ['argo-rollouts', 'cert-manager'].map(
      (name) => argoCdSources(rewritten(argoCdObjects(DIST, [argoCdClusters(DIST)[0]]))).find((source) => source.owner.startsWith(`Application ${name} `))!,
    );
    expect(await gitSourceProblem({ ...rollouts, path: 'manifests/no-such-folder' })).toMatch(/v1\.6\.6 path manifests\/no-such-folder: git cat-file/);
    expect(await gitSourceProblem({ ...rollouts, targetRevision: 'v0.0.0' })).toMatch(/v0\.0\.0 path manifests\/cluster-install: git fetch .* failed/);
    expect(await helmSourceProblem({ ...certManager, targetRevision: 'v0.0.0' })).toMatch(/cert-manager.*v0\.0\.0.*not found/);
  });

  test('rewrite fails naming every repoURL that no local server serves', () => {
    const stray = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'stray' }, spec: { source: { repoURL: 'https://example.com/acme/other.git', path: '.', targetRevision: 'main' } } };
    const project = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'p' }, spec: { sourceRepos: ['*', 'https://charts.example.com'] } };
    expect(() => sources.rewrite([stray, project])).toThrow('no local server serves https://charts.example.com, https://example.com/acme/other.git');
  });

  test('each upstream Helm repository is served on its own: a chart is not found at a repository that does not publish it', async () => {
    const grafana = argoCdSources(argoCdObjects(DIST)).find((source) => source.chart === 'grafana')!;
    const jetstack = sources.served.find((source) => source.kind === 'helm' && source.contents.some((chart) => chart.startsWith('cert-manager ')))!;
    await expect(helm(['pull', '--repo', jetstack.local, 'grafana', '--version', grafana.targetRevision, '--destination', work], path.join(work, 'helm-home'), 'helm pull')).rejects.toThrow(
      /grafana.*not found/,
    );
  });
  test('publish moves main to a commit of the given files on top of the served tree, or of a given parent, as a merge would', async () => {
    const url = sources.gitUrl(PLATFORM_REPOSITORY.url);
    const first = await sources.publish({ 'dist/argocd/first.md': 'first\n' }, 'first merge');
    const second = await sources.publish({ 'dist/argocd/second.md': 'second\n' }, 'second merge', first);
    const dir = fs.mkdtempSync(path.join(work, 'published-'));
    await runProgram('git', ['init', '--bare', '--quiet', dir], 'git init');
    await runProgram('git', ['-C', dir, 'fetch', '--quiet', url, 'main'], `git fetch ${url} main`);
    const git = async (...args: string[]) => (await runProgram('git', ['-C', dir, ...args], `git ${args.join(' ')}`)).trim();
    expect(await git('rev-parse', 'FETCH_HEAD')).toBe(second);
    expect(await git('rev-parse', `${second}^`)).toBe(first);
    expect(await git('rev-parse', `${first}^`)).toBe(sources.platformCommit);
    expect([await git('show', `${second}:dist/argocd/first.md`), await git('show', `${second}:dist/argocd/second.md`)]).toEqual(['first', 'second']);
    // Everything else is the served tree, unchanged.
    expect(await git('diff', '--name-only', sources.platformCommit, second)).toBe('dist/argocd/first.md\ndist/argocd/second.md');
  });
});
