/** Paths and ports every workload of the platform shares, so that clients and servers agree on them. */

/** Service port that forwards to a workload's HTTPS traffic port. */
export const SERVICE_HTTP_PORT = 80;

/** Folder under which a workload mounts the `ca.crt` of each CA it trusts, one folder per Secret. */
export const TRUSTED_CA_ROOT = '/etc/generator-platform/ca';

/** Folder holding a service's own key pair (`tls.crt`, `tls.key`, `ca.crt`), refreshed in place by the kubelet on renewal. */
export const SERVER_TLS_ROOT = '/etc/generator-platform/tls';

/** Where a workload that trusts the CA of `secretName` finds its `ca.crt`. */
export function trustedCaFile(secretName: string): string {
  return `${TRUSTED_CA_ROOT}/${secretName}/ca.crt`;
}
