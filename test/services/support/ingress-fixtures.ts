import { k8s } from 'cdk8s-plus-27';
import { ServiceIngressProps } from '../../../lib/services/service-ingress';
import { ISignInProxy } from '../../../lib/workloads/sign-in-proxy';
import { ingressController, publicTls } from '../../support/service-fixtures';

export const BACKEND_TLS = { 'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS' };

/** ServiceIngress's required props for a service `web` in `apps`. */
export const MINIMAL_SERVICE_INGRESS: ServiceIngressProps = {
  hostname: 'app.example.com', ingressController, ...publicTls, serviceName: 'web', namespace: 'apps', labels: { 'app.kubernetes.io/name': 'web' }, backendTlsAnnotations: BACKEND_TLS,
};

/** A sign-in proxy as the services see it (ISignInProxy), without the proxy's own objects. */
export const SIGN_IN_PROXY: ISignInProxy = {
  name: 'oauth2-proxy',
  pathPrefix: '/oauth2',
  authUrl: 'https://oauth2-proxy.apps.svc.cluster.local/oauth2/auth',
  responseHeaders: ['X-Auth-Request-User', 'Authorization'],
  backendTlsAnnotations: { 'nginx.ingress.kubernetes.io/proxy-ssl-name': 'oauth2-proxy.apps.svc' },
  ingressBackend: (): k8s.IngressBackend => ({ service: { name: 'oauth2-proxy', port: { name: 'https' } } }),
  identityProviderPeers: [],
  identityProviderPort: 443,
  tokenVerificationEnvironment: () => [],
};
