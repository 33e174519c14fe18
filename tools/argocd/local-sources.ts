import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PLATFORM_REPOSITORY } from '../../lib/gitops/repository';
import { AddonApplication, addonApplicationsIn, AddonSourceKind } from '../addons/addon-applications';
import { defaultAddonMirrorDir, lockEntryFor, mirrorPathOf, readAddonLock, TreeUse, verifiedTree } from '../addons/addon-lock';
import { helmValuesOf } from '../addons/render-addon';
import { runProgram } from '../addons/run-program';
import { removeOrphanedScratchFolders, scratchFolderName } from '../cluster/managed-process';
import { normalizeRepositoryUrl } from '../validation/cross-references/argocd-references';
import { argoCdClusters, argoCdObjects, argoCdSources, isTemplatedRevision } from './argocd-sources';
import { LocalGitDaemon } from './local-git-daemon';
import { AddonRepositoryTag, buildAddonRepository, buildPlatformRepository, servedGitPathOf } from './local-git-repositories';
import { helm, LocalHelmServer, packageChart, servedHelmPathOf } from './local-helm-repositories';
import { ThrowawaySigningKey } from './signing-key';
import { rewriteRepositoryUrls, rewriteSignatureKeys } from './source-rewrite';

export interface LocalSourcesOptions {
  /** The working tree whose dist/ is served, committed or not. */
  readonly repositoryRoot: string;
  /**
   * Cluster folders of dist/argocd whose sources are served.
   * @default every cluster folder
   */
  readonly clusters?: readonly string[];
  /**
   * The add-on mirror (`<owner>+<repo>/<tag>/<path>`).
   * @default $GENERATOR_PLATFORM_ADDON_MIRROR, else ../shared/addons
   */
  readonly mirrorDir?: string;
}

/** One upstream source and where it is served. */
export interface ServedSource {
  readonly upstream: string;
  readonly local: string;
  readonly kind: 'git' | 'helm';
  /** Git: the branches or tags; Helm: `<chart> <version>` per package. */
  readonly contents: readonly string[];
}

const SCRATCH_PREFIX = 'generator-platform-argocd-sources-';

/**
 * Every source the Applications of dist/argocd/<cluster> fetch, served on loopback for a real
 * Argo CD without internet: this repository (the working tree as it is now) and each Git add-on
 * by `git daemon`, each Helm add-on by a local Helm repository packaged from the mirror.
 * `rewrite()` points copies of the Argo CD objects at them; dist/ is never changed.
 */
export class LocalSources {
  public static async start(options: LocalSourcesOptions): Promise<LocalSources> {
    const root = path.resolve(options.repositoryRoot);
    const distDir = path.join(root, 'dist');
    const clusters = options.clusters ?? argoCdClusters(distDir);
    const mirrorDir = options.mirrorDir ?? defaultAddonMirrorDir();
    removeOrphanedScratchFolders(os.tmpdir(), SCRATCH_PREFIX);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), scratchFolderName(SCRATCH_PREFIX)));
    const gitBase = path.join(scratch, 'git');
    const helmBase = path.join(scratch, 'helm');
    const served: ServedSource[] = [];
    const platform = normalizeRepositoryUrl(PLATFORM_REPOSITORY.url);
    const branches = [
      ...new Set(
        argoCdSources(argoCdObjects(distDir, clusters))
          .filter((source) => normalizeRepositoryUrl(source.repoURL) === platform && !isTemplatedRevision(source.targetRevision))
          .map((source) => source.targetRevision),
      ),
    ];
    const addons = addonApplicationsIn(distDir).filter((application) => clusters.includes(application.cluster));
    const lock = readAddonLock();
    const gitAddons = groupBy(
      addons.filter((application) => application.kind !== AddonSourceKind.HELM),
      (application) => application.lockedSource.repoURL,
    );
    const helmAddons = groupBy(
      addons.filter((application) => application.kind === AddonSourceKind.HELM),
      (application) => application.lockedSource.repoURL,
    );
    // The projects of a cluster with signers verify the tip of main: every commit of this repository served here is signed.
    const signingKey = await ThrowawaySigningKey.create(path.join(scratch, 'gnupg'), 'local-sources-signer');
    const platformCommit = buildPlatformRepository(gitBase, root, PLATFORM_REPOSITORY.url, branches.length > 0 ? branches : [PLATFORM_REPOSITORY.revision], signingKey.gitSigning);
    const repositories = [...gitAddons].map(([repoURL, applications]) => buildAddonRepository(gitBase, repoURL, addonTags(applications, lock, mirrorDir)));
    const packages = [...helmAddons].flatMap(([repoURL, applications]) =>
      uniqueBy(applications, (application) => `${application.lockedSource.chart} ${application.lockedSource.targetRevision}`).map((application) =>
        packageChart(lockEntryFor(lock, application.lockedSource), helmValuesOf(application), path.join(helmBase, servedHelmPathOf(repoURL)), scratch, mirrorDir),
      ),
    );
    const [commit] = await Promise.all([platformCommit, ...repositories, ...packages]).catch(async (error: unknown) => {
      await signingKey.stop();
      throw error;
    });
    const server = await LocalHelmServer.start(helmBase);
    const daemon = await LocalGitDaemon.start(gitBase, servedGitPathOf(PLATFORM_REPOSITORY.url), scratch).catch(async (error: unknown) => {
      await server.stop();
      await signingKey.stop();
      throw error;
    });
    served.push({ upstream: PLATFORM_REPOSITORY.url, local: daemon.urlOf(servedGitPathOf(PLATFORM_REPOSITORY.url)), kind: 'git', contents: branches });
    for (const [repoURL, applications] of gitAddons) {
      served.push({ upstream: repoURL, local: daemon.urlOf(servedGitPathOf(repoURL)), kind: 'git', contents: [...new Set(applications.map((application) => application.lockedSource.targetRevision))] });
    }
    const indexes = [...helmAddons].map(async ([repoURL, applications]): Promise<ServedSource> => {
      const local = server.urlOf(repoURL);
      await helm(['repo', 'index', path.join(helmBase, servedHelmPathOf(repoURL)), '--url', local], path.join(scratch, 'helm-home'), `helm repo index of ${repoURL}`);
      const charts = applications.map((application) => `${application.lockedSource.chart} ${application.lockedSource.targetRevision}`);
      return { upstream: repoURL, local, kind: 'helm', contents: [...new Set(charts)] };
    });
    served.push(...(await Promise.all(indexes)));
    return new LocalSources(served, commit, signingKey, daemon, server, scratch);
  }

  private constructor(
    /** Every upstream source and its local URL. */
    public readonly served: readonly ServedSource[],
    /** The commit of this repository's working tree that the platform branches point to (what a preview's `{{head_sha}}` can name). */
    public readonly platformCommit: string,
    /**
     * The throwaway key every commit of this repository served here is signed with (unless a test
     * asks otherwise), and which `rewrite()` makes the projects with signatureKeys require. Give its
     * public key to Argo CD (ArgoCd's gpgPublicKeys), as argocd-gpg-keys-cm holds the signers'.
     */
    public readonly signingKey: ThrowawaySigningKey,
    private readonly daemon: LocalGitDaemon,
    private readonly server: LocalHelmServer,
    private readonly scratch: string,
  ) {}

  /** The local git:// URL of a Git source (this repository or a Git add-on). */
  public gitUrl(repoURL: string): string {
    return this.find(repoURL, 'git');
  }

  /** The local http:// URL of an upstream Helm repository. */
  public helmUrl(repoURL: string): string {
    return this.find(repoURL, 'helm');
  }

  /**
   * Copies of the objects with every repoURL of an Application or ApplicationSet template, and
   * every sourceRepos entry of an AppProject, pointing at the local servers, and the signatureKeys
   * of a project that has any replaced by `signingKey`'s. A URL that is not served is an error that names it.
   */
  public rewrite<T extends object>(objects: readonly T[]): T[] {
    const locals = new Map(this.served.map((source) => [normalizeRepositoryUrl(source.upstream), source.local]));
    return rewriteSignatureKeys(rewriteRepositoryUrls(objects, (repoURL) => locals.get(normalizeRepositoryUrl(repoURL))), this.signingKey.keyId);
  }

  /** What ArgoCd's `gpgPublicKeys` takes for `keys` (@default `signingKey`): argocd-gpg-keys-cm's entries. */
  public gpgPublicKeys(keys: readonly ThrowawaySigningKey[] = [this.signingKey]): Record<string, string> {
    return Object.fromEntries(keys.map((key) => [key.keyId, key.armoredPublicKey]));
  }

  /**
   * A pull request's head: a commit on top of `parent` (@default `platformCommit`) with `files`
   * (path -> content) written into its tree, in this repository as served, signed by `signedBy`
   * (@default `signingKey`; null: unsigned); returns its id (what `{{head_sha}}` names). For tests
   * of what a pull request may and may not change.
   */
  public async pullRequestHead(files: Readonly<Record<string, string>>, message: string, parent: string = this.platformCommit, signedBy: ThrowawaySigningKey | null = this.signingKey): Promise<string> {
    const index = path.join(this.scratch, `pull-request-index-${process.hrtime.bigint()}`);
    const run = (args: string[], input?: string) => this.git(args, `git ${args[0]} for a commit on top of ${parent}`, input, { GIT_INDEX_FILE: index });
    await run(['read-tree', parent]);
    for (const [file, content] of Object.entries(files)) {
      const blob = (await run(['hash-object', '-w', '--stdin'], content)).trim();
      await run(['update-index', '--add', '--cacheinfo', `100644,${blob},${file}`]);
    }
    const tree = (await run(['write-tree'])).trim();
    const signing = signedBy?.gitSigning;
    const commit = (await this.git(['-c', 'user.name=pull-request', '-c', 'user.email=pull-request@localhost', 'commit-tree', tree, '-p', parent, ...(signing?.args ?? []), '-m', message], `git commit-tree on top of ${parent}`, undefined, { GIT_INDEX_FILE: index, ...signing?.env })).trim();
    fs.rmSync(index, { force: true });
    return commit;
  }

  /**
   * A merge to `main`: every branch of this repository as served moves to a commit of `files` on
   * top of `parent` (@default `platformCommit`), signed by `signedBy` (@default `signingKey`; null:
   * unsigned), which Argo CD then fetches for `main`. Returns it.
   */
  public async publish(files: Readonly<Record<string, string>>, message: string, parent: string = this.platformCommit, signedBy: ThrowawaySigningKey | null = this.signingKey): Promise<string> {
    const commit = await this.pullRequestHead(files, message, parent, signedBy);
    const branches = (await this.git(['for-each-ref', '--format=%(refname)', 'refs/heads'], 'git for-each-ref of the served repository')).split('\n').filter(Boolean);
    for (const branch of branches) {
      await this.git(['update-ref', branch, commit], `git update-ref ${branch}`);
    }
    return commit;
  }

  /** git on this repository as served (its bare repository). */
  private git(args: readonly string[], what: string, input?: string, env: Readonly<Record<string, string>> = {}): Promise<string> {
    const bare = path.join(this.scratch, 'git', servedGitPathOf(PLATFORM_REPOSITORY.url));
    return runProgram('git', args, what, { env: { ...process.env, GIT_DIR: bare, ...env }, input });
  }

  public async stop(): Promise<void> {
    await Promise.all([this.daemon.stop(), this.server.stop(), this.signingKey.stop()]);
    fs.rmSync(this.scratch, { recursive: true, force: true });
  }

  private find(repoURL: string, kind: ServedSource['kind']): string {
    const source = this.served.find((candidate) => candidate.kind === kind && normalizeRepositoryUrl(candidate.upstream) === normalizeRepositoryUrl(repoURL));
    if (!source) {
      throw new Error(`LocalSources: ${repoURL} is not served as a ${kind} source; served are ${this.served.filter((candidate) => candidate.kind === kind).map((candidate) => candidate.upstream).join(', ')}`);
    }
    return source.local;
  }
}

/** The tags of a Git add-on repository: per revision the Applications ask for, the `source` trees of its lock entry, checksum-verified. */
function addonTags(applications: readonly AddonApplication[], lock: ReturnType<typeof readAddonLock>, mirrorDir: string): AddonRepositoryTag[] {
  return uniqueBy(applications, (application) => application.lockedSource.targetRevision).map((application) => {
    const trees = uniqueBy(
      applications.filter((candidate) => candidate.lockedSource.targetRevision === application.lockedSource.targetRevision).flatMap((candidate) => lockEntryFor(lock, candidate.lockedSource).trees),
      (tree) => `${tree.repository} ${tree.tag} ${tree.path}`,
    ).filter((tree) => tree.use === TreeUse.SOURCE);
    const roots = new Set(trees.map((tree) => mirrorPathOf({ ...tree, path: '' }, mirrorDir)));
    if (roots.size !== 1) {
      throw new Error(`LocalSources: ${application.lockedSource.repoURL} ${application.lockedSource.targetRevision} needs "source" trees of one repository and tag in addons.lock.json, found ${[...roots].join(', ') || 'none'}`);
    }
    trees.forEach((tree) => verifiedTree(tree, mirrorDir));
    return { tag: application.lockedSource.targetRevision, root: [...roots][0], paths: trees.map((tree) => tree.path) };
  });
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  }
  return groups;
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}
