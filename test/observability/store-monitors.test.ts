import { App } from 'cdk8s';
import { EnvironmentChart } from '../../charts/environment-chart';
import { EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { PlatformAlertRules } from '../../lib/observability/platform-alert-rules';
import { RabbitmqMonitor, RabbitmqMonitorProps, RedisExporterMonitor, RedisExporterMonitorProps } from '../../lib/observability/store-monitors';
import { emptyChart, find, KubeObject, objectsOf } from '../support/kube';
import { validatePlatform } from '../tools/validation/support/platform-fixtures';

const REDIS = { name: 'redis', namespaceName: 'apps', caSecretName: 'redis-tls', metricsServerName: 'redis-headless.apps.svc' };

describe('RedisExporterMonitor', () => {
  test('scrapes the exporter sidecars over HTTPS through the headless Service port metrics (9121) every 15 s, verifying them against the nodes\' CA', () => {
    const chart = emptyChart();
    new RedisExporterMonitor(chart, 'redis-metrics', { redis: REDIS });
    const monitor = find(objectsOf(chart), 'ServiceMonitor', 'redis');
    expect(monitor.metadata.namespace).toBe('apps');
    expect(monitor.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/part-of': 'generator-platform' } },
      namespaceSelector: { matchNames: ['apps'] },
      endpoints: [{
        port: 'metrics',
        path: '/metrics',
        scheme: 'https',
        // Prometheus scrapes pod addresses, so it checks the name the nodes' certificate carries for the headless Service.
        tlsConfig: { ca: { secret: { name: 'redis-tls', key: 'ca.crt' } }, serverName: 'redis-headless.apps.svc' },
        interval: '15s',
      }],
    });
  });

  test('with all props', () => {
    const chart = emptyChart();
    const props: Required<RedisExporterMonitorProps> = { redis: { ...REDIS, name: 'cache' }, interval: '30s' };
    new RedisExporterMonitor(chart, 'cache-metrics', props);
    expect(find(objectsOf(chart), 'ServiceMonitor', 'cache').spec.endpoints[0].interval).toBe('30s');
  });
});

const RABBITMQ = { name: 'rabbitmq', namespaceName: 'apps', vhostName: 'generator-platform', serviceHost: 'rabbitmq.apps.svc.cluster.local', tlsSecretName: 'rabbitmq-tls' };

describe('RabbitmqMonitor', () => {
  test('scrapes rabbitmq_prometheus on the operator client Service port prometheus: the aggregates, and the queues of the vhost', () => {
    const chart = emptyChart();
    new RabbitmqMonitor(chart, 'rabbitmq-metrics', { broker: RABBITMQ });
    const monitor = find(objectsOf(chart), 'ServiceMonitor', 'rabbitmq');
    expect(monitor.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'rabbitmq', 'app.kubernetes.io/component': 'rabbitmq' } });
    // HTTPS, verified against the broker's CA by the client Service's name (Prometheus scrapes pod addresses).
    const tlsConfig = { ca: { secret: { name: 'rabbitmq-tls', key: 'ca.crt' } }, serverName: 'rabbitmq.apps.svc.cluster.local' };
    expect(monitor.spec.endpoints).toEqual([
      { port: 'prometheus-tls', path: '/metrics', scheme: 'https', tlsConfig, interval: '15s' },
      { port: 'prometheus-tls', path: '/metrics/detailed', params: { family: ['queue_coarse_metrics', 'queue_consumer_count'], vhost: ['generator-platform'] }, scheme: 'https', tlsConfig, interval: '15s' },
    ]);
  });

  test('with all props', () => {
    const chart = emptyChart();
    const props: Required<RabbitmqMonitorProps> = { broker: { ...RABBITMQ, name: 'mq', vhostName: 'v' }, interval: '30s' };
    new RabbitmqMonitor(chart, 'mq-metrics', props);
    expect(find(objectsOf(chart), 'ServiceMonitor', 'mq').spec.endpoints.map((e: any) => e.interval)).toEqual(['30s', '30s']);
  });
});

describe('wired into the production environment as the lead wires them', () => {
  test('the validation gate finds every monitor selector and port resolved, and the PrometheusRules schema-valid', async () => {
    const environment = new EnvironmentChart(new App(), 'production', { config: ENVIRONMENTS[EnvironmentName.PRODUCTION] });
    new RedisExporterMonitor(environment, 'redis-metrics', { redis: environment.redis });
    new RabbitmqMonitor(environment, 'rabbitmq-metrics', { broker: environment.messageBroker });
    new PlatformAlertRules(environment, 'alerting-rules', { namespace: environment.baseline, jobQueue: environment.jobQueue, broker: environment.messageBroker, environment: 'production', includeClusterWideRules: true });
    const objects = environment.toJson() as KubeObject[];
    const mine = (kind: string) => ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'].includes(kind);
    const { findings } = await validatePlatform(objects);
    expect(findings.filter((f) => f.object !== undefined && mine(f.object.kind))).toEqual([]);
    const monitors = objects.filter((o) => o.kind === 'ServiceMonitor').map((o) => o.metadata.name).sort();
    expect(monitors).toEqual(expect.arrayContaining(['api', 'generator', 'rabbitmq', 'redis', 'web']));
    // CloudNativePG's PodMonitors (cluster and pooler) are enabled on the operator's resources.
    expect(find(objects, 'Cluster', 'postgres').spec.monitoring).toEqual({ enablePodMonitor: true });
    expect(objects.filter((o) => o.kind === 'Pooler').every((o) => o.spec.monitoring?.enablePodMonitor === true)).toBe(true);
  });

  test('the gate would catch a monitor aimed at nothing (the check above is live)', async () => {
    const environment = new EnvironmentChart(new App(), 'production', { config: ENVIRONMENTS[EnvironmentName.PRODUCTION] });
    new RabbitmqMonitor(environment, 'rabbitmq-metrics', { broker: { ...RABBITMQ, name: 'no-such-broker', namespaceName: environment.baseline.namespaceName, vhostName: 'v' } });
    const { findings } = await validatePlatform(environment.toJson() as KubeObject[]);
    expect(findings.filter((f) => f.object?.name === 'no-such-broker').map((f) => f.ruleId)).toEqual(['XREF-SERVICEMONITOR-SELECTOR']);
  });
});
