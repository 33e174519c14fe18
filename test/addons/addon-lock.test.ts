import * as fs from 'fs';
import * as path from 'path';
import { addonApplicationsIn } from '../../tools/addons/addon-applications';
import {
  AddonLock,
  AddonLockEntry,
  defaultAddonMirrorDir,
  lockEntryFor,
  mirrorPathOf,
  PROJECT_ROOT,
  readAddonLock,
  sourceKey,
  treeSha256,
  TreeUse,
  verifiedTree,
} from '../../tools/addons/addon-lock';
import { lockCoverage, lockTreeProblems } from '../../tools/addons/lock-check';
import { tempDirsRemovedAfterAll } from '../support/files';

const makeTempDir = tempDirsRemovedAfterAll();
const lock = readAddonLock();
const applications = addonApplicationsIn(path.join(PROJECT_ROOT, 'dist'));

/** A one-tree lock entry over a folder of `files`, in a mirror of its own. */
function mirrorWith(files: Record<string, string>): { mirrorDir: string; entry: AddonLockEntry } {
  const mirrorDir = makeTempDir('addon-mirror-');
  const tree = { use: TreeUse.CHART, repository: 'https://github.com/example/charts', tag: 'demo-1.0.0', commit: 'a'.repeat(40), path: 'charts/demo', sha256: '' };
  const folder = mirrorPathOf(tree, mirrorDir);
  for (const [relative, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, relative)), { recursive: true });
    fs.writeFileSync(path.join(folder, relative), content);
  }
  const entry = { source: { repoURL: 'https://example.github.io/charts', chart: 'demo', targetRevision: '1.0.0' }, trees: [{ ...tree, sha256: treeSha256(folder) }], verifiedAt: 'test' };
  return { mirrorDir, entry };
}

describe('addons.lock.json', () => {
  test('pins every add-on Application source of dist/argocd, and nothing else', () => {
    expect(applications.length).toBeGreaterThanOrEqual(30);
    expect(lockCoverage(lock, applications)).toEqual({ missing: [], unused: [] });
  });

  test('every tree of the mirror matches its sha256, and its commit the mirror\'s sources.tsv', () => {
    expect(lockTreeProblems(lock, defaultAddonMirrorDir())).toEqual([]);
  });

  test('pins trees by full commit and exact tag, never a branch', () => {
    for (const tree of lock.entries.flatMap((entry) => entry.trees)) {
      expect(tree.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(tree.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(tree.tag).toMatch(/\d+\.\d+\.\d+$/);
    }
  });

  test('reports a source without an entry and an entry no Application uses', () => {
    const [first, ...rest] = lock.entries;
    const withStale: AddonLock = { entries: [...rest, { ...first, source: { ...first.source, targetRevision: '0.0.1' } }] };
    const coverage = lockCoverage(withStale, applications);
    expect(coverage.missing).toEqual([expect.stringMatching(new RegExp(`^${sourceKey(first.source).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(argocd/`))]);
    expect(coverage.unused).toEqual([sourceKey({ ...first.source, targetRevision: '0.0.1' })]);
  });

  test('fails with one line naming the source and the fix when an Application has no entry', () => {
    expect(() => lockEntryFor(lock, { repoURL: 'https://charts.example.com', chart: 'nginx', targetRevision: '1.2.3' })).toThrow(
      /^addons\.lock\.json has no entry for the add-on source https:\/\/charts\.example\.com chart nginx @ 1\.2\.3\. Fix: add one with the upstream repository, tag, commit, path and sha256 of its trees [^\n]*$/,
    );
  });
});

describe('tree checksums', () => {
  test('cover every path and byte of a tree, whatever order the files were written in', () => {
    const { mirrorDir, entry } = mirrorWith({ 'Chart.yaml': 'name: demo\n', 'templates/a.yaml': 'a: 1\n' });
    const folder = mirrorPathOf(entry.trees[0], mirrorDir);
    const reordered = mirrorWith({ 'templates/a.yaml': 'a: 1\n', 'Chart.yaml': 'name: demo\n' });
    expect(treeSha256(mirrorPathOf(reordered.entry.trees[0], reordered.mirrorDir))).toBe(treeSha256(folder));
    const changed = [
      mirrorWith({ 'Chart.yaml': 'name: demo\n', 'templates/a.yaml': 'a: 2\n' }),
      mirrorWith({ 'Chart.yaml': 'name: demo\n', 'templates/b.yaml': 'a: 1\n' }),
      mirrorWith({ 'Chart.yaml': 'name: demo\n', 'templates/a.yaml': 'a: 1\n', 'templates/extra.yaml': '' }),
      mirrorWith({ 'Chart.yaml': 'name: demo\n' }),
    ].map(({ mirrorDir: dir, entry: other }) => treeSha256(mirrorPathOf(other.trees[0], dir)));
    expect(new Set([treeSha256(folder), ...changed]).size).toBe(5);
  });

  test('a tree is used only when its copy matches; a mismatch or a missing copy is one line that says what to do', () => {
    const { mirrorDir, entry } = mirrorWith({ 'Chart.yaml': 'name: demo\n' });
    const tree = entry.trees[0];
    expect(verifiedTree(tree, mirrorDir)).toBe(mirrorPathOf(tree, mirrorDir));
    const tampered = mirrorWith({ 'Chart.yaml': 'name: demo\n' });
    fs.appendFileSync(path.join(mirrorPathOf(tree, tampered.mirrorDir), 'Chart.yaml'), 'version: 6.6.6\n');
    expect(() => verifiedTree(tree, tampered.mirrorDir)).toThrow(
      new RegExp(`^add-on mirror: checksum mismatch for https://github.com/example/charts demo-1.0.0 charts/demo \\(.*\\): addons\\.lock\\.json pins sha256 ${tree.sha256}, the copy has [0-9a-f]{64}\\. Fix: restore the tree from commit a{40}, or re-lock deliberately [^\\n]*$`),
    );
    expect(() => verifiedTree(tree, makeTempDir('empty-mirror-'))).toThrow(/^add-on mirror: https:\/\/github\.com\/example\/charts demo-1\.0\.0 charts\/demo is not at [^\n]*: set GENERATOR_PLATFORM_ADDON_MIRROR to a folder that holds/);
  });
});
