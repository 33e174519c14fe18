import * as fs from 'fs';
import * as path from 'path';

/**
 * .github/CODEOWNERS: what grants power on the clusters (the Argo CD objects in dist/argocd/, the
 * code that renders them, the checks, the workflow) needs the platform owners' review.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const rules = fs
  .readFileSync(path.join(ROOT, '.github', 'CODEOWNERS'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => {
    const [pattern, ...owners] = line.split(/\s+/);
    return { pattern, owners };
  });

/** GitHub's CODEOWNERS patterns as used here: anchored at the root (`/`), `*` within one segment, a trailing `/` for a whole folder. */
function matches(pattern: string, file: string): boolean {
  const anchored = pattern.replace(/^\//, '');
  const source = anchored
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${source}${anchored.endsWith('/') ? '.*' : ''}$`).test(file);
}

function owners(file: string): string[] {
  // The last matching rule wins, as on GitHub.
  return [...rules].reverse().find((rule) => matches(rule.pattern, file))?.owners ?? [];
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(relative) : [relative];
  });
}

describe('.github/CODEOWNERS', () => {
  test.each([
    'dist/argocd/production/projects.yaml',
    'dist/argocd/development/cluster-baseline/preview.yaml',
    'dist/argocd/development/preview-namespaces.yaml',
    'lib/gitops/platform-project.ts',
    'charts/argocd-chart.ts',
    'charts/cluster-baseline-chart.ts',
    'lib/security/vault-secret-store.ts',
    'addons.lock.json',
    'tools/validation/cross-references/argocd-tenancy.ts',
    '.github/workflows/ci.yml',
    '.github/CODEOWNERS',
    '.ci/run',
  ])('asks the platform owners to review %s', (file) => {
    expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
    expect(owners(file)).toEqual(['@acme/platform-owners']);
  });

  test('leaves the environments and the services to the team (no owner rule matches them)', () => {
    expect(owners('dist/production/web.yaml')).toEqual([]);
    expect(owners('lib/services/web-service.ts')).toEqual([]);
  });

  test('names only paths that exist, so a renamed folder cannot silently lose its review', () => {
    const files = [...filesUnder('dist'), ...filesUnder('lib'), ...filesUnder('charts'), ...filesUnder('tools'), ...filesUnder('.github'), ...filesUnder('.ci'), 'addons.lock.json'];
    expect(rules.filter((rule) => !files.some((file) => matches(rule.pattern, file))).map((rule) => rule.pattern)).toEqual([]);
  });
});
