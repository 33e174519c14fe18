import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The Argo CD the platform's clusters run (the argo-cd CRDs pinned in schemas.lock.json are of this release line). */
export const ARGOCD_VERSION = 'v2.10.18';
export const ARGOCD_MODULE = 'github.com/argoproj/argo-cd/v2';

/**
 * Argo CD ships one program (`./cmd`) that is every component: cmd/main.go picks the command by
 * the name it was called by (argv[0]), so the controller and the repo server are symlinks to it.
 */
export const ARGOCD_COMMANDS = ['argocd-application-controller', 'argocd-repo-server'] as const;
export type ArgoCdCommand = (typeof ARGOCD_COMMANDS)[number];

/** A cold build (empty Go cache) took about 190 s on an idle 2-core machine (issue 16) and 788 s on one at load 10-14 (9 CPU-minutes). */
export const ARGOCD_BUILD_TIMEOUT_MS = 30 * 60 * 1000;

/** Paths of the programs an Argo CD on loopback runs. */
export interface ArgoCdBinaries {
  readonly argocd: string;
  readonly applicationController: string;
  readonly repoServer: string;
}

/** Where the binary is cached: outside the repository, per version, so an upgrade builds anew. */
export function argocdBinaryDir(): string {
  return path.join(os.tmpdir(), `generator-platform-argocd-${ARGOCD_VERSION}`);
}

/** The binary and its two names, built once when missing (`log` hears about a build before it starts, and how long it took). */
export function argocdBinary(log: (line: string) => void = () => undefined): ArgoCdBinaries {
  const dir = argocdBinaryDir();
  const argocd = path.join(dir, 'argocd');
  if (!fs.existsSync(argocd)) {
    log(`building argocd ${ARGOCD_VERSION} from the Go module proxy into ${dir} (once: about 190 s on an idle 2-core machine with an empty Go cache; 13 minutes measured on one busy with other builds)`);
    const started = Date.now();
    buildArgoCd(dir);
    log(`built argocd ${ARGOCD_VERSION} in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  for (const command of ARGOCD_COMMANDS) {
    const link = path.join(dir, command);
    if (!fs.existsSync(link)) {
      // A relative target: the folder can move (another TMPDIR) without breaking the links.
      fs.symlinkSync('argocd', link);
    }
  }
  return { argocd, applicationController: path.join(dir, 'argocd-application-controller'), repoServer: path.join(dir, 'argocd-repo-server') };
}

/**
 * The scripts Argo CD's image puts on PATH for signature verification (its Dockerfile copies
 * hack/gpg-wrapper.sh and hack/git-verify-wrapper.sh to /usr/local/bin): the repo server runs
 * `git-verify-wrapper.sh <revision>` for each commit it must verify (util/git/client.go,
 * VerifyCommitSignature) and `gpg-wrapper.sh` when it syncs its keyring (util/gpg/gpg.go, IsSecretKey).
 */
export const ARGOCD_GPG_WRAPPERS = ['gpg-wrapper.sh', 'git-verify-wrapper.sh'] as const;

/** A folder with ARGOCD_GPG_WRAPPERS, executable, copied once from the release's module source (the Go module cache). */
export function argocdGpgWrappersDir(): string {
  const dir = path.join(argocdBinaryDir(), 'gpg-wrappers');
  if (!ARGOCD_GPG_WRAPPERS.every((script) => fs.existsSync(path.join(dir, script)))) {
    const download = go(['mod', 'download', '-json', `${ARGOCD_MODULE}@${ARGOCD_VERSION}`], os.tmpdir());
    const source = (JSON.parse(download.stdout) as { Dir: string }).Dir;
    fs.mkdirSync(dir, { recursive: true });
    for (const script of ARGOCD_GPG_WRAPPERS) {
      // The module cache is read-only; a copy under another name, renamed, so a concurrent run never sees half a script.
      const staging = path.join(dir, `${script}.${process.pid}`);
      fs.copyFileSync(path.join(source, 'hack', script), staging);
      fs.chmodSync(staging, 0o755);
      fs.renameSync(staging, path.join(dir, script));
    }
  }
  return dir;
}

/**
 * The go.mod of a throwaway module that builds argo-cd's `./cmd` at `version`. `go build` of a
 * dependency ignores that dependency's `replace` directives, and argo-cd's go.mod pins its
 * Kubernetes libraries (k8s.io/* v0.26.11) and several forks only through them; without the same
 * replaces the build selects other versions and fails. So each module-to-module replace of its
 * go.mod is copied, never written by hand (a folder replace could not be built outside its repository: refused).
 */
export function argocdThrowawayGoMod(argocdGoMod: string, version: string = ARGOCD_VERSION): string {
  const replaces = goModReplaces(argocdGoMod);
  if (replaces.length === 0) {
    throw new Error(`${ARGOCD_MODULE} ${version}: its go.mod replaces no module; the build recipe (copying its replaces) no longer fits this version`);
  }
  const local = replaces.find((replace) => !replace.version);
  if (local) {
    throw new Error(`${ARGOCD_MODULE} ${version}: its go.mod replaces ${local.module} with the folder ${local.target}, which cannot be built from the module proxy`);
  }
  return [
    'module generator-platform.local/argocd-binary',
    '',
    // 1.24 for the `tool` directive, which keeps ./cmd's packages (and so their modules) through `go mod tidy`.
    'go 1.24',
    '',
    `require ${ARGOCD_MODULE} ${version}`,
    '',
    'replace (',
    ...replaces.map((replace) => `\t${replace.module}${replace.moduleVersion ? ` ${replace.moduleVersion}` : ''} => ${replace.target} ${replace.version}`),
    ')',
    '',
    'tool (',
    `\t${ARGOCD_MODULE}/cmd`,
    ')',
    '',
  ].join('\n');
}

/** One `replace` of a go.mod: `module [moduleVersion] => target [version]` (no version: a folder). */
export interface GoModReplace {
  readonly module: string;
  readonly moduleVersion?: string;
  readonly target: string;
  readonly version?: string;
}

/** Every `replace` of a go.mod, in block and single-line form, comments left out. */
export function goModReplaces(goMod: string): GoModReplace[] {
  const lines = goMod.split('\n').map((line) => line.replace(/\/\/.*$/, '').trim());
  const replaces: GoModReplace[] = [];
  let inBlock = false;
  for (const line of lines) {
    if (inBlock && line === ')') {
      inBlock = false;
      continue;
    }
    if (/^replace\s*\($/.test(line)) {
      inBlock = true;
      continue;
    }
    const body = inBlock ? line : /^replace\s+(.*)$/.exec(line)?.[1];
    const match = body ? /^(\S+)(?:\s+(\S+))?\s+=>\s+(\S+)(?:\s+(\S+))?$/.exec(body) : null;
    if (match) {
      replaces.push({ module: match[1], moduleVersion: match[2], target: match[3], version: match[4] });
    }
  }
  return replaces;
}

/** `-X` flags of argo-cd's Makefile (LDFLAGS), so the binary reports its release instead of 99.99.99. */
function versionLdflags(version: string): string {
  return `-X ${ARGOCD_MODULE}/common.version=${version.replace(/^v/, '')} -X ${ARGOCD_MODULE}/common.gitTag=${version} -X ${ARGOCD_MODULE}/common.gitTreeState=clean`;
}

function buildArgoCd(dir: string): void {
  const moduleDir = path.join(dir, 'module');
  fs.mkdirSync(moduleDir, { recursive: true });
  const download = go(['mod', 'download', '-json', `${ARGOCD_MODULE}@${ARGOCD_VERSION}`], os.tmpdir());
  const goModFile = (JSON.parse(download.stdout) as { GoMod: string }).GoMod;
  fs.writeFileSync(path.join(moduleDir, 'go.mod'), argocdThrowawayGoMod(fs.readFileSync(goModFile, 'utf8')));
  go(['mod', 'tidy'], moduleDir);
  const staging = path.join(dir, `argocd-${process.pid}`);
  // CGO off, as argo-cd's Makefile builds it: a static binary that needs no C libraries.
  go(['build', '-trimpath', `-ldflags=-s -w ${versionLdflags(ARGOCD_VERSION)}`, '-o', staging, `${ARGOCD_MODULE}/cmd`], moduleDir);
  fs.renameSync(staging, path.join(dir, 'argocd'));
}

function go(args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0' };
  const result = spawnSync('go', args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: ARGOCD_BUILD_TIMEOUT_MS });
  if (result.status !== 0) {
    const output = `${result.stderr ?? ''}${result.error?.message ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`go ${args.join(' ')} (in ${cwd}) failed with exit ${result.status}: ${output}`);
  }
  return result;
}
