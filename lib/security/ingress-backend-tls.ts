/** The namespace's client certificate for ingress-nginx, whose `ca.crt` also verifies the backends. */
export const INGRESS_BACKEND_CLIENT_SECRET = 'ingress-backend-client';

const NGINX = 'nginx.ingress.kubernetes.io/';

/**
 * ingress-nginx annotations that make the controller speak HTTPS to a backend Service and verify
 * its certificate against the internal CA, by the name `serverName` (also sent as SNI).
 * `proxy-ssl-secret` is read for `ca.crt` (the CA to verify with) and `tls.crt`/`tls.key` (the
 * controller's client certificate), so it names the namespace's client certificate, never a
 * server's key pair. Depth 2: a Vault PKI chain is leaf, intermediate, root; nginx's default of 1
 * would refuse it.
 */
export function ingressBackendTlsAnnotations(namespace: string, serverName: string, clientSecretName: string = INGRESS_BACKEND_CLIENT_SECRET): Record<string, string> {
  return {
    [`${NGINX}backend-protocol`]: 'HTTPS',
    [`${NGINX}proxy-ssl-secret`]: `${namespace}/${clientSecretName}`,
    [`${NGINX}proxy-ssl-verify`]: 'on',
    [`${NGINX}proxy-ssl-verify-depth`]: '2',
    [`${NGINX}proxy-ssl-name`]: serverName,
    [`${NGINX}proxy-ssl-server-name`]: 'on',
  };
}
