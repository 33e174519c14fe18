import { k8s } from 'cdk8s-plus-27';

/** UID and GID the platform's containers run as: not root, above the range images commonly hard-code. */
export const RUN_AS_ID = 10001;

/** The Pod Security Standard `restricted` at pod level, running as `id`. */
export function restrictedPodSecurityContext(id: number = RUN_AS_ID): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: id,
    runAsGroup: id,
    fsGroup: id,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * The Pod Security Standard `restricted` for one container, with a read-only root filesystem.
 * Without `id`, the user comes from the pod's security context (e.g. one an operator sets).
 */
export function restrictedContainerSecurityContext(id?: number): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: id,
    runAsGroup: id,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
