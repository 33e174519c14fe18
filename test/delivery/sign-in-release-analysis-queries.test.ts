import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { SignInReleaseAnalysis } from '../../lib/delivery/sign-in-release-analysis';
import { emptyChart, find, objectsOf } from '../support/kube';
import { promtool } from '../observability/support/promtool';

/**
 * The sign-in proxy's analysis query, with its arguments filled in, evaluated by promtool against
 * synthetic series of oauth2-proxy's `oauth2_proxy_requests_total{code}` as Prometheus scrapes them
 * through both of the proxy's Services: what Argo Rollouts would get back. The conditions pass only
 * a number at or below 0.001 (the 99.9% objective); an empty result or NaN fails.
 */
describe('sign-in release analysis query (promtool)', () => {
  test('5xx above the objective fails, 401/302/403 are answers and not errors, only the canary counts, and no data never passes', () => {
    const chart = emptyChart();
    new SignInReleaseAnalysis(chart, 'oauth2-proxy', { namespace: 'apps', prometheusUrl: 'http://prometheus.monitoring.svc:9090' });
    const gate = find(objectsOf(chart), 'AnalysisTemplate', 'oauth2-proxy-release-gate').spec.metrics[0];
    expect(gate.successCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] <= 0.001');
    const queryFor = (namespace: string) => `(${gate.provider.prometheus.query.replaceAll('{{args.namespace}}', namespace).replaceAll('{{args.service}}', 'oauth2-proxy-canary')})`;
    // One series per pod, Service and code, as the ServiceMonitor scrapes them: `values` per 15 s.
    const requests = (namespace: string, code: string, values: string, service = 'oauth2-proxy-canary', pod = 'oauth2-proxy-new') =>
      ({ series: `oauth2_proxy_requests_total{namespace="${namespace}",service="${service}",pod="${pod}",code="${code}"}`, values });

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sign-in-analysis-'));
    fs.writeFileSync(
      path.join(dir, 'analysis.test.yaml'),
      YAML.stringify({
        rule_files: [],
        evaluation_interval: '15s',
        tests: [
          {
            interval: '15s',
            input_series: [
              // healthy: subrequests accepted (202), refused without a session (401) or group (403), sign-ins
              // redirected (302); no 5xx series at all. The stable pods' 500s (their own Service) do not count,
              // nor do the 500s of the previous version's pod, which the canary Service selected until 2 minutes ago.
              requests('healthy', '202', '0+40x20'), requests('healthy', '401', '0+30x20'), requests('healthy', '403', '0+2x20'), requests('healthy', '302', '0+10x20'),
              requests('healthy', '500', '0+50x20', 'oauth2-proxy', 'oauth2-proxy-old'),
              requests('healthy', '500', '0+50x12 _x8', 'oauth2-proxy-canary', 'oauth2-proxy-old'),
              // unauthenticated: a canary that only answered 401 and 302 (every visitor without a session).
              requests('unauthenticated', '401', '0+30x20'), requests('unauthenticated', '302', '0+30x20'),
              // failing: 1 in 100 answers is a 500 or 502 (1%, ten times the 0.1% budget).
              requests('failing', '202', '0+98x20'), requests('failing', '500', '0+1x20'), requests('failing', '502', '0+1x20'),
              // idle: the canary's series exist, but it answered nothing in the window.
              requests('idle', '202', '0+10x12 120x8'),
            ],
            promql_expr_test: [
              { expr: queryFor('healthy'), eval_time: '5m', exp_samples: [{ labels: '{}', value: 0 }] },
              { expr: queryFor('unauthenticated'), eval_time: '5m', exp_samples: [{ labels: '{}', value: 0 }] },
              // Above 0.001: the failure condition holds.
              { expr: `${queryFor('failing')} > bool 0.001`, eval_time: '5m', exp_samples: [{ labels: '{}', value: 1 }] },
              { expr: `${queryFor('failing')} <= 0.001`, eval_time: '5m', exp_samples: [] },
              // 0/0 is NaN (NaN != NaN), which no success condition passes.
              { expr: `${queryFor('idle')} != bool ${queryFor('idle')}`, eval_time: '5m', exp_samples: [{ labels: '{}', value: 1 }] },
              { expr: `${queryFor('idle')} <= 0.001`, eval_time: '5m', exp_samples: [] },
              // No series at all (nothing scraped behind the canary Service): empty, which fails.
              { expr: queryFor('silent'), eval_time: '5m', exp_samples: [] },
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
