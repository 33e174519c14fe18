import { GeneratorReleaseAnalysis, GeneratorReleaseAnalysisProps } from '../../lib/delivery/generator-release-analysis';
import { GENERATOR_METRICS } from '../../lib/observability/dashboards/generator-pipeline';
import { generatorAlerts } from '../../lib/observability/rules/generator-alerts';
import { emptyChart, find, kinds, objectsOf } from '../support/kube';

const PROMETHEUS = 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';
const REQUIRED = { namespace: 'apps', prometheusUrl: PROMETHEUS, queueVhost: 'generator-platform', queueName: 'generation.jobs' };

describe('GeneratorReleaseAnalysis', () => {
  test('with minimal props: a gate of 3 x 20 s and an open-ended watch, on the canary\'s generations and on the jobs it takes', () => {
    const chart = emptyChart();
    const analysis = new GeneratorReleaseAnalysis(chart, 'generator', REQUIRED);
    const objects = objectsOf(chart);
    expect(kinds(objects, 'AnalysisTemplate').map((t) => t.metadata.name)).toEqual(['generator-release-gate', 'generator-release-watch']);
    expect(analysis.gateSeconds).toBe(60);
    const gate = find(objects, 'AnalysisTemplate', 'generator-release-gate');
    expect(gate.spec.args).toEqual([{ name: 'service' }, { name: 'namespace' }]);
    const [succeeding, jobsTaken] = gate.spec.metrics;
    expect(succeeding).toMatchObject({
      name: 'generations-succeeding', interval: '20s', count: 3, failureLimit: 1, consecutiveErrorLimit: 2,
      // 10% failed at most: where GeneratorGenerationsFailing pages.
      successCondition: 'len(result) == 0 || result[0] <= 0.1',
      failureCondition: 'len(result) > 0 && result[0] > 0.1',
    });
    expect(succeeding.provider.prometheus).toMatchObject({ address: PROMETHEUS, timeout: 10 });
    expect(jobsTaken).toMatchObject({ name: 'jobs-taken', count: 3, successCondition: 'len(result) > 0', failureCondition: 'len(result) == 0' });
    expect(jobsTaken.provider.prometheus.query).toContain('rabbitmq_detailed_queue_messages_ready{namespace="{{args.namespace}}",vhost="generator-platform",queue="generation.jobs"}');
    const watch = find(objects, 'AnalysisTemplate', 'generator-release-watch');
    expect(watch.spec.metrics.map((m: any) => m.count)).toEqual([undefined, undefined]);
    // It starts with the canary: two scrapes pass before the old pods' series under the canary Service are stale.
    expect(watch.spec.metrics.map((m: any) => m.initialDelay)).toEqual(['30s', '30s']);
    expect(gate.spec.metrics.map((m: any) => m.initialDelay)).toEqual([undefined, undefined]);
    expect(watch.spec.metrics.map((m: any) => m.provider.prometheus.query)).toEqual(gate.spec.metrics.map((m: any) => m.provider.prometheus.query));
  });

  test('reads only the generator\'s own metrics that the alerts and dashboards read, of the pods behind the analysed Service', () => {
    const chart = emptyChart();
    new GeneratorReleaseAnalysis(chart, 'generator', REQUIRED);
    const queries = find(objectsOf(chart), 'AnalysisTemplate', 'generator-release-gate').spec.metrics.map((m: any) => m.provider.prometheus.query as string).join('\n');
    const metrics = new Set([...queries.matchAll(/([a-z_:]+)\{/g)].map((match) => match[1]));
    expect([...metrics].sort()).toEqual([GENERATOR_METRICS.started, GENERATOR_METRICS.finished, 'rabbitmq_detailed_queue_messages_ready'].sort());
    const alertExprs = generatorAlerts('apps', { vhost: 'generator-platform', queue: 'generation.jobs' }).map((alert) => alert.expr).join('\n');
    for (const metric of metrics) {
      expect(alertExprs).toContain(metric);
    }
    // Every selector of the generator's series names the analysed Service (the canary's).
    const selectors = queries.split(/generator_generations_[a-z_]+\{/).slice(1);
    expect(selectors).toHaveLength(4);
    for (const selector of selectors) {
      expect(selector.startsWith('namespace="{{args.namespace}}",service="{{args.service}}"')).toBe(true);
    }
  });

  test('with all props', () => {
    const chart = emptyChart();
    const props: Required<GeneratorReleaseAnalysisProps> = { ...REQUIRED, successRatioPercent: 95, intervalSeconds: 15, count: 4 };
    const analysis = new GeneratorReleaseAnalysis(chart, 'generator', props);
    const [succeeding] = find(objectsOf(chart), 'AnalysisTemplate', 'generator-release-gate').spec.metrics;
    expect(succeeding).toMatchObject({ interval: '15s', count: 4, successCondition: 'len(result) == 0 || result[0] <= 0.05' });
    expect(analysis.gateSeconds).toBe(60);
  });

  test.each([
    [{ prometheusUrl: 'prometheus:9090' }, 'generator: prometheusUrl is "prometheus:9090"; give the Prometheus HTTP API address'],
    [{ successRatioPercent: 100 }, 'generator: successRatioPercent is 100; use a percentage above 0 and below 100'],
    [{ intervalSeconds: 4 }, 'generator: intervalSeconds is 4; use a whole number of seconds from 5 to 300'],
    [{ count: 1 }, 'generator: count is 1; use a whole number of measurements from 2 to 30'],
    [{ queueName: 'jobs"}' }, 'generator: queueName is "jobs\\"}"; use the name as RabbitMQ reports it'],
    [{ queueVhost: '' }, 'generator: queueVhost is ""; use the name as RabbitMQ reports it'],
  ] as const)('fails on %p', (change, message) => {
    expect(() => new GeneratorReleaseAnalysis(emptyChart(), 'generator', { ...REQUIRED, ...change })).toThrow(message);
  });
});
