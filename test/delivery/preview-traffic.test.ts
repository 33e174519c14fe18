import { Construct } from 'constructs';
import { DeliveryStrategy } from '../../lib/delivery/delivery-strategy';
import { PreviewTraffic, PreviewTrafficProps } from '../../lib/delivery/preview-traffic';
import { ReleaseAnalysis } from '../../lib/delivery/release-analysis';
import { VaultSecret } from '../../lib/security/vault-secret';
import { LongRunningService } from '../../lib/services/long-running-service';
import { find, objectsOf } from '../support/kube';
import { IMAGE, PINNED_IMAGE, prometheus, serviceScope, smallResources, oneReplica } from '../support/service-fixtures';

function scope() {
  const { chart, namespace } = serviceScope();
  const delivery = new Construct(chart, 'delivery');
  return { chart, namespace, delivery };
}

describe('PreviewTraffic', () => {
  test('with minimal props: a Job metric that requests the preview Service for two minutes, allowed to reach the service\'s pods', () => {
    const { chart, namespace, delivery } = scope();
    const traffic = new PreviewTraffic(delivery, 'web-preview-traffic', { namespace, image: IMAGE });
    const analysis = new ReleaseAnalysis(delivery, 'web', { namespace: 'apps', prometheusUrl: 'http://prometheus.monitoring.svc:9090', initialDelaySeconds: 60, watchCount: 3 });
    const web = new LongRunningService(chart, 'web', {
      namespace, component: 'frontend', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus,
      httpPort: 3000, deliveryStrategy: DeliveryStrategy.blueGreen({ analysis, previewTraffic: traffic }),
    });
    traffic.sendTo(web);
    const objects = objectsOf(chart);

    expect(traffic.node.validate()).toEqual([]);
    expect(find(objects, 'Rollout', 'web').spec.strategy.blueGreen.prePromotionAnalysis.templates).toEqual([
      { templateName: 'web-release-gate' },
      { templateName: 'web-preview-traffic' },
    ]);
    const template = find(objects, 'AnalysisTemplate', 'web-preview-traffic');
    expect(template.spec.args).toEqual([{ name: 'service' }, { name: 'namespace' }]);
    const [metric] = template.spec.metrics;
    expect(metric).toMatchObject({ name: 'preview-traffic', count: 1, failureLimit: 0 });
    const job = metric.provider.job.spec;
    expect(job).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 150 });
    const pod = job.template.spec;
    expect(pod).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false, serviceAccountName: 'web-preview-traffic', securityContext: { runAsNonRoot: true } });
    const [container] = pod.containers;
    expect(container.command.slice(0, 2)).toEqual(['node', '-e']);
    expect(container.env).toEqual([
      { name: 'TARGET_URL', value: 'https://{{args.service}}.{{args.namespace}}.svc.cluster.local:80/' },
      { name: 'DURATION_SECONDS', value: '120' },
      { name: 'REQUESTS_PER_SECOND', value: '5' },
      { name: 'NODE_EXTRA_CA_CERTS', value: '/etc/generator-platform/ca/web-server-tls/ca.crt' },
    ]);
    // fetch verifies the preview against the CA of web's certificate: only ca.crt is mounted, never web's key.
    expect(pod.volumes).toEqual([{ name: 'target-ca', secret: { secretName: 'web-server-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } }]);
    expect(container.volumeMounts).toEqual([{ name: 'target-ca', mountPath: '/etc/generator-platform/ca/web-server-tls', readOnly: true }]);
    expect(find(objects, 'Certificate', 'web-server-tls').spec.dnsNames).toContain('web-preview.apps.svc.cluster.local');
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(container.resources.requests).toEqual(container.resources.limits);
    expect(find(objects, 'NetworkPolicy', 'web-allow-from-web-preview-traffic').spec.ingress[0]).toEqual({
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web-preview-traffic', 'app.kubernetes.io/part-of': 'generator-platform' } } }],
      ports: [{ protocol: 'TCP', port: 3000 }],
    });
    expect(find(objects, 'NetworkPolicy', 'web-preview-traffic-allow-egress-to-web').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 3000 }]);
    // web, its full-size preview and the set a second release leaves waiting out the scale-down delay,
    // plus the traffic Job's pod: 4 pods, and 20% headroom.
    expect(find(objects, 'ResourceQuota', 'workload-quota').spec.hard.pods).toBe(Math.ceil(4 * 1.2));
  });

  test('with all props', () => {
    const { chart, namespace, delivery } = scope();
    const props: Required<PreviewTrafficProps> = { namespace, image: PINNED_IMAGE, durationSeconds: 90, requestsPerSecond: 10, path: '/healthz' };
    const traffic = new PreviewTraffic(delivery, 'api-preview-traffic', props);
    const api = new LongRunningService(chart, 'api', { namespace, component: 'backend', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 8080 });
    traffic.sendTo(api);
    const job = find(objectsOf(chart), 'AnalysisTemplate', 'api-preview-traffic').spec.metrics[0].provider.job.spec;
    expect(job.activeDeadlineSeconds).toBe(120);
    expect(job.template.spec.containers[0].image).toBe(`ghcr.io/acme/svc:1.0.0@${PINNED_IMAGE.digest}`);
    expect(job.template.spec.containers[0].env).toContainEqual({ name: 'TARGET_URL', value: 'https://{{args.service}}.{{args.namespace}}.svc.cluster.local:80/healthz' });
    expect(job.template.spec.containers[0].env).toContainEqual({ name: 'REQUESTS_PER_SECOND', value: '10' });
  });

  test('pullImagesWith names the registry credentials on the traffic Job\'s ServiceAccount', () => {
    const { chart, namespace, delivery } = scope();
    const traffic = new PreviewTraffic(delivery, 'web-preview-traffic', { namespace, image: IMAGE });
    traffic.sendTo(new LongRunningService(chart, 'web', { namespace, component: 'frontend', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 3000 }));
    expect(find(objectsOf(chart), 'ServiceAccount', 'web-preview-traffic').imagePullSecrets).toBeUndefined();
    traffic.pullImagesWith(VaultSecret.registryCredentials(chart, 'registry', { namespace: 'apps', secretName: 'registry-pull-secret', vaultPath: 'p/registry', registryServer: 'ghcr.io' }));
    expect(find(objectsOf(chart), 'ServiceAccount', 'web-preview-traffic').imagePullSecrets).toEqual([{ name: 'registry-pull-secret' }]);
  });

  test('fails validation until it is pointed at a service, and on a worker or a second target', () => {
    const { chart, namespace, delivery } = scope();
    const traffic = new PreviewTraffic(delivery, 'web-preview-traffic', { namespace, image: IMAGE });
    expect(traffic.node.validate()).toEqual(['web-preview-traffic sends traffic to no service; call sendTo() with the service whose preview it exercises']);
    const worker = new LongRunningService(chart, 'worker', { namespace, component: 'worker', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus });
    expect(() => traffic.sendTo(worker)).toThrow('web-preview-traffic: worker serves no traffic port to send preview traffic to');
    const web = new LongRunningService(chart, 'web', { namespace, component: 'frontend', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 3000 });
    traffic.sendTo(web);
    expect(() => traffic.sendTo(web)).toThrow('web-preview-traffic already sends traffic to web; one PreviewTraffic per service');
  });

  test.each([
    [{ durationSeconds: 10 }, 'p: durationSeconds is 10; use a whole number of seconds from 30 to 600'],
    [{ requestsPerSecond: 0 }, 'p: requestsPerSecond is 0; use a whole number from 1 to 50'],
    [{ path: 'healthz' }, 'p: path is "healthz"; use an absolute path such as /'],
  ])('fails on %p', (change, message) => {
    const { namespace, delivery } = scope();
    expect(() => new PreviewTraffic(delivery, 'p', { namespace, image: IMAGE, ...change })).toThrow(message);
  });
});
