import { PrometheusRuleSpecGroups, PrometheusRuleSpecGroupsRulesExpr } from '../../../imports/monitoring.coreos.com';
import { AlertDefinition, alertAnnotations, alertLabels, AlertTestCase, RuleGroupDefinition } from './rule-types';

/** One rule group as the PrometheusRule spec (and a Prometheus rule file) holds it. */
export function ruleGroupSpec(group: RuleGroupDefinition): PrometheusRuleSpecGroups {
  return {
    name: group.name,
    ...(group.interval !== undefined ? { interval: group.interval } : {}),
    rules: [
      ...group.recordings.map((rule) => ({
        record: rule.record,
        expr: PrometheusRuleSpecGroupsRulesExpr.fromString(rule.expr),
        ...(rule.labels !== undefined ? { labels: { ...rule.labels } } : {}),
      })),
      ...group.alerts.map((alert) => ({
        alert: alert.name,
        expr: PrometheusRuleSpecGroupsRulesExpr.fromString(alert.expr),
        for: alert.for,
        labels: alertLabels(alert),
        annotations: alertAnnotations(alert),
      })),
    ],
  };
}

/** A `promtool test rules` file, as plain data to write out as YAML. */
export interface PromtoolTestFile {
  readonly rule_files: readonly string[];
  readonly evaluation_interval: string;
  readonly tests: readonly unknown[];
}

/**
 * The promtool unit tests of one alert: every firing case expects exactly the alert (labels and
 * annotations) at its `evalTime`, every quiet case expects no alert then. `ruleFiles` are the
 * files to load: the alert's own, and every file that records a series it reads (alerts read other
 * groups' recording rules), or simply all of them. Rules are evaluated at the alert's sample
 * interval (one file per alert, so that slow alerts can use a coarse one).
 */
export function promtoolTestFile(alert: AlertDefinition, ruleFiles: readonly string[]): PromtoolTestFile {
  const cases = [...alert.tests.firing, ...alert.tests.quiet];
  const interval = cases[0]?.interval ?? '1m';
  if (cases.some((testCase) => (testCase.interval ?? '1m') !== interval)) {
    throw new Error(`alert ${alert.name}: its test cases use different sample intervals; use one per alert`);
  }
  const testOf = (name: string, testCase: AlertTestCase, expAlerts: unknown[]) => ({
    name,
    interval,
    input_series: testCase.series.map((s) => ({ series: s.series, values: s.values })),
    alert_rule_test: [{ eval_time: testCase.evalTime, alertname: alert.name, exp_alerts: expAlerts }],
  });
  return {
    rule_files: [...ruleFiles],
    evaluation_interval: interval,
    tests: [
      ...alert.tests.firing.map((testCase, index) =>
        testOf(`${alert.name} fires (case ${index + 1})`, testCase, [
          { exp_labels: { ...testCase.alertLabels, ...alertLabels(alert) }, exp_annotations: alertAnnotations(alert) },
        ]),
      ),
      ...alert.tests.quiet.map((testCase, index) => testOf(`${alert.name} stays quiet (case ${index + 1})`, testCase, [])),
    ],
  };
}
