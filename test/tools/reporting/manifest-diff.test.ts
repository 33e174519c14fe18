import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultBaseRef, git, readRenderedAtRef, readRenderedWorkingTree } from '../../../tools/reporting/git-tree';
import { diffRenders, diffValues, formatDiff } from '../../../tools/reporting/manifest-diff';
import { parseRenderedFile } from '../../../tools/reporting/manifests';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function web(image: string, logLevel: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: generator-platform
spec:
  template:
    spec:
      containers:
        - name: web
          image: ${image}
          env:
            - name: LOG_LEVEL
              value: ${logLevel}
        - name: exporter
          image: exporter:1
`;
}

const CONFIG = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: generator-platform
data:
  mode: fast
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: generator-platform
spec:
  ports:
    - port: 80
`;

/** A repository with two commits of dist/ and a third state in the working tree. */
function repositoryWithHistory(): { dir: string; first: string; second: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rendered-diff-'));
  const write = (file: string, contents: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), contents);
  };
  const run = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  run('init', '-q', '-b', 'main');
  run('config', 'user.email', 'test@example.com');
  run('config', 'user.name', 'test');
  run('config', 'commit.gpgsign', 'false');
  write('dist/production/web.yaml', `${web('ghcr.io/acme/web:1.0.0', 'info')}---\n${CONFIG}`);
  write('dist/staging/web.yaml', web('ghcr.io/acme/web:1.0.0', 'info'));
  write('README.md', 'not rendered\n');
  run('add', '-A');
  run('commit', '-q', '-m', 'first');
  const first = run('rev-parse', 'HEAD');
  write('dist/production/web.yaml', `${web('ghcr.io/acme/web:1.1.0', 'debug')}---\n${SERVICE}`);
  run('add', '-A');
  run('commit', '-q', '-m', 'second');
  const second = run('rev-parse', 'HEAD');
  write('dist/staging/web.yaml', web('ghcr.io/acme/web:1.1.0', 'info'));
  return { dir, first, second };
}

describe('npm run diff', () => {
  let repo: ReturnType<typeof repositoryWithHistory>;
  beforeAll(() => {
    repo = repositoryWithHistory();
  });
  afterAll(() => {
    fs.rmSync(repo.dir, { recursive: true, force: true });
  });

  test('between two commits: per environment, the added and removed objects and each changed field, list items matched by name', () => {
    const diffs = diffRenders(readRenderedAtRef(repo.dir, repo.first, 'dist'), readRenderedAtRef(repo.dir, repo.second, 'dist'));
    expect(diffs).toEqual([{
      environment: 'production',
      added: ['v1 Service generator-platform/web'],
      removed: ['v1 ConfigMap generator-platform/settings'],
      changed: [{
        key: 'apps/v1 Deployment generator-platform/web',
        changes: [
          { path: 'spec.template.spec.containers[web].env[LOG_LEVEL].value', before: 'info', after: 'debug' },
          { path: 'spec.template.spec.containers[web].image', before: 'ghcr.io/acme/web:1.0.0', after: 'ghcr.io/acme/web:1.1.0' },
        ],
      }],
    }]);
    expect(formatDiff(diffs, 'first', 'second')).toBe([
      'rendered diff of dist/: first -> second',
      '',
      '== production: 1 added, 1 removed, 1 changed',
      '+ v1 Service generator-platform/web',
      '- v1 ConfigMap generator-platform/settings',
      '~ apps/v1 Deployment generator-platform/web',
      '    spec.template.spec.containers[web].env[LOG_LEVEL].value: info → debug',
      '    spec.template.spec.containers[web].image: ghcr.io/acme/web:1.0.0 → ghcr.io/acme/web:1.1.0',
    ].join('\n'));
  });

  test('against the working tree, which is the default head', () => {
    const diffs = diffRenders(readRenderedAtRef(repo.dir, 'HEAD', 'dist'), readRenderedWorkingTree(repo.dir, 'dist'));
    expect(diffs.map((d) => [d.environment, d.changed.flatMap((c) => c.changes.map((change) => change.path))])).toEqual([
      ['staging', ['spec.template.spec.containers[web].image']],
    ]);
  });

  test('the base defaults to origin/main when it exists, else to the previous commit', () => {
    expect(defaultBaseRef(repo.dir)).toBe('HEAD~1');
    git(repo.dir, ['update-ref', 'refs/remotes/origin/main', repo.first]);
    expect(defaultBaseRef(repo.dir)).toBe('origin/main');
    git(repo.dir, ['update-ref', '-d', 'refs/remotes/origin/main']);
  });

  test('an unknown ref is a clear error', () => {
    expect(() => readRenderedAtRef(repo.dir, 'origin/nope', 'dist')).toThrow('origin/nope is not a commit');
  });

  test('objects of the same name in two clusters\' Argo CD folders are told apart', () => {
    const project = (cluster: string, description: string) => parseRenderedFile(`argocd/${cluster}/projects.yaml`,
      `apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: generator-platform\n  namespace: argocd\nspec:\n  description: ${description}\n`);
    const diffs = diffRenders([...project('staging', 'a'), ...project('production', 'a')], [...project('staging', 'a'), ...project('production', 'b')]);
    expect(diffs.map((d) => [d.environment, d.changed.map((c) => c.key)])).toEqual([
      ['argocd/production', ['argoproj.io/v1alpha1 AppProject argocd/generator-platform']],
    ]);
  });

  test('lists without names are compared by position; added and removed fields show as absent', () => {
    expect(diffValues({ args: ['a', 'b'], keep: 1 }, { args: ['a', 'c', 'd'], extra: { x: 1 } }, '')).toEqual([
      { path: 'args[1]', before: 'b', after: 'c' },
      { path: 'args[2]', before: undefined, after: 'd' },
      { path: 'extra', before: undefined, after: { x: 1 } },
      { path: 'keep', before: 1, after: undefined },
    ]);
  });

  test('the script prints the diff of the repository it runs in and exits 0', () => {
    const result = spawnSync(process.execPath, ['--import', path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs'), path.join(ROOT, 'scripts', 'diff.ts'), '--base', repo.first, '--head', repo.second], {
      cwd: repo.dir, encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('    spec.template.spec.containers[web].image: ghcr.io/acme/web:1.0.0 → ghcr.io/acme/web:1.1.0');
  }, 60_000);
});
