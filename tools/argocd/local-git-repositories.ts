import * as fs from 'fs';
import * as path from 'path';
import { repositorySlug } from '../addons/addon-lock';
import { runProgram } from '../addons/run-program';

/** Commits of add-on repositories get this date, so that the same trees give the same commit ids on every run. */
const FIXED_DATE = '2000-01-01T00:00:00Z';
const IDENTITY = { GIT_AUTHOR_NAME: 'local-sources', GIT_AUTHOR_EMAIL: 'local-sources@127.0.0.1', GIT_COMMITTER_NAME: 'local-sources', GIT_COMMITTER_EMAIL: 'local-sources@127.0.0.1' };

/** Where `git daemon --base-path` serves a GitHub repository: `<owner>/<name>.git`. */
export function servedGitPathOf(repoURL: string): string {
  return `${repositorySlug(repoURL)}.git`;
}

function git(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return runProgram('git', args, `git ${args.join(' ')}`, { env: { ...process.env, ...IDENTITY, ...env } }).then((output) => output.trim());
}

/** How to sign a commit: `git commit-tree` arguments and environment (ThrowawaySigningKey.gitSigning). */
export interface GitSigning {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/**
 * This repository as a bare repository at `<baseDir>/<owner>/<name>.git`: a clone of its history
 * plus one commit of the working tree as it is now (committed or not, .gitignore respected), which
 * every revision the Applications ask for (`branches`, e.g. `main`) points to, signed with
 * `signing` when given (Argo CD verifies only that tip commit). The commit is made with a temporary
 * index inside the clone: the working repository's index, refs and objects are never written.
 */
export async function buildPlatformRepository(baseDir: string, repositoryRoot: string, repoURL: string, branches: readonly string[], signing?: GitSigning): Promise<string> {
  const target = path.join(baseDir, servedGitPathOf(repoURL));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // A local clone hard-links the object files (immutable), so it takes milliseconds and leaves the source untouched.
  await git(['clone', '--bare', '--quiet', repositoryRoot, target], {});
  const env = { GIT_DIR: target, GIT_WORK_TREE: repositoryRoot, GIT_INDEX_FILE: path.join(target, 'local-sources-index') };
  await git(['read-tree', 'HEAD'], env);
  await git(['add', '--all'], env);
  const tree = await git(['write-tree'], env);
  const commit = await git(['commit-tree', tree, '-p', 'HEAD', ...(signing?.args ?? []), '-m', 'local-sources: the working tree as it is now (committed and uncommitted changes)'], { ...env, ...signing?.env });
  fs.rmSync(env.GIT_INDEX_FILE);
  for (const branch of branches.filter((name) => name !== 'HEAD' && !/^[0-9a-f]{40}$/.test(name))) {
    await git(['update-ref', `refs/heads/${branch}`, commit], { GIT_DIR: target });
  }
  const head = branches.find((name) => name !== 'HEAD' && !/^[0-9a-f]{40}$/.test(name));
  await git(head ? ['symbolic-ref', 'HEAD', `refs/heads/${head}`] : ['update-ref', '--no-deref', 'HEAD', commit], { GIT_DIR: target });
  // Previews ask for a pull request's head commit by id, as Argo CD fetches `{{head_sha}}`.
  await git(['config', 'uploadpack.allowAnySHA1InWant', 'true'], { GIT_DIR: target });
  return commit;
}

/** One tag of an add-on repository: the upstream files of `paths` (relative to `root`, the mirror's `<owner>+<repo>/<tag>`). */
export interface AddonRepositoryTag {
  readonly tag: string;
  readonly root: string;
  readonly paths: readonly string[];
}

/**
 * An add-on's upstream repository as a bare repository at `<baseDir>/<owner>/<name>.git`: per tag
 * one commit of the mirrored paths, tagged with the revision the Application asks for (the
 * upstream commit ids cannot be reproduced: only the files are mirrored), and `main` at the last.
 */
export async function buildAddonRepository(baseDir: string, repoURL: string, tags: readonly AddonRepositoryTag[]): Promise<void> {
  const target = path.join(baseDir, servedGitPathOf(repoURL));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  await git(['init', '--bare', '--quiet', '--initial-branch=main', target], {});
  const dated = { GIT_DIR: target, GIT_AUTHOR_DATE: FIXED_DATE, GIT_COMMITTER_DATE: FIXED_DATE };
  let last: string | undefined;
  for (const { tag, root, paths } of tags) {
    const env = { ...dated, GIT_WORK_TREE: root, GIT_INDEX_FILE: path.join(target, 'local-sources-index') };
    // -f: an upstream .gitignore inside the tree must not drop files the tag holds.
    await git(['add', '--force', '--', ...paths], env);
    const tree = await git(['write-tree'], env);
    fs.rmSync(env.GIT_INDEX_FILE);
    last = await git(['commit-tree', tree, '-m', `${repoURL} ${tag}: ${paths.join(', ')} from the add-on mirror`], dated);
    await git(['update-ref', `refs/tags/${tag}`, last], dated);
  }
  if (last) {
    await git(['update-ref', 'refs/heads/main', last], dated);
  }
}
