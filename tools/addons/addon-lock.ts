import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * addons.lock.json: for every add-on Application source in dist/argocd (repoURL + chart or path +
 * targetRevision), the upstream Git trees Argo CD's render is made from, each pinned by repository,
 * tag, commit, path and the sha256 of the tree. The mirror folder only holds copies of those trees:
 * a copy is used after its checksum matches, never on trust.
 */

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const ADDON_LOCK_FILE = path.join(PROJECT_ROOT, 'addons.lock.json');
/** Environment variable that points at another copy of the mirror. */
export const ADDON_MIRROR_ENV = 'GENERATOR_PLATFORM_ADDON_MIRROR';

/** How an upstream tree takes part in the render. */
export enum TreeUse {
  /** The Helm chart itself (Helm sources), copied to the render folder. */
  CHART = 'chart',
  /** The Git tree that holds the Application's path (kustomize and directory sources). */
  SOURCE = 'source',
  /** A chart dependency, copied into the chart's `charts/<name>` as `helm dependency build` would. */
  DEPENDENCY = 'dependency',
  /** Files the chart's release process turns into chart files (see `release` of the entry). */
  RELEASE_INPUT = 'release-input',
}

/** One upstream tree: `path` of `repository` at `tag` (= `commit`). */
export interface LockedTree {
  readonly use: TreeUse;
  readonly repository: string;
  readonly tag: string;
  /** The commit the tag points to, 40 hex digits. */
  readonly commit: string;
  /** A folder (or one file) of the repository. */
  readonly path: string;
  /** treeSha256() of the folder or file. */
  readonly sha256: string;
}

/** The Application source an entry pins, exactly as dist/argocd renders it. */
export interface LockedSource {
  readonly repoURL: string;
  /** Helm sources. */
  readonly chart?: string;
  /** Git sources. */
  readonly path?: string;
  readonly targetRevision: string;
}

export interface AddonLockEntry {
  readonly source: LockedSource;
  readonly trees: readonly LockedTree[];
  /**
   * The chart's release step that the Git source lacks and the published package has, by name
   * (tools/addons/chart-release-steps.ts), e.g. `cert-manager` (Chart.yaml from Chart.template.yaml,
   * templates/crds.yaml from deploy/crds).
   * @default - none: the Git tree is the published chart
   */
  readonly release?: string;
  /**
   * Chart dependencies that are not vendored because their condition is off in the Application's
   * values: an empty chart stands in for each, as `helm template` needs a folder per dependency.
   * The renderer checks that the condition is off.
   * @default - none
   */
  readonly stubDependencies?: readonly string[];
  /** Where the mapping from the Application source to these trees was checked. */
  readonly verifiedAt: string;
}

export interface AddonLock {
  readonly entries: readonly AddonLockEntry[];
}

/** The mirror: `$GENERATOR_PLATFORM_ADDON_MIRROR`, else `../shared/addons` beside the repository. */
export function defaultAddonMirrorDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env[ADDON_MIRROR_ENV] ?? path.join(PROJECT_ROOT, '..', 'shared', 'addons'));
}

export function readAddonLock(file: string = ADDON_LOCK_FILE): AddonLock {
  const lock = JSON.parse(fs.readFileSync(file, 'utf8')) as AddonLock;
  if (!Array.isArray(lock.entries)) {
    throw new Error(`${file}: expected an "entries" array of { source, trees, verifiedAt }`);
  }
  return lock;
}

/** `owner/name` of a GitHub repository URL. */
export function repositorySlug(repository: string): string {
  const match = /^https:\/\/github\.com\/([^/]+)\/([^/]+?)(\.git)?\/?$/.exec(repository);
  if (!match) {
    throw new Error(`${repository} is not a https://github.com/<owner>/<name> repository URL`);
  }
  return `${match[1]}/${match[2]}`;
}

/** Where the mirror keeps a tree: `<owner>+<name>/<tag>/<path>`. */
export function mirrorPathOf(tree: Pick<LockedTree, 'repository' | 'tag' | 'path'>, mirrorDir: string): string {
  return path.join(mirrorDir, repositorySlug(tree.repository).replace('/', '+'), tree.tag, ...tree.path.split('/'));
}

/** A source's key, the same for the lock and for an Application: repoURL (as written), chart or path, revision. */
export function sourceKey(source: LockedSource): string {
  return `${source.repoURL} ${source.chart !== undefined ? `chart ${source.chart}` : `path ${source.path ?? ''}`} @ ${source.targetRevision}`;
}

/** Every regular file under `target` by `/`-separated relative path, sorted by code unit; a file is one entry named by its base name. */
export function treeFiles(target: string): string[] {
  if (fs.statSync(target).isFile()) {
    return [path.basename(target)];
  }
  const walk = (prefix: string): string[] =>
    fs.readdirSync(path.join(target, prefix), { withFileTypes: true }).flatMap((entry) => {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        return walk(relative);
      }
      if (!entry.isFile()) {
        throw new Error(`${path.join(target, relative)} is neither a file nor a folder: the mirror holds plain trees only`);
      }
      return [relative];
    });
  return walk('').sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * sha256 of a tree: for each file in treeFiles() order, its relative path, a NUL, its length in
 * bytes in decimal, a NUL, then its bytes. Any renamed, added, removed or changed file changes it.
 */
export function treeSha256(target: string): string {
  const hash = createHash('sha256');
  const isFile = fs.statSync(target).isFile();
  for (const relative of treeFiles(target)) {
    const data = fs.readFileSync(isFile ? target : path.join(target, ...relative.split('/')));
    hash.update(`${relative}\0${data.length}\0`);
    hash.update(data);
  }
  return hash.digest('hex');
}

const verified = new Map<string, string>();

/**
 * The mirror copy of a tree after its checksum matched (checked once per process and folder).
 * A missing copy or a mismatch is an error with one line that says what to do.
 */
export function verifiedTree(tree: LockedTree, mirrorDir: string = defaultAddonMirrorDir()): string {
  const target = mirrorPathOf(tree, mirrorDir);
  if (verified.get(target) === tree.sha256) {
    return target;
  }
  const where = `${tree.repository} ${tree.tag} ${tree.path}`;
  if (!fs.existsSync(target)) {
    throw new Error(`add-on mirror: ${where} is not at ${target}: set ${ADDON_MIRROR_ENV} to a folder that holds <owner>+<repo>/<tag>/<path> of every tree in addons.lock.json`);
  }
  const actual = treeSha256(target);
  if (actual !== tree.sha256) {
    throw new Error(
      `add-on mirror: checksum mismatch for ${where} (${target}): addons.lock.json pins sha256 ${tree.sha256}, the copy has ${actual}. Fix: restore the tree from commit ${tree.commit}, or re-lock deliberately (node --import tsx tools/addons/lock-cli.ts --update)`,
    );
  }
  verified.set(target, actual);
  return target;
}

/** The lock entry of an Application source; a source without one is an error naming the fix. */
export function lockEntryFor(lock: AddonLock, source: LockedSource): AddonLockEntry {
  const key = sourceKey(source);
  const entry = lock.entries.find((candidate) => sourceKey(candidate.source) === key);
  if (!entry) {
    throw new Error(`addons.lock.json has no entry for the add-on source ${key}. Fix: add one with the upstream repository, tag, commit, path and sha256 of its trees (tools/addons/lock-cli.ts --update computes the sha256)`);
  }
  return entry;
}
