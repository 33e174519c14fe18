import { Construct } from 'constructs';
import {
  AnalysisTemplate,
  AnalysisTemplateSpecMetrics,
  AnalysisTemplateSpecMetricsConsecutiveErrorLimit,
  AnalysisTemplateSpecMetricsCount,
  AnalysisTemplateSpecMetricsFailureLimit,
} from '../../imports/argoproj.io';
import { GENERATOR_METRICS } from '../observability/dashboards/generator-pipeline';
import { workloadLabels } from '../platform/labels';
import { ANALYSIS_ARGS, IReleaseAnalysis } from './release-analysis';

/** Seconds after which the series of pods the canary Service no longer selects are stale: two scrapes (15 s). */
const STALE_AFTER_SECONDS = 30;

/** Failed generations a canary may finish before its failure ratio counts: one is not a verdict. */
export const MIN_FAILED_GENERATIONS = 2;

export interface GeneratorReleaseAnalysisProps {
  /** Namespace the templates live in (the Rollout's). */
  readonly namespace: string;
  /** Prometheus HTTP API base address, e.g. `http://kube-prometheus-stack-prometheus.monitoring.svc:9090`. */
  readonly prometheusUrl: string;
  /** Virtual host of the job queue (the `vhost` label of rabbitmq_prometheus's per-queue metrics). */
  readonly queueVhost: string;
  /** The job queue the generator consumes (the `queue` label). */
  readonly queueName: string;
  /**
   * Share of the canary's finished generations that must succeed, in percent. 90 is where
   * `GeneratorGenerationsFailing` pages (more than 10% failed).
   * @default 90
   */
  readonly successRatioPercent?: number;
  /**
   * Seconds between two measurements.
   * @default 20
   */
  readonly intervalSeconds?: number;
  /**
   * Measurements the gate takes before it passes.
   * @default 3
   */
  readonly count?: number;
}

/**
 * The AnalysisTemplates a generator canary is judged by, on the generator's own metrics
 * (GENERATOR_METRICS; README, container contract) of the canary's pods, told apart by the
 * `service` label of the canary Service (arg `service`):
 * - `generations-succeeding`: of the generations the canary finished, at most `100 -
 *   successRatioPercent` % failed, once `MIN_FAILED_GENERATIONS` have failed;
 * - `jobs-taken`: the canary started at least one generation, or no job waited in the queue
 *   (a consumer that takes nothing while jobs wait is broken, however healthy its probes).
 * Both read the counters as they stand (since the canary's pods started), not a rate window: a
 * generation takes minutes, so a window of one would mostly be empty. Generation duration (p95) is
 * deliberately not judged: every generation a canary finishes during its release is younger than
 * the release, far below the 600 s ceiling of `GeneratorGenerationsSlow`, so such a metric could
 * never fail; that alert watches it after the release.
 * `<id>-release-gate` takes `count` measurements; `<id>-release-watch` measures until the release ends.
 */
export class GeneratorReleaseAnalysis extends Construct implements IReleaseAnalysis {
  public readonly gateTemplateName: string;
  public readonly watchTemplateName: string;
  public readonly intervalSeconds: number;
  public readonly count: number;

  public constructor(scope: Construct, id: string, props: GeneratorReleaseAnalysisProps) {
    super(scope, id);
    const successRatio = props.successRatioPercent ?? 90;
    this.intervalSeconds = props.intervalSeconds ?? 20;
    this.count = props.count ?? 3;
    const fail = (field: string, value: unknown, fix: string): never => {
      throw new Error(`${id}: ${field} is ${JSON.stringify(value)}; ${fix}`);
    };
    if (!/^https?:\/\/[a-z0-9.-]+(:\d+)?(\/[^\s]*)?$/.test(props.prometheusUrl)) {
      fail('prometheusUrl', props.prometheusUrl, 'give the Prometheus HTTP API address, e.g. http://kube-prometheus-stack-prometheus.monitoring.svc:9090');
    }
    if (!(successRatio > 0 && successRatio < 100)) {
      fail('successRatioPercent', successRatio, 'use a percentage above 0 and below 100, e.g. 90');
    }
    if (!Number.isInteger(this.intervalSeconds) || this.intervalSeconds < 5 || this.intervalSeconds > 300) {
      fail('intervalSeconds', this.intervalSeconds, 'use a whole number of seconds from 5 to 300');
    }
    if (!Number.isInteger(this.count) || this.count < 2 || this.count > 30) {
      fail('count', this.count, 'use a whole number of measurements from 2 to 30 (one failed measurement is tolerated)');
    }
    for (const [field, value] of [['queueVhost', props.queueVhost], ['queueName', props.queueName]] as const) {
      if (!/^[A-Za-z0-9._/-]+$/.test(value)) {
        fail(field, value, 'use the name as RabbitMQ reports it: letters, digits, . _ / -');
      }
    }
    this.gateTemplateName = `${id}-release-gate`;
    this.watchTemplateName = `${id}-release-watch`;
    const metrics = (count: number | undefined): AnalysisTemplateSpecMetrics[] =>
      generatorMetrics(successRatio, props.queueVhost, props.queueName).map((metric) => ({
        ...metric,
        interval: `${this.intervalSeconds}s`,
        ...(count !== undefined ? { count: AnalysisTemplateSpecMetricsCount.fromNumber(count) } : { initialDelay: `${STALE_AFTER_SECONDS}s` }),
        failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(1),
        consecutiveErrorLimit: AnalysisTemplateSpecMetricsConsecutiveErrorLimit.fromNumber(2),
        provider: { prometheus: { address: props.prometheusUrl, query: metric.query, timeout: 10 } },
      }));
    for (const [templateId, name, count] of [['Gate', this.gateTemplateName, this.count], ['Watch', this.watchTemplateName, undefined]] as const) {
      new AnalysisTemplate(this, templateId, {
        metadata: { name, namespace: props.namespace, labels: workloadLabels(id, 'release-analysis') },
        spec: { args: [{ name: ANALYSIS_ARGS.service }, { name: ANALYSIS_ARGS.namespace }], metrics: metrics(count) },
      });
    }
  }

  /** Seconds the gate takes at most when every measurement passes: `count * interval`. */
  public get gateSeconds(): number {
    return this.count * this.intervalSeconds;
  }
}

interface PrometheusMetric {
  readonly name: string;
  readonly query: string;
  readonly successCondition: string;
  readonly failureCondition: string;
}

/**
 * The canary's Service selects only its pods once Argo Rollouts switched it, and Prometheus marks
 * the series of the pods it no longer selects stale at the next scrape (15 s): the gate starts one
 * canary pause (30 s) after that switch, and the watch, which starts with it, waits as long, so
 * instant values are the canary's own.
 */
function generatorMetrics(successRatio: number, vhost: string, queue: string): PrometheusMetric[] {
  const selector = `namespace="{{args.${ANALYSIS_ARGS.namespace}}}",service="{{args.${ANALYSIS_ARGS.service}}}"`;
  const failed = `(sum(${GENERATOR_METRICS.finished}{${selector},outcome="failed"}) or vector(0))`;
  const maxFailureRatio = String(Number((1 - successRatio / 100).toPrecision(12)));
  return [
    {
      name: 'generations-succeeding',
      // Empty (passes) while fewer than MIN_FAILED_GENERATIONS failed; else the failed share of all finished.
      query: `(${failed} / sum(${GENERATOR_METRICS.finished}{${selector}}))\nand on() (${failed} >= ${MIN_FAILED_GENERATIONS})`,
      successCondition: `len(result) == 0 || result[0] <= ${maxFailureRatio}`,
      failureCondition: `len(result) > 0 && result[0] > ${maxFailureRatio}`,
    },
    {
      name: 'jobs-taken',
      // Empty (fails) when the canary started nothing while jobs were ready in the queue, or nothing answers.
      query:
        `(sum(${GENERATOR_METRICS.started}{${selector}}) > 0)\n` +
        `or on() (max(rabbitmq_detailed_queue_messages_ready{namespace="{{args.${ANALYSIS_ARGS.namespace}}}",vhost="${vhost}",queue="${queue}"}) == 0)`,
      successCondition: 'len(result) > 0',
      failureCondition: 'len(result) == 0',
    },
  ];
}
