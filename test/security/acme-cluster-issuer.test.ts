import { NamespaceBaseline } from '../../lib/platform/namespace-baseline';
import { AcmeClusterIssuer, AcmeClusterIssuerProps } from '../../lib/security/acme-cluster-issuer';
import { emptyChart, find, kinds, objectsOf } from '../support/kube';
import { ingressController } from '../support/service-fixtures';

const LETS_ENCRYPT = 'https://acme-v02.api.letsencrypt.org/directory';

function setup() {
  const chart = emptyChart();
  const namespace = new NamespaceBaseline(chart, 'namespace', { namespaceName: 'apps', quotaHeadroomPercent: 0 });
  return { chart, namespace };
}

describe('AcmeClusterIssuer', () => {
  test('with minimal props: a cluster-scoped ACME issuer solving HTTP-01 through ingress-nginx', () => {
    const { chart, namespace } = setup();
    const issuer = new AcmeClusterIssuer(chart, 'letsencrypt-production', {
      server: LETS_ENCRYPT, email: 'team@example.com', solverNamespace: namespace, maxConcurrentChallenges: 2, ingressController,
    });
    const objects = objectsOf(chart);
    const rendered = find(objects, 'ClusterIssuer', 'letsencrypt-production');
    expect(rendered.apiVersion).toBe('cert-manager.io/v1');
    expect(rendered.metadata.namespace).toBeUndefined();
    expect(rendered.spec).toEqual({
      acme: {
        server: LETS_ENCRYPT,
        email: 'team@example.com',
        privateKeySecretRef: { name: 'letsencrypt-production-account-key' },
        solvers: [{ http01: { ingress: { ingressClassName: 'nginx', serviceType: 'ClusterIP' } } }],
      },
    });
    expect({ issuerName: issuer.issuerName, issuerKind: issuer.issuerKind }).toEqual({ issuerName: 'letsencrypt-production', issuerKind: 'ClusterIssuer' });
  });

  test('admits only the ingress controller to the solver pods, on the solver port', () => {
    const { chart, namespace } = setup();
    new AcmeClusterIssuer(chart, 'letsencrypt', { server: LETS_ENCRYPT, email: 'team@example.com', solverNamespace: namespace, maxConcurrentChallenges: 2, ingressController });
    const policy = find(objectsOf(chart), 'NetworkPolicy', 'letsencrypt-allow-http01-solver');
    expect(policy.metadata.namespace).toBe('apps');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }],
        ports: [{ port: 8089, protocol: 'TCP' }],
      }],
    });
  });

  test('counts one solver pod per concurrent challenge (cert-manager\'s default 100m / 64Mi limits) into the namespace quota', () => {
    const { chart, namespace } = setup();
    new AcmeClusterIssuer(chart, 'letsencrypt', { server: LETS_ENCRYPT, email: 'team@example.com', solverNamespace: namespace, maxConcurrentChallenges: 3, ingressController });
    const objects = objectsOf(chart);
    expect(find(objects, 'ResourceQuota', 'workload-quota').spec.hard).toMatchObject({ 'pods': 3, 'limits.memory': '1Gi', 'requests.ephemeral-storage': '3Gi' });
    // The LimitRange maximum stays at least the solver's limits.
    expect(find(objects, 'LimitRange', 'container-limits').spec.limits[0].max).toEqual({ cpu: '100m', memory: '128Mi' });
  });

  test('with all props', () => {
    const { chart, namespace } = setup();
    const props: Required<AcmeClusterIssuerProps> = {
      server: 'https://acme-staging-v02.api.letsencrypt.org/directory', email: 'ops@example.org', solverNamespace: namespace,
      maxConcurrentChallenges: 1, ingressController, ingressClassName: 'public-nginx', accountKeySecretName: 'acme-account',
    };
    new AcmeClusterIssuer(chart, 'letsencrypt-staging', props);
    const objects = objectsOf(chart);
    expect(find(objects, 'ClusterIssuer', 'letsencrypt-staging').spec.acme).toMatchObject({
      server: 'https://acme-staging-v02.api.letsencrypt.org/directory',
      email: 'ops@example.org',
      privateKeySecretRef: { name: 'acme-account' },
      solvers: [{ http01: { ingress: { ingressClassName: 'public-nginx', serviceType: 'ClusterIP' } } }],
    });
    expect(kinds(objects, 'NetworkPolicy').map((p) => p.metadata.name)).toContain('letsencrypt-staging-allow-http01-solver');
  });

  const valid = { server: LETS_ENCRYPT, email: 'team@example.com', maxConcurrentChallenges: 2 };
  test.each([
    ['LetsEncrypt', valid, 'AcmeClusterIssuer LetsEncrypt: the construct id (the ClusterIssuer name) is "LetsEncrypt"; use a DNS label'],
    ['le', { ...valid, server: 'http://acme.example.com/directory' }, 'AcmeClusterIssuer le: server is "http://acme.example.com/directory"; use the https:// URL of the ACME directory'],
    ['le', { ...valid, email: 'nobody' }, 'AcmeClusterIssuer le: email is "nobody"; use a mailbox the team reads'],
    ['le', { ...valid, maxConcurrentChallenges: 0 }, 'AcmeClusterIssuer le: maxConcurrentChallenges is 0; use the number of hostnames'],
    ['le', { ...valid, accountKeySecretName: 'Account_Key' }, 'AcmeClusterIssuer le: accountKeySecretName is "Account_Key"; use a DNS label'],
  ])('fails for id %p with %p', (id, props, message) => {
    const { chart, namespace } = setup();
    expect(() => new AcmeClusterIssuer(chart, id, { ...props, solverNamespace: namespace, ingressController })).toThrow(message);
  });
});
