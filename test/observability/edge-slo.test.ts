import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { PlatformAlertRules, PlatformAlertRulesProps } from '../../lib/observability/platform-alert-rules';
import { alertAnnotations, alertLabels, AlertDefinition } from '../../lib/observability/rules/rule-types';
import { emptyChart, kinds, objectsOf } from '../support/kube';
import { tempDirsRemovedAfterAll } from '../support/files';
import { promtool, writeRuleFiles } from './support/promtool';

/**
 * Outages as Prometheus would see them, written out minute by minute, against the rendered rules
 * with the real promtool: what the pods' own counters miss and the edge (ingress-nginx) catches.
 * Every scenario is 60 minutes of healthy traffic and then 20 minutes of the failure; the alerts
 * are checked at minute 80, when a page (for: 2m) has long had time to fire.
 */
const NAMESPACE = 'apps';
const WEB_HOST = 'app.example.com';
const PROPS: PlatformAlertRulesProps = {
  namespace: { namespaceName: NAMESPACE },
  jobQueue: { queueName: 'generation.jobs' },
  broker: { vhostName: 'generator-platform' },
  publicHosts: [{ service: 'web', hostname: WEB_HOST }, { service: 'api', hostname: 'api.example.com' }],
  ingressController: { namespace: 'ingress-nginx', metricsServiceName: 'ingress-nginx-controller-metrics' },
};

const chart = emptyChart();
const rules = new PlatformAlertRules(chart, 'alerts', PROPS);
const ruleObjects = kinds(objectsOf(chart), 'PrometheusRule');
const alert = (name: string): AlertDefinition => rules.alerts.find((a) => a.name === name)!;
const makeTempDir = tempDirsRemovedAfterAll();

/** A web pod's request counter by status code, as the ServiceMonitor stores it. */
const pods = (code: string, values: string) => ({ series: `http_requests_total{namespace="${NAMESPACE}",service="web",pod="web-a",code="${code}"}`, values });
/** ingress-nginx's request counter of one Ingress of the web hostname, as scraped (the Ingress's namespace as exported_namespace). */
const edge = (ingress: string, status: string, values: string) => ({
  series: `nginx_ingress_controller_requests{namespace="ingress-nginx",service="ingress-nginx-controller-metrics",exported_namespace="${NAMESPACE}",ingress="${ingress}",host="${WEB_HOST}",status="${status}"}`,
  values,
});
const controllerUp = (values: string) => ({ series: 'up{namespace="ingress-nginx",service="ingress-nginx-controller-metrics",pod="ingress-nginx-controller-a"}', values });

/** Requests per minute, steady for 80 minutes; from 0, one sample a minute. */
const steady = (perMinute: number) => `0+${perMinute}x80`;
/** Steady for 60 minutes, then no more requests of this kind (the counter stays). */
const stopsAt60 = (perMinute: number) => `0+${perMinute}x60 ${perMinute * 60}x20`;
/** None for 60 minutes, then `perMinute` for 20. */
const startsAt60 = (perMinute: number) => `0x60 ${perMinute}+${perMinute}x19`;
/** Steady for 60 minutes, then the series is gone (its pods are). */
const goneAt60 = (perMinute: number) => `0+${perMinute}x60 _x20`;

const EVAL = '80m';
const WEB_EDGE_LABELS = { namespace: NAMESPACE, service: 'web', host: WEB_HOST };

interface Outcome {
  readonly alert: string;
  /** The labels of the firing alert from its query; undefined: the alert must stay quiet. */
  readonly fires?: Readonly<Record<string, string>>;
}

/** Runs one scenario through promtool: each alert of `outcomes` fires with exactly its labels, or stays quiet. */
function runScenario(name: string, series: readonly { series: string; values: string }[], outcomes: readonly Outcome[]) {
  const dir = makeTempDir('edge-slo-');
  const ruleFiles = writeRuleFiles(dir, ruleObjects);
  const test = {
    rule_files: ruleFiles,
    evaluation_interval: '1m',
    tests: [
      {
        name,
        interval: '1m',
        input_series: series,
        alert_rule_test: outcomes.map((outcome) => ({
          eval_time: EVAL,
          alertname: outcome.alert,
          exp_alerts: outcome.fires
            ? [{ exp_labels: { ...outcome.fires, ...alertLabels(alert(outcome.alert)) }, exp_annotations: alertAnnotations(alert(outcome.alert)) }]
            : [],
        })),
      },
    ],
  };
  fs.writeFileSync(path.join(dir, 'scenario.test.yaml'), YAML.stringify(test));
  return promtool(dir, 'test', 'rules', 'scenario.test.yaml');
}

describe('the edge objective catches what the pods never count (promtool)', () => {
  test('every web pod gone: ingress-nginx answers 503, the pods report nothing; the edge pages, the pod-level objective stays silent', () => {
    const run = runScenario(
      'web pods gone',
      [pods('200', goneAt60(1000)), pods('500', goneAt60(0)), edge('web', '200', stopsAt60(1000)), edge('web', '503', startsAt60(1000)), controllerUp('1x80')],
      [
        { alert: 'WebEdgeAvailabilityBudgetBurnPage', fires: WEB_EDGE_LABELS },
        { alert: 'WebAvailabilityBudgetBurnPage' },
        { alert: 'WebAvailabilityBudgetBurnTicket' },
        { alert: 'IngressControllerDown' },
      ],
    );
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  test('the sign-in proxy (or its session store) failing: signed-in paths answer 500 at the edge, the pods see only the public paths and answer 200', () => {
    const run = runScenario(
      'sign-in failing',
      [
        pods('200', steady(100)),
        edge('web-public', '200', steady(100)),
        edge('web', '200', stopsAt60(900)),
        edge('web', '500', startsAt60(900)),
        edge('web-sign-in', '500', startsAt60(50)),
        controllerUp('1x80'),
      ],
      [
        { alert: 'WebEdgeAvailabilityBudgetBurnPage', fires: WEB_EDGE_LABELS },
        { alert: 'WebAvailabilityBudgetBurnPage' },
      ],
    );
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  test('no controller pod scraped: nothing is counted anywhere, and only IngressControllerDown pages', () => {
    const run = runScenario(
      'controller gone',
      [pods('200', goneAt60(1000)), edge('web', '200', goneAt60(1000)), controllerUp('1x60 _x20')],
      [
        { alert: 'IngressControllerDown', fires: {} },
        { alert: 'WebEdgeAvailabilityBudgetBurnPage' },
        { alert: 'WebAvailabilityBudgetBurnPage' },
      ],
    );
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});

describe('what counts as a failure at the edge: 5xx only', () => {
  /** 30% 200, 40% 401, 10% 403, 10% 499 and 10% `limited` (the status of a rejected rate limit) from minute 0. */
  const mixed = (limited: string) => [
    edge('web', '200', steady(300)),
    edge('web', '401', steady(400)),
    edge('web', '403', steady(100)),
    edge('web', '499', steady(100)),
    edge('web', limited, steady(100)),
    controllerUp('1x80'),
  ];

  test('401 and 403 (no session, wrong group), 499 (the client went away) and 429 (over its rate limit) spend no budget', () => {
    const run = runScenario('not failures', mixed('429'), [
      { alert: 'WebEdgeAvailabilityBudgetBurnPage' },
      { alert: 'WebEdgeAvailabilityBudgetBurnTicket' },
    ]);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  test("with ingress-nginx's default status for a rejected rate limit (503), the same clients would page: hence limit-req-status-code 429", () => {
    const run = runScenario('rate limit as 503', mixed('503'), [{ alert: 'WebEdgeAvailabilityBudgetBurnPage', fires: WEB_EDGE_LABELS }]);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});
