import { clusterBinaries } from '../cluster/kubernetes-binaries';
import { argocdBinary, argocdBinaryDir, ARGOCD_VERSION } from './argocd-binary';
import { kustomizeBinaryDir, KUSTOMIZE_VERSION } from './kustomize-binary';

/**
 * `node --import tsx tools/argocd/build-cli.ts`: builds the control plane (tools/cluster/) and the
 * argocd and kustomize binaries once, before the Argo CD tests start, so that no suite builds them inside its
 * time-out; prints where they are.
 */
const started = Date.now();
try {
  clusterBinaries((line) => console.log(`cluster binaries: ${line}`));
  argocdBinary((line) => console.log(`argocd binary: ${line}`));
  const kustomize = kustomizeBinaryDir((line) => console.log(`argocd binary: ${line}`));
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`argocd binary: Argo CD ${ARGOCD_VERSION} in ${argocdBinaryDir()}, kustomize ${KUSTOMIZE_VERSION} in ${kustomize} (${seconds} s)`);
} catch (error) {
  console.error(`argocd binary: ${(error as Error).message}`);
  process.exitCode = 1;
}
