import { Construct } from 'constructs';
import { Replicas } from '../../lib/platform/replicas';
import { DeliveryStrategy } from '../../lib/delivery/delivery-strategy';
import { ReleaseAnalysis } from '../../lib/delivery/release-analysis';
import { CLIENT_SECRET_KEY, COOKIE_SECRET_KEY, OAuth2Proxy } from '../../lib/security/oauth2-proxy';
import { VaultSecret } from '../../lib/security/vault-secret';
import { ApiService, ApiServiceProps } from '../../lib/services/api-service';
import { RedisCluster } from '../../lib/stores/redis-cluster';
import { redisScope, TLS_ISSUER } from '../stores/support/redis-fixtures';
import { find, objectsOf } from '../support/kube';
import { IMAGE, ingressController, publicTls, oneReplica, PINNED_IMAGE, prometheus, serviceScope, smallResources } from '../support/service-fixtures';

describe('ApiService', () => {
  test('with minimal props: Express on port 8080 behind ingress-nginx', () => {
    const { chart, namespace } = serviceScope();
    new ApiService(chart, 'api', {
      namespace, image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'],
      hostname: 'api.example.com', ingressController, metricsScraper: prometheus, ...publicTls,
    });
    const objects = objectsOf(chart);
    const container = find(objects, 'Deployment', 'api').spec.template.spec.containers[0];
    expect(container.ports[0]).toEqual({ name: 'http', containerPort: 8080, protocol: 'TCP' });
    expect(container.env).toContainEqual({ name: 'TRUST_PROXY_HOPS', value: '1' });
    expect(find(objects, 'Deployment', 'api').spec.template.spec.volumes.map((v: any) => v.name)).toEqual(['tmp', 'server-tls']);
    expect(find(objects, 'Deployment', 'api').spec.template.spec.volumes[0]).toEqual({ name: 'tmp', emptyDir: { sizeLimit: '3Gi' } });
    expect(find(objects, 'Ingress', 'api').spec.tls).toEqual([{ hosts: ['api.example.com'], secretName: 'api-tls' }]);
    expect(find(objects, 'Certificate', 'api-tls').spec).toMatchObject({ secretName: 'api-tls', dnsNames: ['api.example.com'], issuerRef: { kind: 'Issuer', name: 'ca' } });
    expect(find(objects, 'NetworkPolicy', 'api-allow-from-ingress-nginx').spec.ingress[0].from[0].namespaceSelector)
      .toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } });
  });

  test('with all props: a canary Rollout through ingress-nginx, its HorizontalPodAutoscaler aimed at the Rollout', () => {
    const { chart, namespace } = serviceScope();
    const analysis = new ReleaseAnalysis(new Construct(chart, 'delivery'), 'api', { namespace: 'apps', prometheusUrl: 'http://prometheus.monitoring.svc:9090' });
    const props: Required<ApiServiceProps> = {
      namespace, image: PINNED_IMAGE, replicas: Replicas.autoscaled({ min: 3, max: 9 }),
      resources: { cpuMillis: 2000, memoryMi: 4096, storageGi: 20 }, zones: ['z1', 'z2'],
      hostname: 'api.example.org', ingressController, metricsScraper: prometheus, tlsIssuer: { issuerName: 'letsencrypt', issuerKind: 'ClusterIssuer' }, tlsCertificateLifetime: { durationHours: 2160, renewBeforeHours: 720 },
      targetCpuUtilizationPercent: 80, strictTopologySpread: false, logLevel: 'debug',
      startupTimeoutSeconds: 30, deliveryStrategy: DeliveryStrategy.canary({ analysis }),
      serverTlsIssuer: { issuerName: 'platform-ca', issuerKind: 'ClusterIssuer' }, serverTlsCertificateLifetime: { durationHours: 1440, renewBeforeHours: 480 },
    };
    const api = new ApiService(chart, 'api', props);
    const objects = objectsOf(chart);
    expect(api.node.validate()).toEqual([]);
    expect(find(objects, 'HorizontalPodAutoscaler', 'api').spec.metrics[0].resource.target.averageUtilization).toBe(80);
    expect(find(objects, 'HorizontalPodAutoscaler', 'api').spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'api' });
    const rollout = find(objects, 'Rollout', 'api');
    expect(rollout.spec.strategy.canary).toMatchObject({ stableService: 'api', canaryService: 'api-canary', trafficRouting: { nginx: { stableIngress: 'api' } } });
    expect(find(objects, 'Service', 'api-canary').spec.ports).toEqual(find(objects, 'Service', 'api').spec.ports);
    expect(rollout.spec.template.spec.volumes[0]).toEqual({ name: 'tmp', emptyDir: { sizeLimit: '19Gi' } });
    expect(find(objects, 'Certificate', 'api-server-tls').spec).toMatchObject({
      dnsNames: ['api.apps.svc', 'api.apps.svc.cluster.local', 'api-canary.apps.svc', 'api-canary.apps.svc.cluster.local'],
      duration: '1440h', renewBefore: '480h', issuerRef: { kind: 'ClusterIssuer', name: 'platform-ca' },
    });
    expect(find(objects, 'Certificate', 'ingress-backend-client').spec.issuerRef).toMatchObject({ kind: 'ClusterIssuer', name: 'platform-ca' });
    expect(rollout.spec.template.spec.containers[0].env).toContainEqual({ name: 'LOG_LEVEL', value: 'debug' });
    expect(rollout.spec.template.spec.containers[0].startupProbe.failureThreshold).toBe(6);
    expect(find(objects, 'Ingress', 'api').spec.rules[0].host).toBe('api.example.org');
  });

  test('as a canary behind sign-in, shifts the public paths\' Ingress with the main one, and leaves the proxy\'s sign-in Ingress alone', () => {
    const { chart, namespace, vaultPathPrefix } = redisScope();
    const redis = new RedisCluster(chart, 'redis', { namespace, vaultPathPrefix, zones: ['z1'], metricsScraper: prometheus, tlsIssuer: TLS_ISSUER });
    const proxy = new OAuth2Proxy(chart, 'oauth2-proxy', {
      namespace, image: { repository: 'quay.io/oauth2-proxy/oauth2-proxy', tag: 'v7.6.0' }, issuerUrl: 'https://login.example.com/realms/platform',
      clientId: 'platform', groupsClaim: 'groups', allowedGroups: ['platform-users'], mfaClaim: 'amr', mfaAcceptedValues: ['mfa'], sessionHours: 8, refreshMinutes: 15,
      hostnames: ['api.example.com'], sessionStore: redis, identityProviderCidrs: ['10.20.4.0/28'], ingressController, metricsScraper: prometheus, zones: ['z1'],
      credentials: new VaultSecret(chart, 'oauth2-proxy-secret', {
        namespace: namespace.namespaceName, secretName: 'oauth2-proxy', vaultPath: 'generator-platform/test/oauth2-proxy', keys: [CLIENT_SECRET_KEY, COOKIE_SECRET_KEY],
      }),
    });
    const analysis = new ReleaseAnalysis(new Construct(chart, 'delivery'), 'api', { namespace: 'apps', prometheusUrl: 'http://prometheus.monitoring.svc:9090' });
    const api = new ApiService(chart, 'api', {
      namespace, image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus,
      hostname: 'api.example.com', ingressController, ...publicTls, deliveryStrategy: DeliveryStrategy.canary({ analysis }),
    });
    api.requireSignIn(proxy, { publicPaths: ['/healthz', '/webhooks/'] });
    const objects = objectsOf(chart);
    expect(find(objects, 'Rollout', 'api').spec.strategy.canary.trafficRouting).toEqual({ nginx: { stableIngresses: ['api', 'api-public'] } });
    for (const name of ['api', 'api-public']) {
      expect(find(objects, 'Ingress', name).spec.rules[0].http.paths.every((path: any) => path.backend.service.name === 'api')).toBe(true);
    }
    expect(find(objects, 'Ingress', 'api-sign-in').spec.rules[0].http.paths[0].backend.service.name).toBe('oauth2-proxy');
    // The public paths reach api over verified HTTPS like the main Ingress; the sign-in Ingress reaches the proxy, not api.
    const backendTls = {
      'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      'nginx.ingress.kubernetes.io/proxy-ssl-secret': 'apps/ingress-backend-client',
      'nginx.ingress.kubernetes.io/proxy-ssl-verify': 'on',
      'nginx.ingress.kubernetes.io/proxy-ssl-name': 'api.apps.svc',
      'nginx.ingress.kubernetes.io/proxy-ssl-server-name': 'on',
    };
    expect(find(objects, 'Ingress', 'api').metadata.annotations).toMatchObject(backendTls);
    expect(find(objects, 'Ingress', 'api-public').metadata.annotations).toMatchObject(backendTls);
    expect(find(objects, 'Ingress', 'api-sign-in').metadata.annotations['nginx.ingress.kubernetes.io/proxy-ssl-name']).not.toBe('api.apps.svc');
  });

  test('fails on an upper-case hostname', () => {
    const { chart, namespace } = serviceScope();
    expect(() => new ApiService(chart, 'api', {
      namespace, image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'],
      hostname: 'API.example.com', ingressController, metricsScraper: prometheus, ...publicTls,
    })).toThrow('api: hostname is "API.example.com"');
  });
});
