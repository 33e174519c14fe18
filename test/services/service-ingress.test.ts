import { k8s } from 'cdk8s-plus-27';
import { PropError } from '../../lib/platform/prop-error';
import { ServiceIngress, ServiceIngressProps } from '../../lib/services/service-ingress';
import { SignInIngresses, SignInIngressesProps } from '../../lib/services/sign-in-ingresses';
import { emptyChart, find, objectsOf } from '../support/kube';
import { BACKEND_TLS, MINIMAL_SERVICE_INGRESS, SIGN_IN_PROXY } from './support/ingress-fixtures';

const minimal = MINIMAL_SERVICE_INGRESS;
const proxy = SIGN_IN_PROXY;

describe('ServiceIngress', () => {
  test('with minimal props: a Certificate for the hostname and a limited Ingress that redirects to HTTPS', () => {
    const chart = emptyChart();
    new ServiceIngress(chart, 'IngressExposure', minimal);
    const objects = objectsOf(chart);
    expect(find(objects, 'Certificate', 'web-tls').spec.dnsNames).toEqual(['app.example.com']);
    const ingress = find(objects, 'Ingress', 'web');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.metadata.annotations).toMatchObject({ ...BACKEND_TLS, 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true', 'nginx.ingress.kubernetes.io/limit-rps': '20', 'nginx.ingress.kubernetes.io/proxy-body-size': '10m' });
  });

  test('with all props: its own class, TLS Secret and limits', () => {
    const chart = emptyChart();
    const props: Required<ServiceIngressProps> = {
      ...minimal, ingressClassName: 'internal', tlsSecretName: 'app-cert', rateLimitPerSecond: 50, connectionLimit: 30, maxBodySizeMi: 100, upstreamTimeoutSeconds: 300,
    };
    new ServiceIngress(chart, 'IngressExposure', props);
    const ingress = find(objectsOf(chart), 'Ingress', 'web');
    expect(ingress.spec).toMatchObject({ ingressClassName: 'internal', tls: [{ hosts: ['app.example.com'], secretName: 'app-cert' }] });
    expect(ingress.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/limit-rps': '50',
      'nginx.ingress.kubernetes.io/limit-connections': '30',
      'nginx.ingress.kubernetes.io/proxy-body-size': '100m',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '300',
    });
  });

  test.each([
    [{ hostname: 'App.example.com' }, 'web: hostname is "App.example.com"; use a fully qualified lower-case DNS name'],
    [{ rateLimitPerSecond: 0 }, 'web: rateLimitPerSecond is 0; use a whole number from 1 to 10000: every Ingress is limited'],
    [{ maxBodySizeMi: 2048 }, 'web: maxBodySizeMi is 2048; use a whole number from 1 to 1024'],
  ])('fails on %p', (overrides, message) => {
    const chart = emptyChart();
    const build = () => new ServiceIngress(chart, 'IngressExposure', { ...minimal, ...overrides });
    expect(build).toThrow(message);
    expect(build).toThrow(PropError);
    expect(chart.node.tryFindChild('IngressExposure')).toBeUndefined();
  });
});

describe('SignInIngresses', () => {
  function exposed(): { chart: ReturnType<typeof emptyChart>; ingress: k8s.KubeIngress } {
    const chart = emptyChart();
    return { chart, ingress: new ServiceIngress(chart, 'IngressExposure', minimal).ingress };
  }
  const signInProps = (ingress: k8s.KubeIngress): SignInIngressesProps => ({ serviceName: 'web', namespace: 'apps', labels: { 'app.kubernetes.io/name': 'web' }, ingress, proxy, backendTlsAnnotations: BACKEND_TLS });

  test('with minimal props: the Ingress asks the proxy, which publishes its endpoints on the same host; no public paths', () => {
    const { chart, ingress } = exposed();
    const signIn = new SignInIngresses(chart, 'SignIn', signInProps(ingress));
    const objects = objectsOf(chart);
    expect(find(objects, 'Ingress', 'web').metadata.annotations['nginx.ingress.kubernetes.io/auth-url']).toBe(proxy.authUrl);
    const signInIngress = find(objects, 'Ingress', 'web-sign-in');
    expect(signInIngress.spec.rules[0].http.paths).toEqual([{ path: '/oauth2', pathType: 'Prefix', backend: proxy.ingressBackend() }]);
    expect(signInIngress.metadata.annotations['nginx.ingress.kubernetes.io/backend-protocol']).toBeUndefined();
    expect(signInIngress.metadata.annotations['nginx.ingress.kubernetes.io/limit-rps']).toBe('20');
    expect(signIn.publicIngressName).toBeUndefined();
  });

  test('with all props: the public paths, and only those, without sign-in, for the reason given', () => {
    const { chart, ingress } = exposed();
    const props: Required<SignInIngressesProps> = { ...signInProps(ingress), publicPaths: ['/healthz', '/webhooks/'], publicPathsReason: 'probes and signed webhooks' };
    const signIn = new SignInIngresses(chart, 'SignIn', props);
    const publicIngress = find(objectsOf(chart), 'Ingress', 'web-public');
    expect(signIn.publicIngressName).toBe('web-public');
    expect(publicIngress.spec.rules[0].http.paths.map((p: any) => [p.path, p.pathType])).toEqual([['/healthz', 'Exact'], ['/webhooks/', 'Prefix']]);
    expect(publicIngress.metadata.annotations).toMatchObject({ ...BACKEND_TLS, 'security.generator-platform.dev/public-paths': 'probes and signed webhooks' });
  });

  test.each(['/', '/oauth2/userinfo', 'healthz'])('fails on the public path %p', (path) => {
    const { chart, ingress } = exposed();
    expect(() => new SignInIngresses(chart, 'SignIn', { ...signInProps(ingress), publicPaths: [path] })).toThrow(`web: public path ${JSON.stringify(path)} is not a path below / outside /oauth2`);
    expect(chart.node.tryFindChild('SignIn')).toBeUndefined();
  });
});
