import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';

/** The Kyverno the cluster runs: chart 3.1.5 = Kyverno v1.11.5 (lib/gitops/addon-catalog.ts). */
export const KYVERNO_MODULE = 'github.com/kyverno/kyverno';
export const KYVERNO_VERSION = 'v1.11.5';

/** How long a first build may take: about 5 minutes on 2 cores with an empty Go cache (download and compile). */
export const KYVERNO_BUILD_TIMEOUT_MS = 15 * 60 * 1000;

/**
 * The Kyverno CLI of the cluster's Kyverno version, built once from the Go module proxy
 * (`go mod download` of the module, `go build ./cmd/cli/kubectl-kyverno` inside it) into a cache
 * folder outside the repository; later runs reuse the binary. The module cache and the Go build
 * cache make a rebuild take seconds. Binaries are never committed.
 */
export function kyvernoBinary(): string {
  const cacheDir = path.join(os.tmpdir(), `generator-platform-kyverno-cli-${KYVERNO_VERSION}`);
  const binary = path.join(cacheDir, 'kyverno');
  if (fs.existsSync(binary)) {
    return binary;
  }
  const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly -buildvcs=false' };
  const download = spawnSync('go', ['mod', 'download', '-json', `${KYVERNO_MODULE}@${KYVERNO_VERSION}`], { encoding: 'utf8', env, cwd: os.tmpdir(), maxBuffer: 16 * 1024 * 1024 });
  if (download.status !== 0) {
    throw new Error(`go mod download ${KYVERNO_MODULE}@${KYVERNO_VERSION} failed (needs Go and the module proxy): ${download.stderr || download.error?.message}`);
  }
  const moduleDir = (JSON.parse(download.stdout) as { Dir: string }).Dir;
  fs.mkdirSync(cacheDir, { recursive: true });
  const staging = path.join(cacheDir, `kyverno-${process.pid}`);
  const build = spawnSync('go', ['build', '-o', staging, './cmd/cli/kubectl-kyverno'], { encoding: 'utf8', env, cwd: moduleDir, timeout: KYVERNO_BUILD_TIMEOUT_MS });
  if (build.status !== 0) {
    throw new Error(`go build of the Kyverno CLI ${KYVERNO_VERSION} failed: ${build.stderr || build.error?.message}`);
  }
  fs.renameSync(staging, binary);
  return binary;
}

/** `kyvernoBinary()` under the name the image admission tests use: the CLI, built when missing. */
export function kyvernoCli(): string {
  return kyvernoBinary();
}

/** One policy result of `kyverno apply` for one resource. */
export interface KyvernoResult {
  /** The resource's name. */
  readonly resource: string;
  /** The same name, for tests whose resources are Pods. */
  readonly pod: string;
  readonly rule: string;
  readonly result: 'pass' | 'fail' | 'skip' | 'warn' | 'error';
  readonly message: string;
}

/**
 * `kyverno apply <policy> --resource <resources>` as the admission request of `username`
 * (`--userinfo`), with the results of every rule for every resource (its policy report).
 */
export function kyvernoApply(policies: readonly object[], resources: readonly object[], username?: string): KyvernoResult[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kyverno-apply-'));
  try {
    const policyFile = path.join(dir, 'policy.yaml');
    const resourceFile = path.join(dir, 'resources.yaml');
    fs.writeFileSync(policyFile, policies.map((p) => stringify(p)).join('---\n'));
    fs.writeFileSync(resourceFile, resources.map((r) => stringify(r)).join('---\n'));
    const args = ['apply', policyFile, '--resource', resourceFile, '--policy-report', '--remove-color'];
    if (username !== undefined) {
      const userFile = path.join(dir, 'user.yaml');
      fs.writeFileSync(userFile, stringify({ apiVersion: 'cli.kyverno.io/v1alpha1', kind: 'UserInfo', metadata: { name: 'user' }, userInfo: { username } }));
      args.push('--userinfo', userFile);
    }
    const run = spawnSync(kyvernoBinary(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const marker = run.stdout.indexOf('POLICY REPORT:');
    if (marker < 0) {
      throw new Error(`kyverno apply printed no policy report (exit ${run.status}): ${run.stdout}${run.stderr}`);
    }
    const report = parse(run.stdout.slice(run.stdout.indexOf('\n', run.stdout.indexOf('-----', marker)) + 1)) as {
      results?: { resources: { name: string }[]; rule: string; result: KyvernoResult['result']; message: string }[];
    };
    return (report.results ?? []).map((r) => ({ resource: r.resources[0].name, pod: r.resources[0].name, rule: r.rule, result: r.result, message: r.message }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Whether the admission webhook would refuse each resource (a rule failed). A rule the engine
 * could not evaluate throws: a refusal must come from the rule's conditions, not from an error.
 */
export function admissionVerdicts(results: readonly KyvernoResult[]): Record<string, 'denied' | 'admitted'> {
  const out: Record<string, 'denied' | 'admitted'> = {};
  for (const r of results) {
    if (r.result === 'error') {
      throw new Error(`kyverno could not evaluate rule ${r.rule} for ${r.resource}: ${r.message}`);
    }
    out[r.resource] = out[r.resource] === 'denied' || r.result === 'fail' ? 'denied' : 'admitted';
  }
  return out;
}
