import { AlertDefinition, counterValues, flat, Severity } from './rule-types';

/** Where the generator's queue lives, for the per-queue metrics of rabbitmq_prometheus. */
export interface GeneratorQueueRef {
  readonly vhost: string;
  readonly queue: string;
}

/** Alerts on the generator's business metrics and its job queue, in the platform's namespace. */
export function generatorAlerts(namespace: string, jobs: GeneratorQueueRef): AlertDefinition[] {
  const ns = `namespace="${namespace}"`;
  const queue = `${ns},vhost="${jobs.vhost}",queue="${jobs.queue}"`;
  const completed = (outcome: string, perMinute: number) => ({
    series: `generator_generations_completed_total{${ns},pod="generator-0",outcome="${outcome}"}`,
    values: counterValues([{ perStep: perMinute, steps: 60 }]),
  });
  const started = (perMinute: number) => ({ series: `generator_generations_started_total{${ns},pod="generator-0"}`, values: counterValues([{ perStep: perMinute, steps: 60 }]) });
  const durations = (aboveShare: number) => [
    { series: `generator_generation_duration_seconds_bucket{${ns},pod="generator-0",le="600"}`, values: counterValues([{ perStep: 1000 * (1 - aboveShare), steps: 60 }]) },
    { series: `generator_generation_duration_seconds_bucket{${ns},pod="generator-0",le="1200"}`, values: counterValues([{ perStep: 1000, steps: 60 }]) },
    { series: `generator_generation_duration_seconds_bucket{${ns},pod="generator-0",le="+Inf"}`, values: counterValues([{ perStep: 1000, steps: 60 }]) },
  ];
  return [
    {
      name: 'GeneratorGenerationsFailing',
      expr:
        `sum by (namespace) (rate(generator_generations_completed_total{${ns},outcome="failed"}[15m]))\n/\n` +
        `sum by (namespace) (rate(generator_generations_completed_total{${ns}}[15m]))\n> 0.1`,
      for: '10m',
      severity: Severity.PAGE,
      summary: 'More than 10% of generations end in failure.',
      runbook: 'generator-generations-failing',
      threshold: 'failed / completed generations > 10% over 15m',
      tests: {
        firing: [{ series: [completed('failed', 10.5), completed('succeeded', 89.5)], evalTime: '40m', alertLabels: { namespace } }],
        quiet: [{ series: [completed('failed', 9.5), completed('succeeded', 90.5)], evalTime: '40m' }],
      },
    },
    {
      name: 'GeneratorGenerationsStalled',
      expr:
        `sum by (namespace) (rate(generator_generations_started_total{${ns}}[30m])) > 0\n` +
        `unless\nsum by (namespace) (rate(generator_generations_completed_total{${ns},outcome="succeeded"}[30m])) > 0`,
      for: '10m',
      severity: Severity.PAGE,
      summary: 'Generations are started but none has succeeded for 30 minutes.',
      runbook: 'generator-generations-stalled',
      threshold: 'generations started, none succeeded over 30m',
      tests: {
        firing: [{ series: [started(5), completed('failed', 5)], evalTime: '50m', alertLabels: { namespace } }],
        quiet: [{ series: [started(5), completed('succeeded', 0.1)], evalTime: '50m' }],
      },
    },
    {
      name: 'GeneratorGenerationsSlow',
      expr: `histogram_quantile(0.95, sum by (namespace, le) (rate(generator_generation_duration_seconds_bucket{${ns}}[30m]))) > 600`,
      for: '15m',
      severity: Severity.TICKET,
      summary: 'The 95th percentile generation takes longer than 10 minutes.',
      runbook: 'generator-generations-slow',
      threshold: 'p95 generation duration > 600 s over 30m',
      // 5.2% above 600 s puts the p95 at ~623 s; 4.8% at ~599 s (buckets 600, 1200, +Inf).
      tests: {
        firing: [{ series: durations(0.052), evalTime: '55m', alertLabels: { namespace } }],
        quiet: [{ series: durations(0.048), evalTime: '55m' }],
      },
    },
    {
      name: 'GeneratorQueueBacklog',
      expr: `sum by (namespace, vhost, queue) (rabbitmq_detailed_queue_messages_ready{${queue}}) > 500`,
      for: '15m',
      severity: Severity.TICKET,
      summary: 'More than 500 generation jobs wait in the queue: the generator does not keep up.',
      runbook: 'generator-queue-backlog',
      threshold: 'ready messages in the job queue > 500',
      tests: {
        firing: [{ series: [{ series: `rabbitmq_detailed_queue_messages_ready{${queue},pod="rabbitmq-server-0"}`, values: flat(501, 30) }], evalTime: '20m', alertLabels: { namespace, vhost: jobs.vhost, queue: jobs.queue } }],
        quiet: [{ series: [{ series: `rabbitmq_detailed_queue_messages_ready{${queue},pod="rabbitmq-server-0"}`, values: flat(500, 30) }], evalTime: '20m' }],
      },
    },
    {
      name: 'GeneratorQueueOldestJobTooOld',
      expr: `max by (namespace) (generator_queue_oldest_message_age_seconds{${ns}}) > 600`,
      for: '5m',
      severity: Severity.PAGE,
      summary: 'The oldest waiting generation job is older than 10 minutes.',
      runbook: 'generator-queue-oldest-job-too-old',
      threshold: 'oldest waiting job > 600 s',
      tests: {
        firing: [{ series: [{ series: `generator_queue_oldest_message_age_seconds{${ns},pod="generator-0"}`, values: flat(601, 20) }], evalTime: '10m', alertLabels: { namespace } }],
        quiet: [{ series: [{ series: `generator_queue_oldest_message_age_seconds{${ns},pod="generator-0"}`, values: flat(599, 20) }], evalTime: '10m' }],
      },
    },
  ];
}
