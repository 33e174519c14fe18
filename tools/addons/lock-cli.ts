import * as fs from 'fs';
import * as path from 'path';
import { addonApplicationsIn } from './addon-applications';
import { ADDON_LOCK_FILE, PROJECT_ROOT, defaultAddonMirrorDir, readAddonLock } from './addon-lock';
import { lockCoverage, lockTreeProblems, relocked } from './lock-check';

/**
 * `node --import tsx tools/addons/lock-cli.ts [--update]`: checks addons.lock.json against the
 * mirror (checksums, commits) and dist/argocd (every add-on source locked, no stale entry), one
 * line per problem, exit 1 on any. `--update` rewrites the sha256 of every tree from the mirror
 * first: a deliberate re-lock after the trees were re-vendored from their pinned commits.
 */
function main(args: readonly string[]): number {
  const mirrorDir = defaultAddonMirrorDir();
  let lock = readAddonLock();
  if (args.includes('--update')) {
    lock = relocked(lock, mirrorDir);
    fs.writeFileSync(ADDON_LOCK_FILE, `${JSON.stringify(lock, null, 2)}\n`);
  }
  const coverage = lockCoverage(lock, addonApplicationsIn(path.join(PROJECT_ROOT, 'dist')));
  const problems = [
    ...lockTreeProblems(lock, mirrorDir),
    ...coverage.missing.map((source) => `addons.lock.json has no entry for ${source}`),
    ...coverage.unused.map((source) => `addons.lock.json entry ${source} is used by no add-on Application in dist/argocd: remove it`),
  ];
  for (const problem of problems) {
    console.error(problem);
  }
  const trees = lock.entries.reduce((sum, entry) => sum + entry.trees.length, 0);
  console.log(problems.length === 0 ? `addons.lock.json: ${lock.entries.length} sources, ${trees} trees verified against ${mirrorDir}` : `addons.lock.json: ${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
