import { Construct } from 'constructs';
import { Replicas } from '../../lib/platform/replicas';
import { DeliveryStrategy } from '../../lib/delivery/delivery-strategy';
import { ReleaseAnalysis } from '../../lib/delivery/release-analysis';
import { ApiService } from '../../lib/services/api-service';
import { WebService, WebServiceProps } from '../../lib/services/web-service';
import { find, objectsOf } from '../support/kube';
import { IMAGE, ingressController, publicTls, oneReplica, PINNED_IMAGE, prometheus, serviceScope, smallResources } from '../support/service-fixtures';

function withApi() {
  const { chart, namespace } = serviceScope();
  const api = new ApiService(chart, 'api', {
    namespace, image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'],
    hostname: 'api.example.com', ingressController, metricsScraper: prometheus, ...publicTls,
  });
  return { chart, namespace, api };
}

describe('WebService', () => {
  test('with minimal props: Next.js on port 3000 behind ingress-nginx, calling the API it is allowed to reach', () => {
    const { chart, namespace, api } = withApi();
    new WebService(chart, 'web', {
      namespace, image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'],
      hostname: 'app.example.com', api, ingressController, metricsScraper: prometheus, ...publicTls,
    });
    const objects = objectsOf(chart);
    const container = find(objects, 'Deployment', 'web').spec.template.spec.containers[0];
    expect(container.ports[0]).toEqual({ name: 'http', containerPort: 3000, protocol: 'TCP' });
    expect(container.env).toEqual(expect.arrayContaining([
      { name: 'HOSTNAME', value: '0.0.0.0' },
      { name: 'NEXT_TELEMETRY_DISABLED', value: '1' },
      { name: 'API_INTERNAL_URL', value: 'https://api.apps.svc.cluster.local:80' },
      { name: 'API_CA_FILE', value: '/etc/generator-platform/ca/api-server-tls/ca.crt' },
      { name: 'LOG_LEVEL', value: 'info' },
    ]));
    expect(container.volumeMounts.map((m: any) => m.mountPath)).toEqual([
      '/tmp', '/app/.next/cache', '/etc/generator-platform/tls', '/etc/generator-platform/ca/api-server-tls',
    ]);
    // Only the CA of the api's certificate, never the api's key.
    expect(find(objects, 'Deployment', 'web').spec.template.spec.volumes).toContainEqual({
      name: 'ca-api-server-tls', secret: { secretName: 'api-server-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 },
    });
    expect(find(objects, 'Ingress', 'web').spec.rules[0].host).toBe('app.example.com');
    expect(find(objects, 'NetworkPolicy', 'web-allow-from-ingress-nginx').spec.ingress[0].ports).toEqual([{ port: 3000, protocol: 'TCP' }]);
    expect(find(objects, 'NetworkPolicy', 'api-allow-from-web')).toBeDefined();
    expect(find(objects, 'NetworkPolicy', 'web-allow-egress-to-api')).toBeDefined();
  });

  test('with all props: a blue-green Rollout behind a preview Service, its HorizontalPodAutoscaler aimed at the Rollout', () => {
    const { chart, namespace, api } = withApi();
    const analysis = new ReleaseAnalysis(new Construct(chart, 'delivery'), 'web', { namespace: 'apps', prometheusUrl: 'http://prometheus.monitoring.svc:9090', latencyP95Ms: 800, watchCount: 3 });
    const props: Required<WebServiceProps> = {
      namespace, image: PINNED_IMAGE, replicas: Replicas.autoscaled({ min: 2, max: 6 }),
      resources: { cpuMillis: 2000, memoryMi: 4096, storageGi: 20 }, zones: ['z1', 'z2', 'z3'],
      hostname: 'www.example.com', api, ingressController, metricsScraper: prometheus, tlsIssuer: { issuerName: 'letsencrypt', issuerKind: 'ClusterIssuer' }, tlsCertificateLifetime: { durationHours: 2160, renewBeforeHours: 720 },
      targetCpuUtilizationPercent: 65, strictTopologySpread: true, logLevel: 'warn',
      startupTimeoutSeconds: 30, deliveryStrategy: DeliveryStrategy.blueGreen({ analysis }),
      serverTlsIssuer: { issuerName: 'internal-ca', issuerKind: 'ClusterIssuer' }, serverTlsCertificateLifetime: { durationHours: 1440, renewBeforeHours: 480 },
    };
    new WebService(chart, 'web', props);
    const objects = objectsOf(chart);
    const rollout = find(objects, 'Rollout', 'web');
    expect(rollout.spec.strategy.blueGreen).toMatchObject({ activeService: 'web', previewService: 'web-preview', autoPromotionEnabled: true });
    expect(find(objects, 'Service', 'web-preview').spec.selector).toEqual(find(objects, 'Service', 'web').spec.selector);
    expect(find(objects, 'HorizontalPodAutoscaler', 'web').spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web' });
    expect(find(objects, 'Ingress', 'web').spec.rules[0].http.paths[0].backend.service.name).toBe('web');
    const pod = rollout.spec.template.spec;
    expect(pod.containers[0].env).toContainEqual({ name: 'LOG_LEVEL', value: 'warn' });
    expect(pod.containers[0].env).toContainEqual({ name: 'PUBLIC_URL', value: 'https://www.example.com' });
    expect(pod.volumes.find((v: any) => v.name === 'next-cache').emptyDir.sizeLimit).toBe('18Gi');
    expect(find(objects, 'HorizontalPodAutoscaler', 'web').spec).toMatchObject({ minReplicas: 2, maxReplicas: 6 });
    expect(find(objects, 'Ingress', 'web').metadata.annotations['cert-manager.io/cluster-issuer']).toBeUndefined();
    expect(find(objects, 'Ingress', 'web').metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS', 'nginx.ingress.kubernetes.io/proxy-ssl-name': 'web.apps.svc',
    });
    expect(find(objects, 'Certificate', 'web-server-tls').spec).toMatchObject({
      dnsNames: ['web.apps.svc', 'web.apps.svc.cluster.local', 'web-preview.apps.svc', 'web-preview.apps.svc.cluster.local'],
      duration: '1440h', renewBefore: '480h',
    });
    expect(find(objects, 'Certificate', 'web-tls').spec).toMatchObject({
      secretName: 'web-tls', dnsNames: ['www.example.com'], duration: '2160h', renewBefore: '720h',
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt' },
    });
  });

  test('fails on a hostname that is not a DNS name', () => {
    const { chart, namespace, api } = withApi();
    expect(() => new WebService(chart, 'web', {
      namespace, image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'],
      hostname: 'https://app.example.com', api, ingressController, metricsScraper: prometheus, ...publicTls,
    })).toThrow('web: hostname is "https://app.example.com"; use a fully qualified lower-case DNS name');
  });
});
