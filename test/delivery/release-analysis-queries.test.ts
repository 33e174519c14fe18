import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { ReleaseAnalysis } from '../../lib/delivery/release-analysis';
import { PlatformAlertRules } from '../../lib/observability/platform-alert-rules';
import { emptyChart, find, kinds, objectsOf } from '../support/kube';
import { promtool, writeRuleFiles } from '../observability/support/promtool';

/**
 * The analysis queries, with their arguments filled in, evaluated by promtool against the
 * rendered recording rules and synthetic series: what Argo Rollouts would get back.
 */
describe('release analysis queries on the recording rules (promtool)', () => {
  test('a healthy Service without any 5xx series passes, its p95 is read from the histogram, and a silent Service yields nothing that passes', () => {
    const chart = emptyChart();
    new PlatformAlertRules(chart, 'rules', { namespace: { namespaceName: 'apps' }, jobQueue: { queueName: 'generation.jobs' }, broker: { vhostName: 'v' } });
    new ReleaseAnalysis(chart, 'api', { namespace: 'apps', prometheusUrl: 'http://prometheus.monitoring.svc:9090' });
    const objects = objectsOf(chart);
    const [successRate, latency] = find(objects, 'AnalysisTemplate', 'api-release-gate').spec.metrics.map((m: any) => m.provider.prometheus.query as string);
    const queryFor = (query: string, service: string) => query.replace('{{args.namespace}}', 'apps').replace('{{args.service}}', service);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'analysis-'));
    const ruleFiles = writeRuleFiles(dir, kinds(objects, 'PrometheusRule'));
    const labels = (service: string) => `namespace="apps",service="${service}"`;
    fs.writeFileSync(
      path.join(dir, 'analysis.test.yaml'),
      YAML.stringify({
        rule_files: ruleFiles,
        evaluation_interval: '15s',
        tests: [
          {
            interval: '15s',
            input_series: [
              // api-canary: 10 requests/s, all 200, 95% of them within 0.25 s; it never answered 5xx.
              { series: `http_requests_total{${labels('api-canary')},code="200"}`, values: '0+150x40' },
              { series: `http_request_duration_seconds_bucket{${labels('api-canary')},le="0.25"}`, values: '0+142.5x40' },
              { series: `http_request_duration_seconds_bucket{${labels('api-canary')},le="0.5"}`, values: '0+150x40' },
              { series: `http_request_duration_seconds_bucket{${labels('api-canary')},le="+Inf"}`, values: '0+150x40' },
              // api-preview: its series exist but it served nothing.
              { series: `http_requests_total{${labels('api-preview')},code="200"}`, values: '0x40' },
            ],
            promql_expr_test: [
              { expr: queryFor(successRate, 'api-canary'), eval_time: '5m', exp_samples: [{ labels: `{${labels('api-canary')}}`, value: 1 }] },
              { expr: queryFor(latency, 'api-canary'), eval_time: '5m', exp_samples: [{ labels: `service:http_request_duration_seconds:p95_rate1m{${labels('api-canary')}}`, value: 0.25 }] },
              // 0/0 is NaN, which no comparison passes: the success condition fails.
              { expr: `(${queryFor(successRate, 'api-preview')}) >= 0.999`, eval_time: '5m', exp_samples: [] },
              { expr: queryFor(successRate, 'api-missing'), eval_time: '5m', exp_samples: [] },
            ],
          },
        ],
      }),
    );
    const run = promtool(dir, 'test', 'rules', 'analysis.test.yaml');
    fs.rmSync(dir, { recursive: true, force: true });
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});
