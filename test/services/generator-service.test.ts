import { Replicas } from '../../lib/platform/replicas';
import { DeliveryStrategy } from '../../lib/delivery/delivery-strategy';
import { GeneratorService, GeneratorServiceProps } from '../../lib/services/generator-service';
import { find, kinds, objectsOf } from '../support/kube';
import { IMAGE, oneReplica, PINNED_IMAGE, prometheus, serviceScope, smallResources } from '../support/service-fixtures';

describe('GeneratorService', () => {
  test('with minimal props: a worker with a workspace volume, health on its metrics port and a five-minute job drain', () => {
    const { chart, namespace } = serviceScope();
    new GeneratorService(chart, 'generator', {
      namespace, image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus,
    });
    const objects = objectsOf(chart);
    const pod = find(objects, 'Deployment', 'generator').spec.template.spec;
    expect(pod.containers[0].ports).toEqual([{ name: 'metrics', containerPort: 9090, protocol: 'TCP' }]);
    expect(pod.containers[0].livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics', scheme: 'HTTPS' });
    expect(find(objects, 'Service', 'generator').spec.ports[0].appProtocol).toBe('https');
    expect(find(objects, 'Certificate', 'generator-server-tls').spec.dnsNames).toEqual(['generator.apps.svc', 'generator.apps.svc.cluster.local']);
    expect(find(objects, 'ServiceMonitor', 'generator').spec.endpoints[0]).toMatchObject({
      scheme: 'https', tlsConfig: { ca: { secret: { name: 'generator-server-tls', key: 'ca.crt' } }, serverName: 'generator.apps.svc' },
    });
    expect(pod.terminationGracePeriodSeconds).toBe(5 + 300 + 5);
    const workspace = pod.volumes.find((v: any) => v.name === 'workspace');
    expect(workspace.ephemeral.volumeClaimTemplate.spec.resources.requests.storage).toBe('4Gi');
    expect(workspace.ephemeral.volumeClaimTemplate.spec.storageClassName).toBeUndefined();
    expect(pod.containers[0].resources.limits['ephemeral-storage']).toBe('2Gi');
    expect(kinds(objects, 'Ingress')).toHaveLength(0);
    expect(find(objects, 'Service', 'generator').spec.ports.map((p: any) => p.name)).toEqual(['metrics']);
  });

  test('with all props', () => {
    const { chart, namespace } = serviceScope();
    const props: Required<GeneratorServiceProps> = {
      namespace, image: PINNED_IMAGE, replicas: Replicas.autoscaled({ min: 2, max: 10 }),
      resources: { cpuMillis: 4000, memoryMi: 8192, storageGi: 40 }, zones: ['z1', 'z2'], metricsScraper: prometheus,
      workspaceStorageClass: 'gp3', jobDrainTimeoutSeconds: 600, targetCpuUtilizationPercent: 80,
      strictTopologySpread: true, logLevel: 'info', scaledByQueueDepth: true,
      startupTimeoutSeconds: 60, deliveryStrategy: DeliveryStrategy.rollingUpdate({ maxSurgePercent: 50 }),
      serverTlsIssuer: { issuerName: 'generator-ca', issuerKind: 'Issuer' }, serverTlsCertificateLifetime: { durationHours: 1440, renewBeforeHours: 480 },
    };
    const generator = new GeneratorService(chart, 'generator', props);
    generator.useExternalScaler('generator-queue-depth');
    const objects = objectsOf(chart);
    const pod = find(objects, 'Deployment', 'generator').spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(610);
    expect(pod.volumes.find((v: any) => v.name === 'workspace').ephemeral.volumeClaimTemplate.spec).toEqual({
      accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', resources: { requests: { storage: '40Gi' } },
    });
    expect(pod.containers[0].resources.requests).toEqual({ 'cpu': '4', 'memory': '8Gi', 'ephemeral-storage': '2Gi' });
    expect(kinds(objects, 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(find(objects, 'Deployment', 'generator').spec.replicas).toBeUndefined();
    expect(find(objects, 'Deployment', 'generator').spec.strategy.rollingUpdate).toEqual({ maxSurge: '50%', maxUnavailable: 0 });
    expect(pod.containers[0].startupProbe.failureThreshold).toBe(12);
    expect(find(objects, 'Certificate', 'generator-server-tls').spec).toMatchObject({ duration: '1440h', renewBefore: '480h', issuerRef: { kind: 'Issuer', name: 'generator-ca' } });
    expect(generator.footprint.maxPods).toBe(15);
    expect(generator.node.validate()).toEqual([]);
    expect(find(objects, 'LimitRange', 'container-limits').spec.limits[1].max.storage).toBe('40Gi');
  });

  test('fails validation when scaled by queue depth but no scaler is attached', () => {
    const { chart, namespace } = serviceScope();
    const generator = new GeneratorService(chart, 'generator', {
      namespace, image: IMAGE, replicas: Replicas.autoscaled({ min: 2, max: 4 }), resources: smallResources, zones: ['z1'], metricsScraper: prometheus,
      scaledByQueueDepth: true,
    });
    expect(generator.node.validate()).toEqual(['generator is externallyScaled but no scaler was attached; call useExternalScaler() (e.g. through JobQueue.scaleConsumer)']);
  });

  test('fails to attach a scaler to a fixed replica count, or a second scaler', () => {
    const { chart, namespace } = serviceScope();
    const fixed = new GeneratorService(chart, 'fixed', { namespace, image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus });
    expect(() => fixed.useExternalScaler('keda')).toThrow('fixed runs Replicas.fixed(1); give it Replicas.autoscaled(...) to scale it with keda');
    const scaled = new GeneratorService(chart, 'scaled', {
      namespace, image: IMAGE, replicas: Replicas.autoscaled({ min: 2, max: 4 }), resources: smallResources, zones: ['z1'], metricsScraper: prometheus, scaledByQueueDepth: true,
    });
    scaled.useExternalScaler('keda');
    expect(() => scaled.useExternalScaler('other')).toThrow('scaled is already scaled by keda; other cannot scale it too');
    const cpuScaled = new GeneratorService(chart, 'cpu', { namespace, image: IMAGE, replicas: Replicas.autoscaled({ min: 2, max: 4 }), resources: smallResources, zones: ['z1'], metricsScraper: prometheus });
    expect(() => cpuScaled.useExternalScaler('keda')).toThrow('cpu already has a HorizontalPodAutoscaler; build it with externallyScaled: true');
  });

  test.each([10, 7200])('fails on a job drain timeout of %p seconds', (seconds) => {
    const { chart, namespace } = serviceScope();
    expect(() => new GeneratorService(chart, 'generator', {
      namespace, image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus,
      jobDrainTimeoutSeconds: seconds,
    })).toThrow(`generator: jobDrainTimeoutSeconds is ${seconds}; use 30 to 3600 seconds`);
  });
});
