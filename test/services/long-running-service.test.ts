import { Construct } from 'constructs';
import { Replicas } from '../../lib/platform/replicas';
import { DeliveryStrategy } from '../../lib/delivery/delivery-strategy';
import { ReleaseAnalysis } from '../../lib/delivery/release-analysis';
import { LongRunningService, LongRunningServiceProps } from '../../lib/services/long-running-service';
import { VaultSecret } from '../../lib/security/vault-secret';
import { find, kinds, objectsOf } from '../support/kube';
import { IMAGE, ingressController, oneReplica, publicTls, PINNED_IMAGE, prometheus, serviceScope, smallResources } from '../support/service-fixtures';

describe('LongRunningService', () => {
  test('with minimal props: a worker with a metrics port, a fixed replica count and no autoscaler', () => {
    const { chart, namespace } = serviceScope();
    new LongRunningService(chart, 'worker', {
      namespace,
      component: 'worker',
      image: IMAGE,
      replicas: oneReplica,
      resources: smallResources,
      zones: ['z1'],
      metricsScraper: prometheus,
    });
    const objects = objectsOf(chart);
    const deployment = find(objects, 'Deployment', 'worker');
    const pod = deployment.spec.template.spec;
    expect(deployment.spec.replicas).toBe(1);
    expect(kinds(objects, 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(pod.containers[0].ports).toEqual([{ name: 'metrics', containerPort: 9090, protocol: 'TCP' }]);
    expect(pod.containers[0].readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics', scheme: 'HTTPS' });
    expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', '10']);
    expect(pod.terminationGracePeriodSeconds).toBe(35);
    expect(pod.volumes).toEqual([
      { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
      { name: 'server-tls', secret: { secretName: 'worker-server-tls', items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }, { key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o440 } },
    ]);
    expect(pod.containers[0].resources.limits).toEqual({ 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '4Gi' });
    expect(find(objects, 'Service', 'worker').spec.ports.map((p: any) => p.name)).toEqual(['metrics']);
    expect(find(objects, 'NetworkPolicy', 'worker-allow-metrics-scrape').spec.ingress[0].ports).toEqual([{ port: 9090, protocol: 'TCP' }]);
  });

  test('serves HTTPS on every listener with a certificate from the cluster\'s internal CA, re-read from a mounted folder on renewal', () => {
    const { chart, namespace } = serviceScope();
    const service = new LongRunningService(chart, 'svc', {
      namespace, component: 'backend', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 8080,
    });
    const objects = objectsOf(chart);
    const [container] = find(objects, 'Deployment', 'svc').spec.template.spec.containers;

    expect(service.serverTlsSecretName).toBe('svc-server-tls');
    expect(service.serverTlsName).toBe('svc.apps.svc');
    expect(find(objects, 'Certificate', 'svc-server-tls').spec).toMatchObject({
      secretName: 'svc-server-tls',
      commonName: 'svc.apps.svc',
      dnsNames: ['svc.apps.svc', 'svc.apps.svc.cluster.local'],
      duration: '2160h',
      renewBefore: '720h',
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'internal-ca' },
      privateKey: { rotationPolicy: 'Always' },
    });
    // The folder, not subPath: the kubelet swaps a renewed key pair in; no Reloader restart.
    expect(container.volumeMounts).toContainEqual({ name: 'server-tls', mountPath: '/etc/generator-platform/tls', readOnly: true });
    expect(find(objects, 'Deployment', 'svc').metadata.annotations).toBeUndefined();
    expect(container.env).toEqual(expect.arrayContaining([
      { name: 'TLS_CERT_FILE', value: '/etc/generator-platform/tls/tls.crt' },
      { name: 'TLS_KEY_FILE', value: '/etc/generator-platform/tls/tls.key' },
    ]));
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(container[probe].httpGet).toMatchObject({ port: 'http', scheme: 'HTTPS' });
    }
    // Port names stay, so policies, monitors and Ingress backends keep naming them.
    expect(find(objects, 'Service', 'svc').spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'https' },
      { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP', appProtocol: 'https' },
    ]);
    expect(find(objects, 'ServiceMonitor', 'svc').spec.endpoints).toEqual([{
      port: 'metrics', path: '/metrics', interval: '15s', scheme: 'https',
      tlsConfig: { ca: { secret: { name: 'svc-server-tls', key: 'ca.crt' } }, serverName: 'svc.apps.svc' },
    }]);
  });

  test('with all props: every prop reaches the rendered objects', () => {
    const { chart, namespace } = serviceScope();
    const props: Required<LongRunningServiceProps> = {
      namespace,
      component: 'backend',
      image: PINNED_IMAGE,
      replicas: Replicas.autoscaled({ min: 2, max: 8 }),
      resources: { cpuMillis: 1500, memoryMi: 3072, storageGi: 30 },
      zones: ['z1', 'z2'],
      metricsScraper: prometheus,
      httpPort: 8000,
      metricsPort: 9100,
      livenessPath: '/live',
      readinessPath: '/ready',
      startupTimeoutSeconds: 60,
      drainSeconds: 7,
      shutdownTimeoutSeconds: 40,
      targetCpuUtilizationPercent: 60,
      strictTopologySpread: false,
      scratchVolumes: [{ name: 'cache', mountPath: '/cache', sizeLimitMi: 2048 }],
      workspaceMountPath: '/data',
      workspaceStorageClass: 'fast',
      workspaceEphemeralStorageGi: 3,
      env: { FEATURE: 'on' },
      logLevel: 'warn',
      externallyScaled: false,
      deliveryStrategy: DeliveryStrategy.rollingUpdate({ maxSurgePercent: 50 }),
      serverTlsIssuer: { issuerName: 'svc-ca', issuerKind: 'Issuer' },
      serverTlsCertificateLifetime: { durationHours: 1440, renewBeforeHours: 480 },
    };
    const service = new LongRunningService(chart, 'svc', props);
    const objects = objectsOf(chart);
    const deployment = find(objects, 'Deployment', 'svc');
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;

    expect(deployment.spec.replicas).toBeUndefined();
    expect(find(objects, 'HorizontalPodAutoscaler', 'svc').spec).toMatchObject({ minReplicas: 2, maxReplicas: 8 });
    expect(find(objects, 'HorizontalPodAutoscaler', 'svc').spec.metrics[0].resource.target.averageUtilization).toBe(60);
    expect(container.image).toBe(`ghcr.io/acme/svc:1.0.0@${PINNED_IMAGE.digest}`);
    expect(container.ports).toEqual([
      { name: 'http', containerPort: 8000, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9100, protocol: 'TCP' },
    ]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/live', port: 'http', scheme: 'HTTPS' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http', scheme: 'HTTPS' });
    expect(container.startupProbe.failureThreshold).toBe(12);
    expect(container.lifecycle.preStop.exec.command).toEqual(['sleep', '7']);
    expect(pod.terminationGracePeriodSeconds).toBe(52);
    expect(pod.topologySpreadConstraints.map((c: any) => c.whenUnsatisfiable)).toEqual(['ScheduleAnyway', 'ScheduleAnyway']);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['z1', 'z2']);
    expect(container.resources.requests).toEqual({ 'cpu': '1500m', 'memory': '3Gi', 'ephemeral-storage': '3Gi' });
    expect(container.volumeMounts).toEqual([
      { name: 'cache', mountPath: '/cache' },
      { name: 'server-tls', mountPath: '/etc/generator-platform/tls', readOnly: true },
      { name: 'workspace', mountPath: '/data' },
    ]);
    expect(pod.volumes.find((v: any) => v.name === 'workspace').ephemeral.volumeClaimTemplate.spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'fast',
      resources: { requests: { storage: '30Gi' } },
    });
    expect(container.env).toContainEqual({ name: 'FEATURE', value: 'on' });
    expect(container.env).toContainEqual({ name: 'LOG_LEVEL', value: 'warn' });
    expect(deployment.metadata.labels['app.kubernetes.io/component']).toBe('backend');
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxSurge: '50%', maxUnavailable: 0 });
    expect(service.workloadReference).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'svc' });
    expect(service.footprint).toEqual({
      maxPods: 12,
      podCpuMillis: 1500,
      podMemoryMi: 3072,
      podEphemeralStorageGi: 3,
      podClaimStorageGi: 30,
      podClaimCount: 1,
      largestContainerCpuMillis: 1500,
      largestContainerMemoryMi: 3072,
      largestClaimGi: 30,
    });
    expect(find(objects, 'Service', 'svc').spec.ports[0]).toEqual({ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'https' });
    expect(find(objects, 'Certificate', 'svc-server-tls').spec).toMatchObject({ duration: '1440h', renewBefore: '480h', issuerRef: { kind: 'Issuer', name: 'svc-ca' } });
  });

  test('allowTrafficFrom another service opens its egress and this service\'s ingress on the traffic port only', () => {
    const { chart, namespace } = serviceScope();
    const base = { namespace, component: 'c', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus };
    const backend = new LongRunningService(chart, 'backend', { ...base, httpPort: 8080 });
    const frontend = new LongRunningService(chart, 'frontend', { ...base, httpPort: 3000 });
    backend.allowTrafficFrom(frontend);
    const objects = objectsOf(chart);
    expect(find(objects, 'NetworkPolicy', 'backend-allow-from-frontend').spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'frontend', 'app.kubernetes.io/part-of': 'generator-platform' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
    ]);
    expect(find(objects, 'NetworkPolicy', 'frontend-allow-egress-to-backend').spec.egress).toEqual([
      { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/part-of': 'generator-platform' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
    ]);
  });

  test('addEnvironment appends variables, e.g. a store\'s connection settings from a Secret', () => {
    const { chart, namespace } = serviceScope();
    const service = new LongRunningService(chart, 'svc', { namespace, component: 'c', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus });
    service.addEnvironment({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } });
    const env = find(objectsOf(chart), 'Deployment', 'svc').spec.template.spec.containers[0].env;
    expect(env[env.length - 1]).toEqual({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } });
    expect(() => service.addEnvironment({ name: 'DB_PASSWORD', value: 'x' })).toThrow('svc already has an environment variable DB_PASSWORD');
  });

  test('Reloader restarts the workload when a Secret it reads as an environment variable changes: every such Secret, sorted, added after construction too', () => {
    const { chart, namespace } = serviceScope();
    const service = new LongRunningService(chart, 'svc', { namespace, component: 'c', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus });
    expect(find(objectsOf(chart), 'Deployment', 'svc').metadata.annotations).toBeUndefined();
    service.addEnvironment(
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-password', key: 'password' } } },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-app', key: 'password' } } },
      { name: 'PGUSER', valueFrom: { secretKeyRef: { name: 'postgres-app', key: 'username' } } },
    );
    expect(find(objectsOf(chart), 'Deployment', 'svc').metadata.annotations).toEqual({ 'secret.reloader.stakater.com/reload': 'postgres-app,redis-password' });
  });

  test('pullImagesWith names the registry credentials on the ServiceAccount, once', () => {
    const { chart, namespace } = serviceScope();
    const service = new LongRunningService(chart, 'svc', { namespace, component: 'c', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus });
    expect(find(objectsOf(chart), 'ServiceAccount', 'svc').imagePullSecrets).toBeUndefined();
    const credentials = VaultSecret.registryCredentials(chart, 'registry', { namespace: 'apps', secretName: 'registry-pull-secret', vaultPath: 'p/registry', registryServer: 'ghcr.io' });
    service.pullImagesWith(credentials);
    service.pullImagesWith(credentials);
    expect(find(objectsOf(chart), 'ServiceAccount', 'svc').imagePullSecrets).toEqual([{ name: 'registry-pull-secret' }]);
    const opaque = new VaultSecret(chart, 'other', { namespace: 'apps', secretName: 'other', vaultPath: 'p/other', keys: ['password'] });
    expect(() => service.pullImagesWith(opaque)).toThrow('VaultSecret other is of type Opaque');
  });

  test('trustCertificateAuthority mounts only ca.crt of the Secret, read-only, once per Secret', () => {
    const { chart, namespace } = serviceScope();
    const service = new LongRunningService(chart, 'svc', { namespace, component: 'c', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus });
    expect(service.trustCertificateAuthority('redis-tls')).toBe('/etc/generator-platform/ca/redis-tls/ca.crt');
    expect(service.trustCertificateAuthority('redis-tls')).toBe('/etc/generator-platform/ca/redis-tls/ca.crt');
    const pod = find(objectsOf(chart), 'Deployment', 'svc').spec.template.spec;
    expect(pod.volumes.filter((v: any) => v.name.startsWith('ca-'))).toEqual([
      { name: 'ca-redis-tls', secret: { secretName: 'redis-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } },
    ]);
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'ca-redis-tls', mountPath: '/etc/generator-platform/ca/redis-tls', readOnly: true });
  });

  test('fails to trust a Secret whose name cannot name a volume', () => {
    const { chart, namespace } = serviceScope();
    const service = new LongRunningService(chart, 'svc', { namespace, component: 'c', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus });
    expect(() => service.trustCertificateAuthority('Redis_TLS')).toThrow('svc: secretName is "Redis_TLS"; use a lower-case DNS label');
  });

  test('allowEgressTo opens egress to a peer on every port given', () => {
    const { chart, namespace } = serviceScope();
    const service = new LongRunningService(chart, 'svc', { namespace, component: 'c', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus });
    service.allowEgressTo(ingressController, [443, 8443]);
    expect(find(objectsOf(chart), 'NetworkPolicy', 'svc-allow-egress-to-ingress-nginx').spec.egress[0].ports).toEqual([
      { protocol: 'TCP', port: 443 },
      { protocol: 'TCP', port: 8443 },
    ]);
  });

  describe('as an Argo Rollout', () => {
    const setup = () => {
      const { chart, namespace } = serviceScope();
      const analysis = new ReleaseAnalysis(new Construct(chart, 'delivery'), 'svc', { namespace: 'apps', prometheusUrl: 'http://prometheus.monitoring.svc:9090', watchCount: 3 });
      const props = {
        namespace, component: 'c', image: IMAGE, replicas: Replicas.autoscaled({ min: 2, max: 6 }), resources: smallResources, zones: ['z1', 'z2'],
        metricsScraper: prometheus, httpPort: 8080,
      };
      return { chart, analysis, props };
    };

    test('blue-green renders a Rollout with the Deployment\'s pod template, a preview Service and an autoscaler aimed at the Rollout', () => {
      const { chart, analysis, props } = setup();
      const service = new LongRunningService(chart, 'svc', { ...props, deliveryStrategy: DeliveryStrategy.blueGreen({ analysis }) });
      const { chart: plainChart, namespace } = serviceScope();
      new LongRunningService(plainChart, 'svc', { ...props, namespace });
      const objects = objectsOf(chart);
      const rollout = find(objects, 'Rollout', 'svc');
      const deployment = find(objectsOf(plainChart), 'Deployment', 'svc');

      expect(kinds(objects, 'Deployment')).toHaveLength(0);
      const spreadKeys = (pod: any) => pod.topologySpreadConstraints.map((c: any) => c.matchLabelKeys);
      expect(spreadKeys(rollout.spec.template.spec)).toEqual([['rollouts-pod-template-hash'], ['rollouts-pod-template-hash']]);
      const withoutSpread = (pod: any) => ({ ...pod, topologySpreadConstraints: undefined });
      expect(withoutSpread(rollout.spec.template.spec)).toEqual(withoutSpread(deployment.spec.template.spec));
      expect(rollout.spec.template.metadata).toEqual(deployment.spec.template.metadata);
      expect(rollout.spec).toMatchObject({ selector: deployment.spec.selector, minReadySeconds: 5, revisionHistoryLimit: 5, progressDeadlineSeconds: 180, progressDeadlineAbort: true });
      expect(rollout.spec.replicas).toBeUndefined();
      expect(rollout.spec.strategy.blueGreen).toEqual({
        activeService: 'svc',
        previewService: 'svc-preview',
        prePromotionAnalysis: {
          templates: [{ templateName: 'svc-release-gate' }],
          args: [{ name: 'service', value: 'svc-preview' }, { name: 'namespace', value: 'apps' }],
        },
        autoPromotionEnabled: true,
        postPromotionAnalysis: {
          templates: [{ templateName: 'svc-release-watch' }],
          args: [{ name: 'service', value: 'svc-preview' }, { name: 'namespace', value: 'apps' }],
        },
        // The post-promotion watch: one 20 s interval, then 3 measurements 20 s apart.
        scaleDownDelaySeconds: 80,
        abortScaleDownDelaySeconds: 30,
      });
      expect(find(objects, 'Service', 'svc-preview').spec).toEqual(find(objects, 'Service', 'svc').spec);
      // A client of the preview Service (the preview traffic) verifies the same certificate by the preview's name.
      expect(find(objects, 'Certificate', 'svc-server-tls').spec.dnsNames).toEqual([
        'svc.apps.svc', 'svc.apps.svc.cluster.local', 'svc-preview.apps.svc', 'svc-preview.apps.svc.cluster.local',
      ]);
      expect(find(objects, 'HorizontalPodAutoscaler', 'svc').spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'svc' });
      expect(find(objects, 'PodDisruptionBudget', 'svc').spec.selector).toEqual(rollout.spec.selector);
      // Three full sets at the maximum: stable, new, and the one a second release leaves waiting out the scale-down delay.
      expect(service.footprint.maxPods).toBe(18);
    });

    test('addEnvironment reaches the Rollout\'s pod template after construction', () => {
      const { chart, analysis, props } = setup();
      const service = new LongRunningService(chart, 'svc', { ...props, deliveryStrategy: DeliveryStrategy.blueGreen({ analysis }) });
      service.addEnvironment({ name: 'PGHOST', value: 'postgres-pooler' });
      expect(find(objectsOf(chart), 'Rollout', 'svc').spec.template.spec.containers[0].env).toContainEqual({ name: 'PGHOST', value: 'postgres-pooler' });
    });

    test('a fixed replica count is the Rollout\'s replicas, with no autoscaler', () => {
      const { chart, analysis, props } = setup();
      new LongRunningService(chart, 'svc', { ...props, replicas: Replicas.fixed(2), deliveryStrategy: DeliveryStrategy.blueGreen({ analysis }) });
      const objects = objectsOf(chart);
      expect(find(objects, 'Rollout', 'svc').spec.replicas).toBe(2);
      expect(kinds(objects, 'HorizontalPodAutoscaler')).toHaveLength(0);
    });

    test('canary renders a canary Service and routes through the stable Ingress', () => {
      const { chart, analysis, props } = setup();
      const service = new LongRunningService(chart, 'svc', { ...props, deliveryStrategy: DeliveryStrategy.canary({ analysis }) });
      service.exposeViaIngress({ hostname: 'svc.example.com', ingressController, ...publicTls });
      const objects = objectsOf(chart);
      expect(service.node.validate()).toEqual([]);
      expect(find(objects, 'Rollout', 'svc').spec.strategy.canary).toMatchObject({ stableService: 'svc', canaryService: 'svc-canary', trafficRouting: { nginx: { stableIngress: 'svc' } } });
      expect(find(objects, 'Service', 'svc-canary').spec).toEqual(find(objects, 'Service', 'svc').spec);
      expect(find(objects, 'Ingress', 'svc').spec.rules[0].http.paths[0].backend.service.name).toBe('svc');
      // Argo Rollouts copies the stable Ingress's annotations to the canary Ingress, whose pods present the same certificate.
      expect(find(objects, 'Certificate', 'svc-server-tls').spec.dnsNames).toEqual([
        'svc.apps.svc', 'svc.apps.svc.cluster.local', 'svc-canary.apps.svc', 'svc-canary.apps.svc.cluster.local',
      ]);
    });

    test('fails validation for a canary without the Ingress that ingress-nginx routes by', () => {
      const { chart, analysis, props } = setup();
      const service = new LongRunningService(chart, 'svc', { ...props, deliveryStrategy: DeliveryStrategy.canary({ analysis }) });
      expect(service.node.validate()).toEqual(['svc releases as a canary through ingress-nginx, which needs the stable Ingress; call exposeViaIngress()']);
    });

    test('fails for a worker without a traffic port under a strategy that shifts traffic', () => {
      const { chart, analysis, props } = setup();
      expect(() => new LongRunningService(chart, 'worker', { ...props, httpPort: undefined, deliveryStrategy: DeliveryStrategy.blueGreen({ analysis }) }))
        .toThrow('worker: deliveryStrategy is "blue-green"; a blue-green release or a canary through ingress-nginx shifts HTTP traffic, and this service serves none');
      expect(() => new LongRunningService(chart, 'worker2', { ...props, httpPort: undefined, deliveryStrategy: DeliveryStrategy.canary({ analysis }) }))
        .toThrow('worker2: deliveryStrategy is "canary"; a blue-green release or a canary through ingress-nginx shifts HTTP traffic');
    });

    test('an externally scaled worker releases as a canary of its replicas: no Ingress needed, the scaler aims at the Rollout, the footprint is a rolling one', () => {
      const { chart, analysis, props } = setup();
      const worker = new LongRunningService(chart, 'worker', {
        ...props, httpPort: undefined, externallyScaled: true,
        deliveryStrategy: DeliveryStrategy.canary({ analysis, trafficRouting: false, maxSurgePercent: 50 }),
      });
      worker.useExternalScaler('worker-queue-depth');
      expect(worker.node.validate()).toEqual([]);
      expect(worker.workloadReference).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'worker' });
      const objects = objectsOf(chart);
      const canary = find(objects, 'Rollout', 'worker').spec.strategy.canary;
      expect(canary).toMatchObject({ stableService: 'worker', canaryService: 'worker-canary', maxSurge: '50%', maxUnavailable: 0 });
      expect(canary.trafficRouting).toBeUndefined();
      expect(kinds(objects, 'HorizontalPodAutoscaler')).toHaveLength(0);
      // Up to 6 replicas plus 3 surged ones, as a rolling update: no scaled-down set waits without traffic routing.
      expect(worker.footprint.maxPods).toBe(9);
    });
  });

  test('exposeViaIngress limits every client: request rate, connections, body size and upstream timeouts', () => {
    const { chart, namespace } = serviceScope();
    const service = new LongRunningService(chart, 'svc', { namespace, component: 'c', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 8080 });
    service.exposeViaIngress({ hostname: 'svc.example.com', ingressController, ...publicTls, rateLimitPerSecond: 50, connectionLimit: 10, maxBodySizeMi: 100, upstreamTimeoutSeconds: 300 });
    expect(find(objectsOf(chart), 'Ingress', 'svc').metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/limit-rps': '50',
      'nginx.ingress.kubernetes.io/limit-burst-multiplier': '5',
      'nginx.ingress.kubernetes.io/limit-connections': '10',
      'nginx.ingress.kubernetes.io/proxy-body-size': '100m',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '300',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '300',
      'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
    });
    // The TLS Secret comes from an explicit Certificate, not from ingress-shim.
    expect(find(objectsOf(chart), 'Ingress', 'svc').metadata.annotations['cert-manager.io/cluster-issuer']).toBeUndefined();
    expect(find(objectsOf(chart), 'Certificate', 'svc-tls').spec).toMatchObject({
      secretName: 'svc-tls', dnsNames: ['svc.example.com'], duration: '2160h', renewBefore: '720h', issuerRef: { kind: 'Issuer', name: 'ca' },
    });
  });

  test('exposeViaIngress makes ingress-nginx speak HTTPS to the service and verify it, with one client certificate per namespace', () => {
    const { chart, namespace } = serviceScope();
    const base = { namespace, component: 'c', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 8080 };
    const first = new LongRunningService(chart, 'first', base);
    const second = new LongRunningService(chart, 'second', base);
    first.exposeViaIngress({ hostname: 'first.example.com', ingressController, ...publicTls });
    second.exposeViaIngress({ hostname: 'second.example.com', ingressController, ...publicTls });
    const objects = objectsOf(chart);
    expect(find(objects, 'Ingress', 'first').metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      'nginx.ingress.kubernetes.io/proxy-ssl-secret': 'apps/ingress-backend-client',
      'nginx.ingress.kubernetes.io/proxy-ssl-verify': 'on',
      'nginx.ingress.kubernetes.io/proxy-ssl-verify-depth': '2',
      'nginx.ingress.kubernetes.io/proxy-ssl-name': 'first.apps.svc',
      'nginx.ingress.kubernetes.io/proxy-ssl-server-name': 'on',
    });
    expect(find(objects, 'Ingress', 'second').metadata.annotations['nginx.ingress.kubernetes.io/proxy-ssl-name']).toBe('second.apps.svc');
    // ingress-nginx presents tls.crt/tls.key of that Secret as its client certificate: its own, never a server's key pair.
    expect(kinds(objects, 'Certificate').map((c: any) => c.metadata.name).filter((name: string) => name === 'ingress-backend-client')).toHaveLength(1);
    expect(find(objects, 'Certificate', 'ingress-backend-client').spec).toMatchObject({
      secretName: 'ingress-backend-client',
      dnsNames: ['ingress-backend-client.apps.svc'],
      issuerRef: { kind: 'ClusterIssuer', name: 'internal-ca' },
      usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
    });
  });

  describe('fails', () => {
    const base = () => {
      const { chart, namespace } = serviceScope();
      return { chart, props: { namespace, component: 'c', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus } };
    };

    test('fails on a privileged port', () => {
      const { chart, props } = base();
      expect(() => new LongRunningService(chart, 'svc', { ...props, httpPort: 80 })).toThrow('svc: httpPort is 80; use an unprivileged port from 1024 to 65535');
    });

    test('fails when metrics share the traffic port', () => {
      const { chart, props } = base();
      expect(() => new LongRunningService(chart, 'svc', { ...props, httpPort: 9090, metricsPort: 9090 })).toThrow('svc: metricsPort is 9090; serve metrics on a port of its own');
    });

    test('fails on an id that is not a DNS label', () => {
      const { chart, props } = base();
      expect(() => new LongRunningService(chart, 'My_Service', props)).toThrow('My_Service: the construct id (used as the object name) is "My_Service"');
    });

    test('fails with no zone', () => {
      const { chart, props } = base();
      expect(() => new LongRunningService(chart, 'svc', { ...props, zones: [] })).toThrow('svc: zones is []; list at least one zone');
    });

    test('fails when scratch volumes exceed the pod\'s ephemeral storage', () => {
      const { chart, props } = base();
      expect(() => new LongRunningService(chart, 'svc', { ...props, scratchVolumes: [{ name: 'big', mountPath: '/big', sizeLimitMi: 8192 }] })).toThrow(
        "svc: scratchVolumes is 8192; their size limits add up to more than the pod's 4096Mi of ephemeral storage",
      );
    });

    test('fails on a drain of zero seconds', () => {
      const { chart, props } = base();
      expect(() => new LongRunningService(chart, 'svc', { ...props, drainSeconds: 0 })).toThrow('svc: drainSeconds is 0; use a whole number of seconds from 1 to 3600');
    });

    test('fails to allow traffic to a worker without a traffic port', () => {
      const { chart, props } = base();
      const worker = new LongRunningService(chart, 'worker', props);
      expect(() => worker.allowTrafficFrom(ingressController)).toThrow('worker serves no traffic port; ingress-nginx cannot be allowed to reach it');
    });

    test('fails to expose a service without a rate limit', () => {
      const { chart, props } = base();
      const service = new LongRunningService(chart, 'svc', { ...props, httpPort: 8080 });
      expect(() => service.exposeViaIngress({ hostname: 's.example.com', ingressController, ...publicTls, rateLimitPerSecond: 0 })).toThrow(
        'svc: rateLimitPerSecond is 0; use a whole number from 1 to 10000: every Ingress is limited',
      );
    });

    test('fails to expose services of one namespace whose certificates come from different issuers', () => {
      const { chart, props } = base();
      new LongRunningService(chart, 'first', { ...props, httpPort: 8080 }).exposeViaIngress({ hostname: 'first.example.com', ingressController, ...publicTls });
      const other = new LongRunningService(chart, 'other', { ...props, httpPort: 8080, serverTlsIssuer: { issuerName: 'other-ca', issuerKind: 'Issuer' } });
      expect(() => other.exposeViaIngress({ hostname: 'other.example.com', ingressController, ...publicTls })).toThrow(
        'other: serverTlsIssuer is Issuer other-ca, but ingress-nginx verifies the services of namespace apps against ClusterIssuer internal-ca',
      );
    });

    test('fails to expose a worker through an ingress', () => {
      const { chart, props } = base();
      const worker = new LongRunningService(chart, 'worker', props);
      expect(() => worker.exposeViaIngress({ hostname: 'w.example.com', ingressController, ...publicTls })).toThrow('worker serves no traffic port to expose at w.example.com');
    });
  });
});
