import * as fs from 'fs';
import * as path from 'path';
import { AddonApplication } from './addon-applications';
import { AddonLock, LockedTree, mirrorPathOf, sourceKey, treeSha256, verifiedTree } from './addon-lock';

export interface LockCoverage {
  /** Add-on Application sources without a lock entry, with the Applications that use them. */
  readonly missing: readonly string[];
  /** Lock entries no add-on Application uses. */
  readonly unused: readonly string[];
}

/** Whether the lock pins exactly the add-on sources of dist/argocd: nothing missing, nothing stale. */
export function lockCoverage(lock: AddonLock, applications: readonly AddonApplication[]): LockCoverage {
  const locked = new Set(lock.entries.map((entry) => sourceKey(entry.source)));
  const used = new Map<string, string[]>();
  for (const application of applications) {
    const key = sourceKey(application.lockedSource);
    used.set(key, [...(used.get(key) ?? []), `${application.file}#${application.name}`]);
  }
  return {
    missing: [...used].filter(([key]) => !locked.has(key)).map(([key, users]) => `${key} (${users.join(', ')})`),
    unused: [...locked].filter((key) => !used.has(key)),
  };
}

/** Problems of the lock's trees against the mirror: checksum mismatches, missing copies, commits that differ from the mirror's sources.tsv. */
export function lockTreeProblems(lock: AddonLock, mirrorDir: string): string[] {
  const commits = mirrorCommits(mirrorDir);
  const problems: string[] = [];
  for (const tree of lock.entries.flatMap((entry) => entry.trees)) {
    try {
      verifiedTree(tree, mirrorDir);
    } catch (error) {
      problems.push((error as Error).message);
    }
    const commit = commits.get(treeKey(tree));
    if (commit !== undefined && commit !== tree.commit) {
      problems.push(`add-on mirror: ${tree.repository} ${tree.tag} ${tree.path} is commit ${commit} in the mirror's sources.tsv, addons.lock.json says ${tree.commit}`);
    }
  }
  return problems;
}

/** The lock with every tree's sha256 taken from the mirror (for a deliberate re-lock). */
export function relocked(lock: AddonLock, mirrorDir: string): AddonLock {
  return {
    ...lock,
    entries: lock.entries.map((entry) => ({ ...entry, trees: entry.trees.map((tree) => ({ ...tree, sha256: treeSha256(mirrorPathOf(tree, mirrorDir)) })) })),
  };
}

function treeKey(tree: Pick<LockedTree, 'repository' | 'tag' | 'path'>): string {
  return `${tree.repository} ${tree.tag} ${tree.path}`;
}

/** The mirror's own record (sources.tsv: repository, tag, commit, path), when it has one. */
function mirrorCommits(mirrorDir: string): Map<string, string> {
  const file = path.join(mirrorDir, 'sources.tsv');
  const commits = new Map<string, string>();
  if (!fs.existsSync(file)) {
    return commits;
  }
  for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [repository, tag, commit, treePath] = line.split('\t');
    if (repository && tag && commit && treePath) {
      commits.set(treeKey({ repository, tag, path: treePath }), commit);
    }
  }
  return commits;
}
