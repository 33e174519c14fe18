import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The kustomize Argo CD v2.10.18 ships and calls for kustomize sources (hack/tool-versions.sh: kustomize5_version=5.2.1). */
export const KUSTOMIZE_MODULE = 'sigs.k8s.io/kustomize/kustomize/v5';
export const KUSTOMIZE_VERSION = 'v5.2.1';

/** The folder holding `kustomize`, for the repo server's PATH; built once from the Go module proxy (about a minute cold). */
export function kustomizeBinaryDir(log: (line: string) => void = () => undefined): string {
  const dir = path.join(os.tmpdir(), `generator-platform-kustomize-${KUSTOMIZE_VERSION}`);
  if (!fs.existsSync(path.join(dir, 'kustomize'))) {
    log(`building kustomize ${KUSTOMIZE_VERSION} (the version Argo CD v2.10.18 ships) from the Go module proxy into ${dir} (once, about a minute)`);
    const result = spawnSync('go', ['install', `${KUSTOMIZE_MODULE}@${KUSTOMIZE_VERSION}`], { env: { ...process.env, GOBIN: dir, GOFLAGS: '-mod=mod' }, encoding: 'utf8', timeout: 15 * 60 * 1000 });
    if (result.status !== 0) {
      throw new Error(`building kustomize ${KUSTOMIZE_VERSION} failed: ${result.stderr || result.error?.message}`);
    }
  }
  return dir;
}
