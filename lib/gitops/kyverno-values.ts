/**
 * The kubectl image of Kyverno's Helm-hook and report-cleanup jobs (chart 3.1.5 values
 * webhooksCleanup, policyReportsCleanup, cleanupJobs.admissionReports and
 * .clusterAdmissionReports). The chart names `bitnami/kubectl:1.28.5`, a rolling Bitnami tag that
 * Bitnami removed from docker.io/bitnami in 2025 and froze, with every versioned tag, in
 * docker.io/bitnamilegacy (https://github.com/bitnami/containers/issues/83267), so pods of the
 * chart's default sit in ImagePullBackOff. The jobs run /bin/sh and bash scripts (awk, xargs), so
 * the distroless registry.k8s.io/kubectl that Kyverno's chart 3.6.0 moved to along with rewritten
 * hooks (kyverno/kyverno#13716) does not fit 3.1.5. No public source states the digest of
 * bitnamilegacy/kubectl:1.28.5: it is left to the release issue's pinning command (issue 17).
 */
export const KYVERNO_KUBECTL_IMAGE = { registry: 'docker.io', repository: 'bitnamilegacy/kubectl', tag: '1.28.5' } as const;

/** Helm values of the kyverno add-on: the same pinned kubectl image for every job that runs one. */
export const KYVERNO_HELM_VALUES = {
  webhooksCleanup: { image: KYVERNO_KUBECTL_IMAGE },
  policyReportsCleanup: { image: KYVERNO_KUBECTL_IMAGE },
  cleanupJobs: { admissionReports: { image: KYVERNO_KUBECTL_IMAGE }, clusterAdmissionReports: { image: KYVERNO_KUBECTL_IMAGE } },
} as const;
