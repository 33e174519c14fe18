import { clusterBinaries, clusterBinaryDir, KUBERNETES_VERSION, KWOK_VERSION } from './kubernetes-binaries';

/**
 * `node --import tsx tools/cluster/build-cli.ts`: builds kube-apiserver, kube-controller-manager,
 * kube-scheduler and KWOK once (tools/cluster/kubernetes-binaries.ts), before the cluster tests
 * start, so that no suite builds them inside its time-out; prints where they are.
 */
const started = Date.now();
try {
  const binaries = clusterBinaries((line) => console.log(`cluster binaries: ${line}`));
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`cluster binaries: Kubernetes ${KUBERNETES_VERSION} and KWOK ${KWOK_VERSION} in ${clusterBinaryDir()} (${seconds} s), etcd ${binaries.etcd}`);
} catch (error) {
  console.error(`cluster binaries: ${(error as Error).message}`);
  process.exitCode = 1;
}
