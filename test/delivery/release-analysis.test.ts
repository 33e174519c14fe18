import { ReleaseAnalysis, ReleaseAnalysisProps } from '../../lib/delivery/release-analysis';
import { platformRuleGroups } from '../../lib/observability/platform-alert-rules';
import { emptyChart, find, kinds, objectsOf } from '../support/kube';

const PROMETHEUS = 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';

describe('ReleaseAnalysis', () => {
  test('with minimal props: a gate and a watch template on Prometheus, 99.9% success rate and a 500 ms p95', () => {
    const chart = emptyChart();
    const analysis = new ReleaseAnalysis(chart, 'api', { namespace: 'apps', prometheusUrl: PROMETHEUS });
    const objects = objectsOf(chart);
    expect(kinds(objects, 'AnalysisTemplate').map((t) => t.metadata.name)).toEqual(['api-release-gate', 'api-release-watch']);
    expect(analysis.gateTemplateName).toBe('api-release-gate');
    expect(analysis.watchTemplateName).toBe('api-release-watch');
    expect(analysis.gateSeconds).toBe(60);

    const gate = find(objects, 'AnalysisTemplate', 'api-release-gate');
    expect(gate.metadata.namespace).toBe('apps');
    expect(gate.spec.args).toEqual([{ name: 'service' }, { name: 'namespace' }]);
    const [successRate, latency] = gate.spec.metrics;
    expect(successRate).toMatchObject({ name: 'success-rate', interval: '20s', count: 3, failureLimit: 1, consecutiveErrorLimit: 2 });
    expect(successRate.provider.prometheus.address).toBe(PROMETHEUS);
    // The same recording rules the SLO alerts read (PlatformAlertRules, group release-analysis).
    expect(successRate.provider.prometheus.query).toBe('1 - service:http_requests:error_ratio_rate1m{namespace="{{args.namespace}}",service="{{args.service}}"}');
    expect(successRate.successCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] >= 0.999');
    expect(successRate.failureCondition).toBe('!(len(result) > 0 && !isNaN(result[0])) || result[0] < 0.999');
    expect(latency).toMatchObject({ name: 'latency-p95', interval: '20s', count: 3, failureLimit: 1 });
    expect(latency.provider.prometheus.query).toBe('service:http_request_duration_seconds:p95_rate1m{namespace="{{args.namespace}}",service="{{args.service}}"}');
    expect(latency.successCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] <= 0.5');

    const watch = find(objects, 'AnalysisTemplate', 'api-release-watch');
    for (const metric of watch.spec.metrics) {
      // Until stopped (a canary's background analysis), after one rate window of the canary's traffic.
      expect(metric.count).toBeUndefined();
      expect(metric.initialDelay).toBe('60s');
    }
    expect(analysis.watchSeconds).toBeUndefined();
    expect(watch.spec.metrics.map((m: any) => m.successCondition)).toEqual(gate.spec.metrics.map((m: any) => m.successCondition));
  });

  test('a silent service fails: no series, or a recorded 0/0 (NaN), fails both metrics', () => {
    const chart = emptyChart();
    new ReleaseAnalysis(chart, 'web', { namespace: 'apps', prometheusUrl: PROMETHEUS });
    for (const metric of find(objectsOf(chart), 'AnalysisTemplate', 'web-release-gate').spec.metrics) {
      // Every measurement is either successful or failed: the failure condition is the exact negation.
      expect(metric.failureCondition.startsWith('!(len(result) > 0 && !isNaN(result[0])) || ')).toBe(true);
      expect(metric.successCondition.startsWith('len(result) > 0 && !isNaN(result[0]) && ')).toBe(true);
    }
  });

  test('with all props', () => {
    const chart = emptyChart();
    const props: Required<ReleaseAnalysisProps> = {
      namespace: 'apps', prometheusUrl: 'https://prometheus.example.com', successRateObjectivePercent: 99.95, latencyP95Ms: 250,
      intervalSeconds: 15, count: 4, failureLimit: 0, initialDelaySeconds: 60, watchCount: 3,
    };
    const analysis = new ReleaseAnalysis(chart, 'api', props);
    const [successRate, latency] = find(objectsOf(chart), 'AnalysisTemplate', 'api-release-gate').spec.metrics;
    expect(successRate).toMatchObject({ interval: '15s', count: 4, failureLimit: 0 });
    expect(successRate.successCondition).toContain('result[0] >= 0.9995');
    expect(successRate.provider.prometheus.address).toBe('https://prometheus.example.com');
    expect(latency.successCondition).toContain('result[0] <= 0.25');
    expect(successRate.initialDelay).toBe('60s');
    // A bounded watch (post-promotion) measures after one interval of real traffic, 3 times.
    const watch = find(objectsOf(chart), 'AnalysisTemplate', 'api-release-watch').spec.metrics[0];
    expect(watch).toMatchObject({ initialDelay: '15s', count: 3, interval: '15s' });
    expect(analysis.gateSeconds).toBe(120);
    expect(analysis.watchSeconds).toBe(60);
  });

  test.each([
    [{ prometheusUrl: 'prometheus:9090' }, 'api: prometheusUrl is "prometheus:9090"; give the Prometheus HTTP API address'],
    [{ successRateObjectivePercent: 100 }, 'api: successRateObjectivePercent is 100; use a percentage above 0 and below 100'],
    [{ latencyP95Ms: 0 }, 'api: latencyP95Ms is 0; use a whole number of milliseconds from 1 to 60000'],
    [{ intervalSeconds: 1 }, 'api: intervalSeconds is 1; use a whole number of seconds from 5 to 300'],
    [{ count: 0 }, 'api: count is 0; use a whole number of measurements from 1 to 30'],
    [{ count: 2, failureLimit: 2 }, 'api: failureLimit is 2; use a whole number from 0 to 1, below count'],
    [{ initialDelaySeconds: -1 }, 'api: initialDelaySeconds is -1; use a whole number of seconds from 0 to 300'],
    [{ watchCount: 1 }, 'api: watchCount is 1; use a whole number of measurements above failureLimit (1) and at most 30'],
    [{ watchCount: 31 }, 'api: watchCount is 31; use a whole number of measurements above failureLimit (1) and at most 30'],
  ] as const)('fails on %p', (change, message) => {
    expect(() => new ReleaseAnalysis(emptyChart(), 'api', { namespace: 'apps', prometheusUrl: PROMETHEUS, ...change })).toThrow(message);
  });

  test('reads only recording rules that PlatformAlertRules renders, and those are evaluated at the scrape interval', () => {
    const chart = emptyChart();
    new ReleaseAnalysis(chart, 'api', { namespace: 'apps', prometheusUrl: PROMETHEUS });
    const queried = find(objectsOf(chart), 'AnalysisTemplate', 'api-release-gate').spec.metrics.map((m: any) => /([a-z_:0-9]+)\{/.exec(m.provider.prometheus.query)![1]);
    const group = platformRuleGroups({ namespace: { namespaceName: 'apps' }, jobQueue: { queueName: 'generation.jobs' }, broker: { vhostName: 'v' } }).find((g) => g.name === 'release-analysis')!;
    expect(queried).toEqual(group.recordings.map((r) => r.record));
    expect(group.interval).toBe('15s');
  });
});
