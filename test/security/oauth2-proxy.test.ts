import { Chart } from 'cdk8s';
import { DeliveryKind, DeliveryStrategy } from '../../lib/delivery/delivery-strategy';
import { ReleaseAnalysis } from '../../lib/delivery/release-analysis';
import { SignInReleaseAnalysis } from '../../lib/delivery/sign-in-release-analysis';
import { Replicas } from '../../lib/platform/replicas';
import { CLIENT_SECRET_KEY, COOKIE_SECRET_KEY, OAuth2Proxy, OAuth2ProxyProps } from '../../lib/security/oauth2-proxy';
import { VaultSecret } from '../../lib/security/vault-secret';
import { ApiService } from '../../lib/services/api-service';
import { PUBLIC_PATHS_ANNOTATION } from '../../lib/platform/labels';
import { LongRunningService } from '../../lib/services/long-running-service';
import { RedisCluster } from '../../lib/stores/redis-cluster';
import { redisScope, TLS_ISSUER } from '../stores/support/redis-fixtures';
import { requiredProxyProps } from './support/oauth2-proxy-fixtures';
import { find, kinds, KubeObject, objectsOf } from '../support/kube';
import { IMAGE, ingressController, oneReplica, PINNED_IMAGE, prometheus, publicTls, smallResources } from '../support/service-fixtures';

/** The required props, with a Redis cluster and the Vault secret in a fresh chart. */
function proxyScope(): { chart: Chart; required: OAuth2ProxyProps } {
  const { chart, namespace, vaultPathPrefix } = redisScope();
  const redis = new RedisCluster(chart, 'redis', { namespace, vaultPathPrefix, zones: ['z1', 'z2', 'z3'], metricsScraper: prometheus, tlsIssuer: TLS_ISSUER });
  const credentials = new VaultSecret(chart, 'oauth2-proxy-secret', {
    namespace: 'apps', secretName: 'oauth2-proxy', vaultPath: 'generator-platform/test/oauth2-proxy', keys: [CLIENT_SECRET_KEY, COOKIE_SECRET_KEY],
  });
  return {
    chart,
    required: requiredProxyProps(namespace, redis, credentials),
  };
}

function minimalProxy(overrides: Partial<OAuth2ProxyProps> = {}): { chart: Chart; proxy: OAuth2Proxy; objects: () => KubeObject[] } {
  const { chart, required } = proxyScope();
  const proxy = new OAuth2Proxy(chart, 'oauth2-proxy', { ...required, ...overrides });
  return { chart, proxy, objects: () => objectsOf(chart) };
}

/** The sign-in proxy's canary: its pods' share of the subrequests, judged behind oauth2-proxy-canary. */
function signInCanary(chart: Chart, options: { trafficRouting?: boolean; pinStableService?: boolean } = {}): DeliveryStrategy {
  const analysis = new SignInReleaseAnalysis(chart, 'oauth2-proxy-analysis', { namespace: 'apps', prometheusUrl: 'http://prometheus.monitoring.svc:9090' });
  return DeliveryStrategy.canary({ analysis, trafficRouting: false, pinStableService: false, maxSurgePercent: 50, ...options });
}

const container = (objects: KubeObject[]) => find(objects, 'Deployment', 'oauth2-proxy').spec.template.spec.containers[0];
const proxyPolicies = (objects: KubeObject[]) => kinds(objects, 'NetworkPolicy').filter((p) => p.metadata.name.includes('oauth2-proxy'));

describe('OAuth2Proxy', () => {
  test('with minimal props: OIDC against the issuer, only the allowed groups, secure httpOnly SameSite=Lax host-only cookies with an expiry and a refresh', () => {
    const { objects } = minimalProxy();
    const args: string[] = container(objects()).args;
    expect(args).toEqual(expect.arrayContaining([
      '--provider=oidc',
      '--oidc-issuer-url=https://login.example.com/realms/platform',
      '--client-id=platform',
      '--email-domain=*',
      '--oidc-groups-claim=groups',
      '--allowed-group=platform-users',
      '--cookie-secure=true',
      '--cookie-httponly=true',
      '--cookie-samesite=lax',
      '--cookie-expire=8h',
      '--cookie-refresh=15m',
      '--reverse-proxy=true',
      '--set-xauthrequest=true',
      '--skip-provider-button=true',
      '--redirect-url=/oauth2/callback',
      '--whitelist-domain=app.example.com',
      '--whitelist-domain=api.example.com',
    ]));
    // __Host-: the browser refuses it with a Domain, so no session leaks to another host or environment.
    expect(args.filter((a) => a.startsWith('--cookie-name=') || a.startsWith('--cookie-domain='))).toEqual(['--cookie-name=__Host-generator-platform-session']);
    // Without acrValues no acr_values are sent.
    expect(args.some((a) => a.startsWith('--acr-values'))).toBe(false);
  });

  test('keeps sessions in the Redis cluster over TLS, verifying the nodes against the store\'s CA, with the store\'s password', () => {
    const { objects } = minimalProxy();
    const proxy = container(objects());
    expect(proxy.args).toEqual(expect.arrayContaining([
      '--session-store-type=redis',
      '--redis-use-cluster=true',
      '--redis-cluster-connection-urls=rediss://redis-z1-0.redis-headless.apps.svc.cluster.local:6379',
      '--redis-cluster-connection-urls=rediss://redis-z3-1.redis-headless.apps.svc.cluster.local:6379',
      '--redis-ca-path=/etc/oauth2-proxy/redis-ca/ca.crt',
    ]));
    expect(proxy.args.some((a: string) => a.startsWith('--redis-cluster-connection-urls=redis://'))).toBe(false);
    const pod = find(objects(), 'Deployment', 'oauth2-proxy').spec.template.spec;
    // Only ca.crt of the nodes' certificate Secret, which also holds their private key.
    expect(pod.volumes).toContainEqual({ name: 'redis-ca', secret: { secretName: 'redis-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } });
    expect(proxy.volumeMounts).toContainEqual({ name: 'redis-ca', mountPath: '/etc/oauth2-proxy/redis-ca', readOnly: true });
  });

  test('takes the client secret, the cookie secret and the Redis password by reference only', () => {
    const { objects } = minimalProxy();
    expect(container(objects()).env).toEqual([
      { name: 'OAUTH2_PROXY_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: 'oauth2-proxy', key: 'client-secret' } } },
      { name: 'OAUTH2_PROXY_COOKIE_SECRET', valueFrom: { secretKeyRef: { name: 'oauth2-proxy', key: 'cookie-secret' } } },
      { name: 'OAUTH2_PROXY_REDIS_USERNAME', value: 'oauth2-proxy' },
      { name: 'OAUTH2_PROXY_REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-oauth2-proxy-credentials', key: 'password' } } },
    ]);
    expect(JSON.stringify(container(objects()).args)).not.toMatch(/secret=|password=/);
    // Read at start: Reloader restarts the pods when one of them is rotated.
    expect(find(objects(), 'Deployment', 'oauth2-proxy').metadata.annotations['secret.reloader.stakater.com/reload']).toBe('oauth2-proxy,oauth2-proxy-server-tls,redis-oauth2-proxy-credentials');
  });

  test('listens on HTTPS only, sign-in and metrics alike, with a certificate from the internal CA; a renewal restarts the pods', () => {
    const { objects } = minimalProxy();
    const proxy = container(objects());
    expect(proxy.args).toEqual(expect.arrayContaining([
      '--https-address=0.0.0.0:4180',
      '--tls-cert-file=/etc/oauth2-proxy/tls/tls.crt',
      '--tls-key-file=/etc/oauth2-proxy/tls/tls.key',
      '--tls-min-version=TLS1.2',
      '--metrics-secure-address=0.0.0.0:44180',
      '--metrics-tls-cert-file=/etc/oauth2-proxy/tls/tls.crt',
      '--metrics-tls-key-file=/etc/oauth2-proxy/tls/tls.key',
    ]));
    // No plaintext listener: with a key pair oauth2-proxy 7 ignores --http-address, and no --metrics-address is set.
    expect(proxy.args.filter((a: string) => a.startsWith('--http-address') || a.startsWith('--metrics-address'))).toEqual([]);
    expect(proxy.ports).toEqual([
      { name: 'https', containerPort: 4180, protocol: 'TCP' },
      { name: 'metrics', containerPort: 44180, protocol: 'TCP' },
    ]);

    const certificate = find(objects(), 'Certificate', 'oauth2-proxy-server-tls');
    expect(certificate.spec).toMatchObject({
      secretName: 'oauth2-proxy-server-tls',
      commonName: 'oauth2-proxy.apps.svc',
      dnsNames: ['oauth2-proxy.apps.svc', 'oauth2-proxy.apps.svc.cluster.local'],
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'internal-ca' },
      duration: '2160h',
      renewBefore: '720h',
    });
    const pod = find(objects(), 'Deployment', 'oauth2-proxy').spec.template.spec;
    // The key pair only, readable by the pod's group; the folder, so the kubelet swaps in a renewal.
    expect(pod.volumes).toContainEqual({
      name: 'server-tls',
      secret: { secretName: 'oauth2-proxy-server-tls', items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }], defaultMode: 0o440 },
    });
    expect(proxy.volumeMounts).toContainEqual({ name: 'server-tls', mountPath: '/etc/oauth2-proxy/tls', readOnly: true });
    // oauth2-proxy 7.6 reads the key pair once, at start: Reloader restarts the pods on a renewal.
    expect(find(objects(), 'Deployment', 'oauth2-proxy').metadata.annotations['secret.reloader.stakater.com/reload'].split(',')).toContain('oauth2-proxy-server-tls');

    expect(find(objects(), 'Service', 'oauth2-proxy').spec.ports).toEqual([
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP', appProtocol: 'https' },
      { name: 'metrics', port: 44180, targetPort: 'metrics', protocol: 'TCP', appProtocol: 'https' },
    ]);
  });

  test('is scraped over HTTPS, verified against the internal CA by the Service\'s name', () => {
    const { objects } = minimalProxy();
    expect(find(objects(), 'ServiceMonitor', 'oauth2-proxy').spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'oauth2-proxy', 'app.kubernetes.io/part-of': 'generator-platform' } },
      namespaceSelector: { matchNames: ['apps'] },
      endpoints: [{
        port: 'metrics',
        path: '/metrics',
        scheme: 'https',
        tlsConfig: { ca: { secret: { name: 'oauth2-proxy-server-tls', key: 'ca.crt' } }, serverName: 'oauth2-proxy.apps.svc' },
        interval: '15s',
      }],
    });
  });

  test('runs restricted: non-root, read-only root filesystem, no escalation, ALL dropped, RuntimeDefault, no API token, requests equal limits, probes', () => {
    const { objects } = minimalProxy();
    const pod = find(objects(), 'Deployment', 'oauth2-proxy').spec.template.spec;
    const proxy = container(objects());
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(proxy.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('oauth2-proxy');
    expect(find(objects(), 'ServiceAccount', 'oauth2-proxy').automountServiceAccountToken).toBe(false);
    expect(proxy.resources.limits).toEqual(proxy.resources.requests);
    expect(Object.keys(proxy.resources.requests).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
    expect(proxy.args).toEqual(expect.arrayContaining(['--ping-path=/healthz', '--ready-path=/readyz']));
    expect(proxy.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'https', scheme: 'HTTPS' });
    expect(proxy.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
    expect(proxy.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
  });

  test('runs two pods by default, spread over zones and nodes, with a budget that lets one go at a time', () => {
    const { objects } = minimalProxy();
    const deployment = find(objects(), 'Deployment', 'oauth2-proxy');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.whenUnsatisfiable])).toEqual([
      ['topology.kubernetes.io/zone', 'DoNotSchedule'],
      ['kubernetes.io/hostname', 'DoNotSchedule'],
    ]);
    expect(find(objects(), 'PodDisruptionBudget', 'oauth2-proxy').spec).toMatchObject({ maxUnavailable: 1, selector: deployment.spec.selector });
    expect(kinds(objects(), 'HorizontalPodAutoscaler')).toEqual([]);
  });

  test('opens exactly its flows: ingress-nginx and Prometheus in, Redis and the identity provider on 443 out', () => {
    const { objects } = minimalProxy({ identityProviderCidrs: ['10.20.4.0/28', '10.20.5.0/28'] });
    const policies = Object.fromEntries(proxyPolicies(objects()).map((p) => [p.metadata.name, p.spec]));
    expect(Object.keys(policies).sort()).toEqual([
      'oauth2-proxy-allow-egress-to-identity-provider',
      'oauth2-proxy-allow-egress-to-redis',
      'oauth2-proxy-allow-from-ingress-nginx',
      'oauth2-proxy-allow-metrics-scrape',
      'redis-allow-from-oauth2-proxy',
    ]);
    expect(policies['oauth2-proxy-allow-from-ingress-nginx'].ingress).toEqual([{ from: [ingressController.toNetworkPolicyPeer()], ports: [{ protocol: 'TCP', port: 4180 }] }]);
    expect(policies['oauth2-proxy-allow-egress-to-identity-provider'].egress).toEqual([{
      to: [{ ipBlock: { cidr: '10.20.4.0/28' } }, { ipBlock: { cidr: '10.20.5.0/28' } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    }]);
    const redisSide = policies['redis-allow-from-oauth2-proxy'];
    expect(redisSide.podSelector.matchLabels['app.kubernetes.io/name']).toBe('redis');
    expect(redisSide.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'oauth2-proxy', 'app.kubernetes.io/part-of': 'generator-platform' } } }], ports: [{ protocol: 'TCP', port: 6379 }] }]);
    // ingress-nginx only asks the proxy; the proxy is never in front of web or api.
    const egressTargets = proxyPolicies(objects()).filter((p) => p.metadata.name.startsWith('oauth2-proxy')).flatMap((p) => p.spec.egress ?? []).flatMap((rule: any) => rule.to);
    expect(egressTargets.every((peer: any) => peer.ipBlock || peer.podSelector.matchLabels['app.kubernetes.io/name'] === 'redis')).toBe(true);
  });

  test('counts its pods, surge included, into the namespace quota', () => {
    const { proxy } = minimalProxy({ replicas: Replicas.autoscaled({ min: 2, max: 4 }) });
    expect(proxy.footprint).toMatchObject({ maxPods: 6, podCpuMillis: 200, podMemoryMi: 128 });
  });

  test('with all props', () => {
    const { chart, required } = proxyScope();
    const props: Required<OAuth2ProxyProps> = {
      ...required,
      deliveryStrategy: signInCanary(chart),
      acrValues: 'mfa',
      replicas: Replicas.autoscaled({ min: 2, max: 4 }),
      strictTopologySpread: false,
      cpuMillis: 300,
      memoryMi: 256,
      serverTlsIssuer: { issuerName: 'other-ca', issuerKind: 'Issuer' },
      serverTlsCertificateLifetime: { durationHours: 720, renewBeforeHours: 240 },
      ingressBackendClientSecretName: 'nginx-client',
    };
    const proxy = new OAuth2Proxy(chart, 'oauth2-proxy', props);
    const objects = objectsOf(chart);
    expect(find(objects, 'Certificate', 'oauth2-proxy-server-tls').spec).toMatchObject({ issuerRef: { kind: 'Issuer', name: 'other-ca' }, duration: '720h', renewBefore: '240h' });
    expect(proxy.backendTlsAnnotations['nginx.ingress.kubernetes.io/proxy-ssl-secret']).toBe('apps/nginx-client');
    const rollout = find(objects, 'Rollout', 'oauth2-proxy');
    expect(rollout.spec.template.spec.containers[0].resources.requests).toMatchObject({ cpu: '300m', memory: '256Mi' });
    expect(rollout.spec.template.spec.containers[0].args).toContain('--acr-values=mfa');
    expect(rollout.spec.replicas).toBeUndefined();
    expect(find(objects, 'HorizontalPodAutoscaler', 'oauth2-proxy').spec).toMatchObject({
      minReplicas: 2, maxReplicas: 4, scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'oauth2-proxy' },
    });
    expect(rollout.spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable).toBe('ScheduleAnyway');
  });

  test('as a canary: a Rollout with only a canaryService, its own Service selecting every pod; the same pods, Services scraped alike', () => {
    const { chart, required } = proxyScope();
    const proxy = new OAuth2Proxy(chart, 'oauth2-proxy', { ...required, replicas: Replicas.autoscaled({ min: 2, max: 4 }), deliveryStrategy: signInCanary(chart) });
    const objects = objectsOf(chart);
    expect(kinds(objects, 'Deployment').filter((d) => d.metadata.name === 'oauth2-proxy')).toEqual([]);
    const rollout = find(objects, 'Rollout', 'oauth2-proxy');
    const canary = rollout.spec.strategy.canary;
    // No stableService: Argo Rollouts leaves the proxy's Service alone, so it keeps selecting every pod.
    expect(canary.stableService).toBeUndefined();
    expect(canary).toMatchObject({ canaryService: 'oauth2-proxy-canary', maxSurge: '50%', maxUnavailable: 0 });
    expect(canary.trafficRouting).toBeUndefined();
    expect(canary.steps).toEqual([
      { setWeight: 50 }, { pause: { duration: '30s' } },
      { analysis: { templates: [{ templateName: 'oauth2-proxy-analysis-release-gate' }], args: [{ name: 'service', value: 'oauth2-proxy-canary' }, { name: 'namespace', value: 'apps' }] } },
    ]);
    expect(canary.analysis).toMatchObject({ templates: [{ templateName: 'oauth2-proxy-analysis-release-watch' }], startingStep: 1 });
    expect(rollout.spec).toMatchObject({ progressDeadlineAbort: true, selector: { matchLabels: { 'app.kubernetes.io/name': 'oauth2-proxy' } } });
    expect(rollout.metadata.annotations['secret.reloader.stakater.com/reload']).toBe('oauth2-proxy,oauth2-proxy-server-tls,redis-oauth2-proxy-credentials');
    // Spread per ReplicaSet as Argo Rollouts labels them.
    expect(rollout.spec.template.spec.topologySpreadConstraints[0].matchLabelKeys).toEqual(['rollouts-pod-template-hash']);
    const service = find(objects, 'Service', 'oauth2-proxy');
    const canaryService = find(objects, 'Service', 'oauth2-proxy-canary');
    expect(service.spec.selector).toEqual(rollout.spec.selector.matchLabels);
    expect(canaryService.spec.selector).toEqual(service.spec.selector);
    expect(canaryService.spec.ports).toEqual(service.spec.ports);
    // The one ServiceMonitor selects both Services, so the canary's series carry service="oauth2-proxy-canary".
    const monitor = find(objects, 'ServiceMonitor', 'oauth2-proxy');
    for (const selected of [service, canaryService]) {
      expect(selected.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    }
    // The rolling update's footprint: a basic canary stays within replicas + maxSurge.
    expect(proxy.footprint).toMatchObject({ maxPods: 6 });
    expect(proxy.deliveryStrategy.kind).toBe(DeliveryKind.CANARY);
  });

  test.each([
    ['a canary through ingress-nginx', { trafficRouting: true, pinStableService: true }],
    ['a canary that pins the stable Service', { pinStableService: true }],
  ])('fails on %s: the subrequests reach the proxy through its own Service', (_name, options) => {
    const { chart, required } = proxyScope();
    expect(() => new OAuth2Proxy(chart, 'oauth2-proxy', { ...required, deliveryStrategy: signInCanary(chart, options) }))
      .toThrow(/deliveryStrategy is "canary"; use DeliveryStrategy.rollingUpdate\(\), or DeliveryStrategy.canary\(\{ analysis, trafficRouting: false, pinStableService: false \}\)/);
  });

  test('fails on a blue-green release', () => {
    const { chart, required } = proxyScope();
    const analysis = new ReleaseAnalysis(chart, 'bg', { namespace: 'apps', prometheusUrl: 'http://prometheus.monitoring.svc:9090', watchCount: 3 });
    expect(() => new OAuth2Proxy(chart, 'oauth2-proxy', { ...required, deliveryStrategy: DeliveryStrategy.blueGreen({ analysis }) })).toThrow(/deliveryStrategy is "blue-green"/);
  });

  test.each([
    ['allowedGroups', { allowedGroups: [] }, /allowedGroups is \[\]; list the groups/],
    ['mfaAcceptedValues', { mfaAcceptedValues: [] }, /mfaAcceptedValues is \[\]/],
    ['issuerUrl', { issuerUrl: 'http://login.example.com' }, /issuerUrl is "http:\/\/login.example.com"; use the https:\/\/ issuer/],
    ['identityProviderCidrs', { identityProviderCidrs: [] }, /identityProviderCidrs is \[\]/],
    ['refreshMinutes', { refreshMinutes: 480 }, /refreshMinutes is 480; use a whole number of minutes below the session lifetime \(480\)/],
    ['hostnames', { hostnames: [] }, /hostnames is \[\]/],
    ['ingressBackendClientSecretName', { ingressBackendClientSecretName: 'apps/nginx-client' }, /ingressBackendClientSecretName is "apps\/nginx-client"; use the name of a Secret in the proxy's namespace/],
  ] as const)('fails on an empty or wrong %s', (_field, overrides, message) => {
    expect(() => minimalProxy(overrides as Partial<OAuth2ProxyProps>)).toThrow(message);
  });
});

describe('LongRunningService.requireSignIn', () => {
  function protectedApi(publicPaths?: readonly string[]): KubeObject[] {
    const { chart, proxy } = minimalProxy();
    const namespace = proxy.namespace;
    const api = new ApiService(chart, 'api', {
      namespace, image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus,
      hostname: 'api.example.com', ingressController, ...publicTls,
    });
    api.requireSignIn(proxy, { publicPaths });
    return objectsOf(chart);
  }

  test('puts the service\'s Ingress behind the proxy\'s /oauth2/auth (over HTTPS) and sends users to sign in on the same host', () => {
    const objects = protectedApi();
    expect(find(objects, 'Ingress', 'api').metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/auth-url': 'https://oauth2-proxy.apps.svc.cluster.local/oauth2/auth',
      'nginx.ingress.kubernetes.io/auth-signin': 'https://$host/oauth2/start?rd=$escaped_request_uri',
      'nginx.ingress.kubernetes.io/auth-response-headers': 'X-Auth-Request-User,X-Auth-Request-Email,X-Auth-Request-Groups,Authorization',
    });
    const signIn = find(objects, 'Ingress', 'api-sign-in');
    expect(signIn.spec.rules).toEqual([{ host: 'api.example.com', http: { paths: [{ path: '/oauth2', pathType: 'Prefix', backend: { service: { name: 'oauth2-proxy', port: { name: 'https' } } } }] } }]);
    expect(signIn.spec.tls).toEqual([{ hosts: ['api.example.com'], secretName: 'api-tls' }]);
    expect(signIn.metadata.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/limit-rps': '20', [PUBLIC_PATHS_ANNOTATION]: expect.any(String) });
    expect(signIn.metadata.annotations['nginx.ingress.kubernetes.io/auth-url']).toBeUndefined();
    // Without public paths there is no public Ingress.
    expect(kinds(objects, 'Ingress').map((i) => i.metadata.name).sort()).toEqual(['api', 'api-sign-in']);
  });

  test('publishes only the listed public paths without sign-in: a trailing slash as a prefix, anything else exactly', () => {
    const objects = protectedApi(['/healthz', '/webhooks/']);
    const open = find(objects, 'Ingress', 'api-public');
    expect(open.spec.rules[0].http.paths.map((p: any) => [p.path, p.pathType, p.backend.service.name])).toEqual([
      ['/healthz', 'Exact', 'api'],
      ['/webhooks/', 'Prefix', 'api'],
    ]);
    expect(open.metadata.annotations[PUBLIC_PATHS_ANNOTATION]).toBe('health checks and webhooks, which authenticate their callers themselves');
    expect(open.metadata.annotations['nginx.ingress.kubernetes.io/auth-url']).toBeUndefined();
    expect(open.metadata.annotations['nginx.ingress.kubernetes.io/limit-connections']).toBe('20');
  });

  test('requireSignIn: the sign-in Ingress reaches the proxy over HTTPS, verified by its Service name with the namespace\'s ingress client Secret', () => {
    const { chart, proxy } = minimalProxy();
    const api = new ApiService(chart, 'api', {
      namespace: proxy.namespace, image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus,
      hostname: 'api.example.com', ingressController, ...publicTls,
    });
    api.requireSignIn(proxy);
    const objects = objectsOf(chart);
    const tls = {
      'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      'nginx.ingress.kubernetes.io/proxy-ssl-verify': 'on',
      'nginx.ingress.kubernetes.io/proxy-ssl-verify-depth': '2',
      'nginx.ingress.kubernetes.io/proxy-ssl-name': 'oauth2-proxy.apps.svc',
      'nginx.ingress.kubernetes.io/proxy-ssl-server-name': 'on',
      'nginx.ingress.kubernetes.io/proxy-ssl-secret': 'apps/ingress-backend-client',
    };
    expect(proxy.backendTlsAnnotations).toEqual(tls);
    expect(find(objects, 'Ingress', 'api-sign-in').metadata.annotations).toMatchObject(tls);
    // The name ingress-nginx checks is one the proxy's certificate carries.
    expect(find(objects, 'Certificate', 'oauth2-proxy-server-tls').spec.dnsNames).toContain(tls['nginx.ingress.kubernetes.io/proxy-ssl-name']);
  });

  test('tells the service how to verify the ID token the proxy forwards (issuer, audience, skew, groups, MFA) and which paths need none', () => {
    const objects = protectedApi(['/healthz', '/webhooks/']);
    const env = find(objects, 'Deployment', 'api').spec.template.spec.containers[0].env;
    expect(env.filter((variable: any) => variable.name.startsWith('AUTH_'))).toEqual([
      { name: 'AUTH_ISSUER_URL', value: 'https://login.example.com/realms/platform' },
      { name: 'AUTH_AUDIENCE', value: 'platform' },
      { name: 'AUTH_CLOCK_SKEW_SECONDS', value: '60' },
      { name: 'AUTH_GROUPS_CLAIM', value: 'groups' },
      { name: 'AUTH_ALLOWED_GROUPS', value: 'platform-users' },
      { name: 'AUTH_MFA_CLAIM', value: 'amr' },
      { name: 'AUTH_MFA_ACCEPTED_VALUES', value: 'mfa' },
      { name: 'AUTH_PUBLIC_PATHS', value: '/healthz,/webhooks/' },
    ]);
    // Without public paths every path but the probes needs a token.
    expect(find(protectedApi(), 'Deployment', 'api').spec.template.spec.containers[0].env).toContainEqual({ name: 'AUTH_PUBLIC_PATHS', value: '' });
  });

  test('lets the service fetch the identity provider\'s keys: egress to each of its CIDRs on 443, nothing else new', () => {
    const { chart, proxy } = minimalProxy({ identityProviderCidrs: ['10.20.4.0/28', '10.20.5.0/28'] });
    const api = new ApiService(chart, 'api', {
      namespace: proxy.namespace, image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus,
      hostname: 'api.example.com', ingressController, ...publicTls,
    });
    const egressBefore = kinds(objectsOf(chart), 'NetworkPolicy').filter((p) => p.metadata.name.startsWith('api-allow-egress')).map((p) => p.metadata.name);
    expect(egressBefore).toEqual([]);
    api.requireSignIn(proxy);
    const egress = kinds(objectsOf(chart), 'NetworkPolicy').filter((p) => p.metadata.name.startsWith('api-allow-egress'));
    expect(egress.map((p) => [p.metadata.name, p.spec.podSelector.matchLabels['app.kubernetes.io/name'], p.spec.policyTypes, p.spec.egress])).toEqual([
      ['api-allow-egress-to-identity-provider-1', 'api', ['Egress'], [{ to: [{ ipBlock: { cidr: '10.20.4.0/28' } }], ports: [{ protocol: 'TCP', port: 443 }] }]],
      ['api-allow-egress-to-identity-provider-2', 'api', ['Egress'], [{ to: [{ ipBlock: { cidr: '10.20.5.0/28' } }], ports: [{ protocol: 'TCP', port: 443 }] }]],
    ]);
  });

  test('fails on an allowed group or MFA value with a comma, which web and api would read as two', () => {
    expect(() => minimalProxy({ allowedGroups: ['platform,admins'] })).toThrow(/allowedGroups is \["platform,admins"\]; list group names that are not empty and hold no comma/);
    expect(() => minimalProxy({ mfaAcceptedValues: ['mfa,otp'] })).toThrow(/mfaAcceptedValues is \["mfa,otp"\]; list the claim values that prove MFA, not empty and without commas/);
  });

  test('fails on a public path of / or under /oauth2', () => {
    expect(() => protectedApi(['/'])).toThrow(/public path "\/" is not a path below \/ outside \/oauth2/);
    expect(() => protectedApi(['/oauth2/userinfo'])).toThrow(/public path "\/oauth2\/userinfo"/);
  });

  test('fails without an Ingress to protect', () => {
    const { chart, proxy } = minimalProxy();
    const namespace = proxy.namespace;
    const worker = new LongRunningService(chart, 'worker', { namespace, component: 'worker', image: PINNED_IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus });
    expect(() => worker.requireSignIn(proxy)).toThrow('worker has no Ingress to put behind oauth2-proxy; call exposeViaIngress() first');
  });
});
