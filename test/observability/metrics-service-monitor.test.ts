import { MetricsServiceMonitor, MetricsServiceMonitorProps } from '../../lib/observability/metrics-service-monitor';
import { emptyChart, find, objectsOf } from '../support/kube';

describe('MetricsServiceMonitor', () => {
  test('with minimal props: scrapes /metrics on the metrics port of every Service of the workload every 15 s', () => {
    const chart = emptyChart();
    new MetricsServiceMonitor(chart, 'web', { namespace: 'apps', serviceLabels: { 'app.kubernetes.io/name': 'web' } });
    const monitor = find(objectsOf(chart), 'ServiceMonitor', 'web');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      namespaceSelector: { matchNames: ['apps'] },
      endpoints: [{ port: 'metrics', path: '/metrics', scheme: 'http', interval: '15s' }],
    });
  });

  test('with all props: scrapes over HTTPS, verifying the name against the CA of a Secret in the monitor\'s namespace', () => {
    const chart = emptyChart();
    const props: Required<MetricsServiceMonitorProps> = {
      namespace: 'apps', serviceLabels: { 'app.kubernetes.io/name': 'api', tier: 'backend' }, portName: 'prom', interval: '30s',
      tlsCaSecretName: 'api-server-tls', tlsServerName: 'api.apps.svc',
    };
    new MetricsServiceMonitor(chart, 'api', props);
    expect(find(objectsOf(chart), 'ServiceMonitor', 'api').spec.endpoints).toEqual([{
      port: 'prom', path: '/metrics', scheme: 'https', interval: '30s',
      tlsConfig: { ca: { secret: { name: 'api-server-tls', key: 'ca.crt' } }, serverName: 'api.apps.svc' },
    }]);
  });

  test.each([
    [{ tlsCaSecretName: 'api-server-tls' }],
    [{ tlsServerName: 'api.apps.svc' }],
  ])('fails with only one of the CA Secret and the server name: %p', (tls) => {
    expect(() => new MetricsServiceMonitor(emptyChart(), 'api', { namespace: 'apps', serviceLabels: { 'app.kubernetes.io/name': 'api' }, ...tls })).toThrow(
      'MetricsServiceMonitor api: tlsCaSecretName is',
    );
  });

  test('fails without a workload name among the labels', () => {
    expect(() => new MetricsServiceMonitor(emptyChart(), 'x', { namespace: 'apps', serviceLabels: { tier: 'backend' } })).toThrow(
      'MetricsServiceMonitor x: serviceLabels has no app.kubernetes.io/name',
    );
  });
});
