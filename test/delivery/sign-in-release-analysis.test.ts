import { SignInReleaseAnalysis, SignInReleaseAnalysisProps, SIGN_IN_REQUESTS_METRIC } from '../../lib/delivery/sign-in-release-analysis';
import { emptyChart, find, kinds, objectsOf } from '../support/kube';

const PROMETHEUS = 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';
const REQUIRED = { namespace: 'apps', prometheusUrl: PROMETHEUS };

describe('SignInReleaseAnalysis', () => {
  test('with minimal props: a gate of 3 x 20 s after the rest of a rate window, and an open-ended watch, on the canary\'s 5xx share', () => {
    const chart = emptyChart();
    const analysis = new SignInReleaseAnalysis(chart, 'oauth2-proxy', REQUIRED);
    const objects = objectsOf(chart);
    expect(kinds(objects, 'AnalysisTemplate').map((t) => t.metadata.name)).toEqual(['oauth2-proxy-release-gate', 'oauth2-proxy-release-watch']);
    // The step pause (30 s) plus 30 s: one 60 s rate window after the canary's weight was set. 30 + 3 x 20.
    expect(analysis.initialDelaySeconds).toBe(30);
    expect(analysis.gateSeconds).toBe(90);
    const gate = find(objects, 'AnalysisTemplate', 'oauth2-proxy-release-gate');
    expect(gate.metadata.namespace).toBe('apps');
    expect(gate.spec.args).toEqual([{ name: 'service' }, { name: 'namespace' }]);
    expect(gate.spec.metrics).toHaveLength(1);
    expect(gate.spec.metrics[0]).toMatchObject({
      name: 'server-errors', interval: '20s', count: 3, initialDelay: '30s', failureLimit: 1, consecutiveErrorLimit: 2,
      // At most 0.1% 5xx; no series (empty) or no request (NaN) fails.
      successCondition: 'len(result) > 0 && !isNaN(result[0]) && result[0] <= 0.001',
      failureCondition: '!(len(result) > 0 && !isNaN(result[0])) || result[0] > 0.001',
    });
    expect(gate.spec.metrics[0].provider.prometheus).toMatchObject({ address: PROMETHEUS, timeout: 10 });
    const watch = find(objects, 'AnalysisTemplate', 'oauth2-proxy-release-watch');
    // It starts with the canary's weight: a whole rate window before the first measurement.
    expect(watch.spec.metrics[0]).toMatchObject({ initialDelay: '60s', interval: '20s' });
    expect(watch.spec.metrics[0].count).toBeUndefined();
    expect(watch.spec.metrics[0].provider.prometheus.query).toBe(gate.spec.metrics[0].provider.prometheus.query);
  });

  test('reads only oauth2-proxy\'s request counter, of the pods behind the analysed Service, 5xx against every answer', () => {
    const chart = emptyChart();
    new SignInReleaseAnalysis(chart, 'oauth2-proxy', REQUIRED);
    const query: string = find(objectsOf(chart), 'AnalysisTemplate', 'oauth2-proxy-release-gate').spec.metrics[0].provider.prometheus.query;
    expect([...query.matchAll(/([a-z0-9_:]+)\{/g)].map((match) => match[1])).toEqual([SIGN_IN_REQUESTS_METRIC, SIGN_IN_REQUESTS_METRIC]);
    const selectors = query.split(`${SIGN_IN_REQUESTS_METRIC}{`).slice(1).map((part) => part.slice(0, part.indexOf('}[60s]')));
    expect(selectors).toEqual([
      'namespace="{{args.namespace}}",service="{{args.service}}",code=~"5.."',
      'namespace="{{args.namespace}}",service="{{args.service}}"',
    ]);
  });

  test('with all props', () => {
    const chart = emptyChart();
    const props: Required<SignInReleaseAnalysisProps> = { ...REQUIRED, successRateObjectivePercent: 99.5, intervalSeconds: 15, count: 4 };
    const analysis = new SignInReleaseAnalysis(chart, 'sign-in', props);
    const [metric] = find(objectsOf(chart), 'AnalysisTemplate', 'sign-in-release-gate').spec.metrics;
    expect(metric).toMatchObject({ interval: '15s', count: 4, successCondition: 'len(result) > 0 && !isNaN(result[0]) && result[0] <= 0.005' });
    expect(analysis.gateSeconds).toBe(90);
  });

  test.each([
    [{ prometheusUrl: 'prometheus:9090' }, 'oauth2-proxy: prometheusUrl is "prometheus:9090"; give the Prometheus HTTP API address'],
    [{ successRateObjectivePercent: 100 }, 'oauth2-proxy: successRateObjectivePercent is 100; use a percentage above 0 and below 100'],
    [{ intervalSeconds: 2.5 }, 'oauth2-proxy: intervalSeconds is 2.5; use a whole number of seconds from 5 to 300'],
    [{ count: 1 }, 'oauth2-proxy: count is 1; use a whole number of measurements from 2 to 30'],
  ] as const)('fails on %p', (change, message) => {
    expect(() => new SignInReleaseAnalysis(emptyChart(), 'oauth2-proxy', { ...REQUIRED, ...change })).toThrow(message);
  });
});
