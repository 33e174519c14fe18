import * as fs from 'fs';
import { PlatformAlertRules, PlatformAlertRulesProps, PLATFORM_SLOS, platformRuleGroups } from '../../lib/observability/platform-alert-rules';
import { Severity } from '../../lib/observability/rules/rule-types';
import { burnRateAlerts, MULTI_WINDOW_BURN_RATES, SliKind } from '../../lib/observability/rules/slo-rules';
import { emptyChart, find, kinds, objectsOf } from '../support/kube';
import { checkAndTest, PromtoolResult, ruleFilesFor } from './support/promtool';

const PROPS: PlatformAlertRulesProps = { namespace: { namespaceName: 'apps' }, jobQueue: { queueName: 'generation.jobs' }, broker: { vhostName: 'generator-platform' } };
const PUBLIC_HOSTS = [{ service: 'web', hostname: 'app.example.com' }, { service: 'api', hostname: 'api.example.com' }];
const INGRESS_CONTROLLER = { namespace: 'ingress-nginx', metricsServiceName: 'ingress-nginx-controller-metrics' };
/** Everything rendered, edge objectives and the controller alert included: what staging and production render. */
const EDGE_PROPS: PlatformAlertRulesProps = { ...PROPS, publicHosts: PUBLIC_HOSTS, ingressController: INGRESS_CONTROLLER };

function render(props: PlatformAlertRulesProps = PROPS) {
  const chart = emptyChart();
  const rules = new PlatformAlertRules(chart, 'alerts', props);
  return { rules, objects: kinds(objectsOf(chart), 'PrometheusRule') };
}

describe('PlatformAlertRules', () => {
  test('renders one PrometheusRule per concern in the environment namespace, with the platform labels only', () => {
    const { objects } = render();
    expect(objects.map((o) => o.metadata.name)).toEqual(['rules-release-analysis', 'rules-slo', 'rules-generator', 'rules-saturation', 'rules-stores', 'rules-platform', 'rules-cluster']);
    for (const rule of objects) {
      expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(rule.metadata.namespace).toBe('apps');
      expect(rule.metadata.labels).toEqual({ 'app.kubernetes.io/name': rule.metadata.name, 'app.kubernetes.io/part-of': 'generator-platform', 'app.kubernetes.io/component': 'alerting-rules' });
      expect(rule.spec.groups).toHaveLength(1);
    }
    expect(find(objects, 'PrometheusRule', 'rules-release-analysis').spec.groups[0]).toMatchObject({ name: 'release-analysis', interval: '15s' });
  });

  test('release analysis reads the recorded 1m error ratio and p95 of every Service of the namespace', () => {
    const { objects } = render();
    const records = find(objects, 'PrometheusRule', 'rules-release-analysis').spec.groups[0].rules.map((r: any) => r.record);
    expect(records).toEqual(['service:http_requests:error_ratio_rate1m', 'service:http_request_duration_seconds:p95_rate1m']);
  });

  test('SLOs: availability and latency at 99.9% for web and api, each with a page and a ticket alert', () => {
    const { rules } = render();
    const slo = rules.groups.find((g) => g.name === 'slo')!;
    expect(slo.alerts.map((a) => `${a.name} ${a.severity} for ${a.for}`)).toEqual([
      'WebAvailabilityBudgetBurnPage critical for 2m',
      'WebAvailabilityBudgetBurnTicket warning for 15m',
      'WebLatencyBudgetBurnPage critical for 2m',
      'WebLatencyBudgetBurnTicket warning for 15m',
      'ApiAvailabilityBudgetBurnPage critical for 2m',
      'ApiAvailabilityBudgetBurnTicket warning for 15m',
      'ApiLatencyBudgetBurnPage critical for 2m',
      'ApiLatencyBudgetBurnTicket warning for 15m',
    ]);
    const page = slo.alerts.find((a) => a.name === 'ApiAvailabilityBudgetBurnPage')!;
    expect(page.expr).toContain('service:http_requests:error_ratio_rate1h{namespace="apps",service="api"} > (14.4 * 0.001)');
    expect(page.expr).toContain('service:http_requests:error_ratio_rate5m{namespace="apps",service="api"} > (14.4 * 0.001)');
    expect(page.expr).toContain('service:http_requests:error_ratio_rate6h{namespace="apps",service="api"} > (6 * 0.001)');
    expect(page.expr).toContain('service:http_requests:error_ratio_rate30m{namespace="apps",service="api"} > (6 * 0.001)');
    const ticket = slo.alerts.find((a) => a.name === 'WebLatencyBudgetBurnTicket')!;
    expect(ticket.expr).toContain('service:http_requests:slow_ratio_rate1d{namespace="apps",service="web"} > (3 * 0.001)');
    expect(ticket.expr).toContain('service:http_requests:slow_ratio_rate3d{namespace="apps",service="web"} > (1 * 0.001)');
    // The latency SLIs count requests above the objective's bucket: 0.8 s for web, 0.5 s for api.
    const slowRatio1h = slo.recordings.filter((r) => r.record === 'service:http_requests:slow_ratio_rate1h').map((r) => r.expr);
    expect(slowRatio1h[0]).toContain('{namespace="apps",service="web",le="0.8"}');
    expect(slowRatio1h[1]).toContain('{namespace="apps",service="api",le="0.5"}');
  });

  test('edge SLOs: availability of each public hostname at ingress-nginx, 5xx of every Ingress of the host, with the same page and ticket alerts', () => {
    const { rules } = render(EDGE_PROPS);
    const slo = rules.groups.find((g) => g.name === 'slo')!;
    expect(slo.alerts.map((a) => a.name).filter((name) => name.includes('Edge'))).toEqual([
      'WebEdgeAvailabilityBudgetBurnPage',
      'WebEdgeAvailabilityBudgetBurnTicket',
      'ApiEdgeAvailabilityBudgetBurnPage',
      'ApiEdgeAvailabilityBudgetBurnTicket',
    ]);
    const edge1h = slo.recordings.filter((r) => r.record === 'service:nginx_ingress_controller_requests:error_ratio_rate1h');
    expect(edge1h.map((r) => r.labels)).toEqual([{ namespace: 'apps', service: 'web' }, { namespace: 'apps', service: 'api' }]);
    // Selected by the Ingress's namespace as the scrape renames it, and by host: the service's, sign-in, public and canary Ingresses alike.
    expect(edge1h[0].expr).toContain('sum by (host) (rate(nginx_ingress_controller_requests{exported_namespace="apps",host="app.example.com",status=~"5.."}[1h]))');
    expect(edge1h[0].expr).toContain('sum by (host) (rate(nginx_ingress_controller_requests{exported_namespace="apps",host="app.example.com"}[1h])) * 0');
    const page = slo.alerts.find((a) => a.name === 'ApiEdgeAvailabilityBudgetBurnPage')!;
    expect(page.expr).toContain('service:nginx_ingress_controller_requests:error_ratio_rate1h{namespace="apps",service="api"} > (14.4 * 0.001)');
    expect(page.expr).toContain('service:nginx_ingress_controller_requests:error_ratio_rate5m{namespace="apps",service="api"} > (14.4 * 0.001)');
    expect(page.labels).toEqual({ slo: 'api-edge-availability' });
    const cluster = rules.groups.find((g) => g.name === 'cluster')!;
    expect(cluster.alerts.find((a) => a.name === 'IngressControllerDown')!.expr).toBe('absent(up{namespace="ingress-nginx",service="ingress-nginx-controller-metrics"} == 1)');
    expect(render({ ...EDGE_PROPS, includeClusterWideRules: false }).rules.alerts.map((a) => a.name)).not.toContain('IngressControllerDown');
  });

  test('every alert has at least one firing and one quiet promtool case, a severity, a runbook and a threshold', () => {
    const { rules } = render();
    expect(rules.alerts.length).toBe(30);
    for (const alert of rules.alerts) {
      expect(alert.tests.firing.length).toBeGreaterThanOrEqual(1);
      expect(alert.tests.quiet.length).toBeGreaterThanOrEqual(1);
      expect([Severity.PAGE, Severity.TICKET]).toContain(alert.severity);
      expect(alert.runbook).toMatch(/^[a-z0-9-]+$/);
      expect(alert.threshold.length).toBeGreaterThan(0);
    }
    expect(new Set(rules.alerts.map((a) => a.name)).size).toBe(rules.alerts.length);
  });

  test('with all props: an environment label on every alert, for Alertmanager routing', () => {
    const props: Required<PlatformAlertRulesProps> = {
      ...PROPS,
      objectives: PLATFORM_SLOS,
      publicHosts: PUBLIC_HOSTS,
      ingressController: INGRESS_CONTROLLER,
      burnRateWindows: MULTI_WINDOW_BURN_RATES,
      environment: 'staging',
      includeClusterWideRules: true,
    };
    const { objects } = render(props);
    const alertRules = objects.flatMap((o) => o.spec.groups[0].rules).filter((r: any) => r.alert !== undefined);
    // 30 without the edge: four edge SLO alerts and IngressControllerDown.
    expect(alertRules).toHaveLength(35);
    for (const rule of alertRules) {
      expect(rule.labels.environment).toBe('staging');
    }
    expect(() => render({ ...PROPS, environment: 'Staging!' })).toThrow('PlatformAlertRules: environment is "Staging!"');
  });

  test('previews leave the cluster-wide rules to the environment that owns the cluster', () => {
    const { objects } = render({ ...PROPS, includeClusterWideRules: false });
    expect(objects.map((o) => o.metadata.name)).not.toContain('rules-cluster');
  });

  test('rejects an objective without test data for one of its windows, and an alert without cases', () => {
    expect(() => burnRateAlerts('apps', { ...PLATFORM_SLOS[2], test: { badRatios: { '1h': { firing: 0.02, quiet: 0.01 } } } })).toThrow(
      'SLO api-availability: test.badRatios has no entry for the 6h window; write out a firing and a quiet ratio for it',
    );
    expect(() => platformRuleGroups({ ...PROPS, objectives: [{ service: 'api', sli: SliKind.LATENCY, objectivePercent: 99.9, test: { badRatios: {} } }] })).toThrow(
      'SLO api-latency: latencyThresholdSeconds is undefined; a latency objective needs a threshold above 0',
    );
    expect(() => platformRuleGroups({ ...PROPS, objectives: [{ ...PLATFORM_SLOS[0], objectivePercent: 100 }] })).toThrow('SLO web-availability: objectivePercent is 100');
    expect(() => platformRuleGroups({ ...PROPS, publicHosts: [{ service: 'web', hostname: 'App.Example.com' }] })).toThrow(
      'SLO web-edge-availability: hostname is "App.Example.com"; an edge objective needs the public hostname ingress-nginx serves, e.g. app.example.com',
    );
    expect(() => platformRuleGroups({ ...PROPS, objectives: [{ ...PLATFORM_SLOS[0], hostname: 'app.example.com' }] })).toThrow(
      'SLO web-availability: hostname is "app.example.com"; only an edge objective is measured per hostname',
    );
  });
});

describe('promtool', () => {
  let result: PromtoolResult;
  const { rules, objects } = render({ ...EDGE_PROPS, environment: 'production' });

  beforeAll(async () => {
    result = await checkAndTest(objects, rules.alerts);
  });
  afterAll(() => result && fs.rmSync(result.dir, { recursive: true, force: true }));

  test('promtool check rules accepts every rendered rule file, with duplicate rules fatal', () => {
    expect(result.check.output).not.toContain('FAILED');
    expect(result.check.status).toBe(0);
    expect(result.check.output.match(/SUCCESS/g)).toHaveLength(objects.length);
  });

  test.each(rules.alerts.map((alert) => [alert.name, alert.tests.firing.length, alert.tests.quiet.length]))(
    'promtool test rules: %s fires in its %d firing case(s) and stays quiet in its %d quiet case(s)',
    (name) => {
      const run = result.tests.get(String(name))!;
      expect(run.output).toContain('SUCCESS');
      expect(run.status).toBe(0);
    },
  );
});

describe('the rule files a promtool test loads', () => {
  const ruleFile = (name: string, rules: object[]): any => ({ metadata: { name }, spec: { groups: [{ name, rules }] } });
  const files = [
    ruleFile('base', [{ record: 'job:errors:rate5m', expr: 'sum by (job) (rate(errors_total[5m]))' }]),
    ruleFile('ratio', [{ record: 'job:errors:ratio5m', expr: 'job:errors:rate5m / on (job) job:requests:rate5m' }]),
    ruleFile('alerts', [{ alert: 'ErrorsHigh', expr: 'job:errors:ratio5m > 0.1' }, { alert: 'Other', expr: 'up == 0' }]),
    ruleFile('unrelated', [{ record: 'job:errors:rate5m_total', expr: 'sum(errors_total)' }]),
  ];
  const names = files.map((f) => `${f.metadata.name}.yaml`);

  test('are the alert\'s own and every file recording what it reads, transitively, in their order; a longer name sharing a prefix is not a read', () => {
    expect(ruleFilesFor('ErrorsHigh', files, names)).toEqual(['base.yaml', 'ratio.yaml', 'alerts.yaml']);
  });

  test('are all files when an expression selects by __name__, and an alert no file has is an error', () => {
    const byName = [...files, ruleFile('any', [{ record: 'x', expr: '{__name__=~"job:.*"}' }])];
    expect(ruleFilesFor('ErrorsHigh', byName, [...names, 'any.yaml'])).toEqual([...names, 'any.yaml']);
    expect(() => ruleFilesFor('Missing', files, names)).toThrow('no rendered rule file has the alert Missing');
  });
});
