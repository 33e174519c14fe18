import type { Dashboard } from '@grafana/schema';
import { platformDashboard } from './dashboard';
import { DashboardSection, IN_NAMESPACE, QueryMode, RATE_INTERVAL, higherIsWorse, lowerIsWorse, promTarget, stat, timeSeries, valueMappings } from './panels';

/**
 * The generator's pipeline metrics, served on its metrics port next to the process metrics. They
 * extend the container contract of README ("Container contract"), which today names only the HTTP
 * metrics of web and api.
 */
export const GENERATOR_METRICS = {
  /** Counter: generation jobs taken from the queue and started. */
  started: 'generator_generations_started_total',
  /** Counter: generation jobs finished, label `outcome`: `succeeded` or `failed`. */
  finished: 'generator_generations_completed_total',
  /** Histogram: seconds from start to finish of a generation, whatever its outcome. */
  duration: 'generator_generation_duration_seconds',
} as const;

/** The generator's Service (the `service` label of its series). */
export const GENERATOR_SERVICE = 'generator';
/** The job queue and its dead-letter queue (JobQueue's default `queueName`). */
export const JOB_QUEUE = 'generation.jobs';
export const DEAD_LETTER_QUEUE = `${JOB_QUEUE}.dead-letter`;
/** The HorizontalPodAutoscaler KEDA creates for the generator's ScaledObject `generator-queue-depth`. */
export const GENERATOR_HPA = 'keda-hpa-generator-queue-depth';

const GENERATOR = `${IN_NAMESPACE},service="${GENERATOR_SERVICE}"`;

function finishedRate(outcome: string, window: string): string {
  return `sum(rate(${GENERATOR_METRICS.finished}{${GENERATOR},outcome="${outcome}"}[${window}]))`;
}

/** Share of finished generations that succeeded; no failed series at all means no failures. */
function successRatio(window: string): string {
  return `(${finishedRate('succeeded', window)} or vector(0))\n/\nsum(rate(${GENERATOR_METRICS.finished}{${GENERATOR}}[${window}]))`;
}

/**
 * Queue metrics of one queue. Quorum-queue metrics come from the node that leads the queue; `max`
 * keeps one value while leadership moves between nodes. They need RabbitMQ's per-object metrics
 * (`prometheus.return_per_object_metrics = true`, or a scrape of `/metrics/per-object`).
 */
function queueGauge(metric: string, queue: string): string {
  return `max(${metric}{${IN_NAMESPACE},queue="${queue}"})`;
}

function hpaGauge(metric: string): string {
  return `max(${metric}{${IN_NAMESPACE},horizontalpodautoscaler="${GENERATOR_HPA}"})`;
}

export interface GeneratorPipelineOptions {
  /** The platform namespace the dashboard opens on. */
  readonly namespace: string;
}

/**
 * The generation pipeline from queue to result: generations started, succeeded and failed, their
 * success ratio and duration, the job queue's backlog, consumers and dead letters, and the
 * generator replicas KEDA scales on that backlog.
 */
export function generatorPipelineDashboard(options: GeneratorPipelineOptions): Dashboard {
  const bucket = `${GENERATOR_METRICS.duration}_bucket{${GENERATOR}}`;
  const quantile = (q: number) => `histogram_quantile(${q}, sum by (le) (rate(${bucket}[${RATE_INTERVAL}])))`;
  const sections: DashboardSection[] = [
    {
      title: 'Generations',
      panels: [
        timeSeries({
          title: 'Generations started / succeeded / failed',
          description: 'Generation jobs per second: started by the generator, and finished by outcome.',
          unit: 'ops',
          width: 10,
          min: 0,
          targets: [
            promTarget(`sum(rate(${GENERATOR_METRICS.started}{${GENERATOR}}[${RATE_INTERVAL}]))`, 'started'),
            promTarget(finishedRate('succeeded', RATE_INTERVAL), 'succeeded'),
            promTarget(finishedRate('failed', RATE_INTERVAL), 'failed'),
          ],
        }),
        timeSeries({
          title: 'Generation success ratio',
          description: 'Share of finished generations that succeeded.',
          unit: 'percentunit',
          width: 10,
          min: 0,
          max: 1,
          showThresholds: true,
          thresholds: lowerIsWorse(0.9, 0.99),
          targets: [promTarget(successRatio(RATE_INTERVAL), 'success ratio')],
        }),
        stat({
          title: 'Generation success ratio (24h)',
          description: 'Share of the generations finished in the last 24 hours that succeeded.',
          unit: 'percentunit',
          decimals: 2,
          width: 4,
          height: 8,
          thresholds: lowerIsWorse(0.9, 0.99),
          targets: [promTarget(successRatio('24h'), 'success ratio', QueryMode.INSTANT)],
        }),
        timeSeries({
          title: 'Generation duration p50 / p95 / p99',
          description: `Seconds from start to finish of a generation (${GENERATOR_METRICS.duration}).`,
          unit: 's',
          width: 16,
          min: 0,
          targets: [promTarget(quantile(0.5), 'p50'), promTarget(quantile(0.95), 'p95'), promTarget(quantile(0.99), 'p99')],
        }),
        timeSeries({
          title: 'Mean generation duration',
          description: 'Mean seconds per finished generation.',
          unit: 's',
          width: 8,
          min: 0,
          targets: [
            promTarget(
              `sum(rate(${GENERATOR_METRICS.duration}_sum{${GENERATOR}}[${RATE_INTERVAL}]))\n/\nsum(rate(${GENERATOR_METRICS.duration}_count{${GENERATOR}}[${RATE_INTERVAL}]))`,
              'mean',
            ),
          ],
        }),
      ],
    },
    {
      title: `Job queue (${JOB_QUEUE})`,
      panels: [
        timeSeries({
          title: 'Queue backlog',
          description: `Messages in ${JOB_QUEUE} ready for a consumer (the backlog KEDA scales on), and those delivered but not yet acknowledged (in progress).`,
          unit: 'short',
          width: 10,
          min: 0,
          targets: [
            promTarget(queueGauge('rabbitmq_detailed_queue_messages_ready', JOB_QUEUE), 'ready'),
            promTarget(queueGauge('rabbitmq_detailed_queue_messages_unacked', JOB_QUEUE), 'unacknowledged'),
          ],
        }),
        stat({
          title: 'Queue consumers',
          description: `Consumers attached to ${JOB_QUEUE}: one per generator worker. Zero with a backlog means nothing is working the queue.`,
          unit: 'short',
          width: 4,
          height: 8,
          thresholds: lowerIsWorse(0, 1),
          targets: [promTarget(queueGauge('rabbitmq_detailed_queue_consumers', JOB_QUEUE), 'consumers')],
        }),
        timeSeries({
          title: 'Dead-letter queue depth',
          description: `Messages in ${DEAD_LETTER_QUEUE}: jobs that failed their delivery limit. Each one is a generation a user never got; inspect and republish or discard.`,
          unit: 'short',
          width: 10,
          min: 0,
          showThresholds: true,
          thresholds: higherIsWorse(1, 100),
          targets: [promTarget(queueGauge('rabbitmq_detailed_queue_messages', DEAD_LETTER_QUEUE), 'dead letters')],
        }),
      ],
    },
    {
      title: 'Scaling (KEDA)',
      panels: [
        timeSeries({
          title: 'Generator replicas (KEDA / HPA)',
          description:
            `Replicas of the HorizontalPodAutoscaler KEDA drives from the queue backlog (${GENERATOR_HPA}, from kube-state-metrics): current, desired, and its bounds. ` +
            'Empty in environments with a fixed replica count.',
          unit: 'short',
          width: 16,
          min: 0,
          targets: [
            promTarget(hpaGauge('kube_horizontalpodautoscaler_status_current_replicas'), 'current'),
            promTarget(hpaGauge('kube_horizontalpodautoscaler_status_desired_replicas'), 'desired'),
            promTarget(hpaGauge('kube_horizontalpodautoscaler_spec_min_replicas'), 'min'),
            promTarget(hpaGauge('kube_horizontalpodautoscaler_spec_max_replicas'), 'max'),
          ],
        }),
        stat({
          title: 'Replicas at maximum',
          description: 'Whether the autoscaler runs the generator at its maximum: a backlog that still grows then needs a higher maximum, not more waiting.',
          unit: 'short',
          width: 8,
          height: 8,
          thresholds: higherIsWorse(1, 2),
          mappings: valueMappings({ '0': { text: 'below max', color: 'green' }, '1': { text: 'at max', color: 'orange' } }),
          targets: [
            promTarget(
              `${hpaGauge('kube_horizontalpodautoscaler_status_current_replicas')}\n>= bool\n${hpaGauge('kube_horizontalpodautoscaler_spec_max_replicas')}`,
              'at max',
              QueryMode.INSTANT,
            ),
          ],
        }),
      ],
    },
  ];
  return platformDashboard({
    slug: 'generator-pipeline',
    title: 'Generator Platform: generator pipeline',
    description: 'Generation jobs from the queue to the result: throughput, outcomes, duration, backlog, dead letters and autoscaling.',
    namespace: options.namespace,
    sections,
    timeFrom: 'now-3h',
    refresh: '30s',
  });
}
