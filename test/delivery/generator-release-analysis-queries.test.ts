import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { GeneratorReleaseAnalysis } from '../../lib/delivery/generator-release-analysis';
import { emptyChart, find, objectsOf } from '../support/kube';
import { promtool } from '../observability/support/promtool';

/**
 * The generator's analysis queries, with their arguments filled in, evaluated by promtool against
 * synthetic series of the generator's own metrics and RabbitMQ's queue depth: what Argo Rollouts
 * would get back in each case. An empty result passes `generations-succeeding` and fails `jobs-taken`.
 */
describe('generator release analysis queries (promtool)', () => {
  test('failures count from the second one and only on the canary; a canary that takes no job while jobs wait yields nothing', () => {
    const chart = emptyChart();
    new GeneratorReleaseAnalysis(chart, 'generator', { namespace: 'apps', prometheusUrl: 'http://prometheus.monitoring.svc:9090', queueVhost: 'v', queueName: 'generation.jobs' });
    const [succeeding, jobsTaken] = find(objectsOf(chart), 'AnalysisTemplate', 'generator-release-gate').spec.metrics.map((m: any) => m.provider.prometheus.query as string);
    const queryFor = (query: string, namespace: string) => query.replaceAll('{{args.namespace}}', namespace).replaceAll('{{args.service}}', 'generator-canary');
    const canary = (namespace: string) => `namespace="${namespace}",service="generator-canary"`;
    const completed = (namespace: string, outcome: string, value: number, service = 'generator-canary') =>
      ({ series: `generator_generations_completed_total{namespace="${namespace}",service="${service}",pod="p",outcome="${outcome}"}`, values: `${value}x20` });
    const started = (namespace: string, value: number) => ({ series: `generator_generations_started_total{${canary(namespace)},pod="p"}`, values: `${value}x20` });
    const ready = (namespace: string, value: number) =>
      ({ series: `rabbitmq_detailed_queue_messages_ready{namespace="${namespace}",vhost="v",queue="generation.jobs",pod="rabbitmq-server-0"}`, values: `${value}x20` });

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'generator-analysis-'));
    fs.writeFileSync(
      path.join(dir, 'analysis.test.yaml'),
      YAML.stringify({
        rule_files: [],
        evaluation_interval: '15s',
        tests: [
          {
            interval: '15s',
            input_series: [
              // healthy: 2 of 32 finished generations failed (6.25%, within 10%); the stable pods' failures do not count.
              completed('healthy', 'succeeded', 30), completed('healthy', 'failed', 2), completed('healthy', 'failed', 100, 'generator'), started('healthy', 40),
              // failing: 2 of 8 failed (25%).
              completed('failing', 'succeeded', 6), completed('failing', 'failed', 2),
              // one-failure: 1 of 2 failed, which alone is no verdict.
              completed('one-failure', 'succeeded', 1), completed('one-failure', 'failed', 1),
              // never-failed: no failed series at all.
              completed('never-failed', 'succeeded', 5),
              // idle: the canary took nothing, and nothing waited.
              started('idle', 0), ready('idle', 0),
              // stuck: the canary took nothing while 12 jobs waited.
              started('stuck', 0), ready('stuck', 12),
            ],
            promql_expr_test: [
              { expr: queryFor(succeeding, 'healthy'), eval_time: '2m', exp_samples: [{ labels: '{}', value: 0.0625 }] },
              { expr: queryFor(succeeding, 'failing'), eval_time: '2m', exp_samples: [{ labels: '{}', value: 0.25 }] },
              { expr: queryFor(succeeding, 'one-failure'), eval_time: '2m', exp_samples: [] },
              { expr: queryFor(succeeding, 'never-failed'), eval_time: '2m', exp_samples: [] },
              { expr: queryFor(succeeding, 'silent'), eval_time: '2m', exp_samples: [] },
              { expr: queryFor(jobsTaken, 'healthy'), eval_time: '2m', exp_samples: [{ labels: '{}', value: 40 }] },
              { expr: queryFor(jobsTaken, 'idle'), eval_time: '2m', exp_samples: [{ labels: '{}', value: 0 }] },
              { expr: queryFor(jobsTaken, 'stuck'), eval_time: '2m', exp_samples: [] },
              // No series at all (the canary exports nothing and the queue depth is unknown): nothing passes.
              { expr: queryFor(jobsTaken, 'silent'), eval_time: '2m', exp_samples: [] },
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
