import { Construct } from 'constructs';
import {
  AnalysisTemplate,
  AnalysisTemplateSpecMetrics,
  AnalysisTemplateSpecMetricsCount,
  AnalysisTemplateSpecMetricsConsecutiveErrorLimit,
  AnalysisTemplateSpecMetricsFailureLimit,
} from '../../imports/argoproj.io';
import { errorRatioRecord, LATENCY_P95_RECORD, minutes, RELEASE_ANALYSIS_WINDOW } from '../observability/rules/slo-rules';
import { workloadLabels } from '../platform/labels';

/**
 * Window of the recording rules the analyses read (`service:http_requests:error_ratio_rate1m`,
 * `service:http_request_duration_seconds:p95_rate1m`, rendered by PlatformAlertRules, the same
 * family the SLO alerts use). A measurement needs this much traffic behind it, so analyses wait
 * for it before they measure.
 */
export const RATE_WINDOW_SECONDS = minutes(RELEASE_ANALYSIS_WINDOW) * 60;

/** The arguments every release AnalysisTemplate takes: which Service's pods to judge, and where. */
export const ANALYSIS_ARGS = { service: 'service', namespace: 'namespace' } as const;

export interface ReleaseAnalysisProps {
  /** Namespace the templates live in (a Rollout can only use AnalysisTemplates of its own namespace). */
  readonly namespace: string;
  /** Prometheus HTTP API base address, e.g. `http://kube-prometheus-stack-prometheus.monitoring.svc:9090`. */
  readonly prometheusUrl: string;
  /**
   * Share of requests that must not answer 5xx, in percent: the availability objective.
   * @default 99.9
   */
  readonly successRateObjectivePercent?: number;
  /**
   * 95th percentile request latency the new version must stay under, in milliseconds.
   * @default 500
   */
  readonly latencyP95Ms?: number;
  /**
   * Seconds between two measurements.
   * @default 20
   */
  readonly intervalSeconds?: number;
  /**
   * Measurements a gate takes before it passes; a gate lasts `(count - 1) * interval` seconds
   * (the first measurement is immediate), at most `count * interval`.
   * @default 3
   */
  readonly count?: number;
  /**
   * Seconds a gate waits before its first measurement, so that one rate window of traffic lies
   * behind it (a blue-green preview's traffic starts with the analysis). The watch template waits
   * `watchInitialDelaySeconds`.
   * @default 0
   */
  readonly initialDelaySeconds?: number;
  /**
   * Failed measurements a run tolerates; one more fails it, which aborts the release and rolls back.
   * @default 1
   */
  readonly failureLimit?: number;
  /**
   * Measurements the watch template takes before it passes. A blue-green release runs the watch
   * after the switch (`postPromotionAnalysis`), which must end for the release to complete; a
   * canary runs it in the background, where it measures until the release ends (no count).
   * @default - none: the watch measures until the release stops it
   */
  readonly watchCount?: number;
}

/**
 * What a release strategy needs of the analysis that judges it: the two AnalysisTemplates (both
 * take the args `service` and `namespace`) and how long they take.
 */
export interface IReleaseAnalysis {
  /** Name of the AnalysisTemplate that passes after a fixed number of good measurements. */
  readonly gateTemplateName: string;
  /** Name of the AnalysisTemplate that watches the new version while, or after, it takes over. */
  readonly watchTemplateName: string;
  /** Seconds the gate takes at most when every measurement passes. */
  readonly gateSeconds: number;
  /** Seconds the watch takes at most when every measurement passes; undefined when it measures until stopped. */
  readonly watchSeconds?: number;
}

/**
 * The two AnalysisTemplates a release of one service is judged by, both on Prometheus:
 * `<id>-release-gate` takes `count` measurements and then passes or fails (pre-promotion analysis,
 * canary analysis steps); `<id>-release-watch` measures the same on the new version's real traffic:
 * until the release ends (a canary's background analysis), or `watchCount` times (a blue-green
 * release's post-promotion analysis). Each checks the success rate against the objective and the p95 latency against the
 * ceiling. A service that answers nothing (no series, or a rate of 0/0) fails: silence never passes.
 */
export class ReleaseAnalysis extends Construct implements IReleaseAnalysis {
  /** Name of the AnalysisTemplate that passes after `count` good measurements. */
  public readonly gateTemplateName: string;
  /** Name of the AnalysisTemplate that keeps measuring until the release completes. */
  public readonly watchTemplateName: string;
  public readonly intervalSeconds: number;
  public readonly count: number;
  public readonly initialDelaySeconds: number;
  /** Measurements of the watch template; undefined when it measures until stopped. */
  public readonly watchCount?: number;

  public constructor(scope: Construct, id: string, props: ReleaseAnalysisProps) {
    super(scope, id);
    const objective = props.successRateObjectivePercent ?? 99.9;
    const latencyMs = props.latencyP95Ms ?? 500;
    this.intervalSeconds = props.intervalSeconds ?? 20;
    this.count = props.count ?? 3;
    this.initialDelaySeconds = props.initialDelaySeconds ?? 0;
    const failureLimit = props.failureLimit ?? 1;
    this.watchCount = props.watchCount;
    validate(id, props, { objective, latencyMs, interval: this.intervalSeconds, count: this.count, failureLimit, initialDelay: this.initialDelaySeconds });
    if (this.watchCount !== undefined && (!Number.isInteger(this.watchCount) || this.watchCount <= failureLimit || this.watchCount > 30)) {
      throw new Error(`${id}: watchCount is ${JSON.stringify(this.watchCount)}; use a whole number of measurements above failureLimit (${failureLimit}) and at most 30, or leave it out to watch until the release ends`);
    }

    this.gateTemplateName = `${id}-release-gate`;
    this.watchTemplateName = `${id}-release-watch`;
    const metrics = (count: number | undefined, initialDelaySeconds: number): AnalysisTemplateSpecMetrics[] =>
      [successRateMetric(objective), latencyMetric(latencyMs)].map((metric) => ({
        ...metric,
        interval: `${this.intervalSeconds}s`,
        ...(count !== undefined ? { count: AnalysisTemplateSpecMetricsCount.fromNumber(count) } : {}),
        ...(initialDelaySeconds > 0 ? { initialDelay: `${initialDelaySeconds}s` } : {}),
        failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(failureLimit),
        // Prometheus unreachable twice in a row is an error, and an error aborts like a failure.
        consecutiveErrorLimit: AnalysisTemplateSpecMetricsConsecutiveErrorLimit.fromNumber(2),
        provider: { prometheus: { address: props.prometheusUrl, query: metric.query, timeout: 10 } },
      }));
    const template = (templateId: string, name: string, count: number | undefined, initialDelaySeconds: number) =>
      new AnalysisTemplate(this, templateId, {
        metadata: { name, namespace: props.namespace, labels: workloadLabels(id, 'release-analysis') },
        spec: {
          args: [{ name: ANALYSIS_ARGS.service }, { name: ANALYSIS_ARGS.namespace }],
          metrics: metrics(count, initialDelaySeconds),
        },
      });
    template('Gate', this.gateTemplateName, this.count, this.initialDelaySeconds);
    template('Watch', this.watchTemplateName, this.watchCount, this.watchInitialDelaySeconds);
  }

  /** Seconds a gate takes at most when every measurement passes: `initialDelay + count * interval`. */
  public get gateSeconds(): number {
    return this.initialDelaySeconds + this.count * this.intervalSeconds;
  }

  /**
   * Seconds the watch waits before its first measurement. Until stopped: one rate window (a
   * canary's traffic starts with it). Bounded (after a blue-green switch): one interval. The same
   * pods answered the preview traffic (a few requests a second) in the window before the switch,
   * so after one interval of real traffic the window is mostly real requests already: a new version
   * that fails more than the objective allows shows in it, and each later measurement sees more.
   */
  public get watchInitialDelaySeconds(): number {
    return this.watchCount === undefined ? RATE_WINDOW_SECONDS : this.intervalSeconds;
  }

  /**
   * Seconds a bounded watch takes at most when every measurement passes:
   * `watchInitialDelaySeconds + watchCount * interval`. Undefined when it watches until stopped.
   */
  public get watchSeconds(): number | undefined {
    return this.watchCount === undefined ? undefined : this.watchInitialDelaySeconds + this.watchCount * this.intervalSeconds;
  }
}

interface PrometheusMetric {
  readonly name: string;
  readonly query: string;
  readonly successCondition: string;
  readonly failureCondition: string;
}

const selector = `namespace="{{args.${ANALYSIS_ARGS.namespace}}}",service="{{args.${ANALYSIS_ARGS.service}}}"`;

/**
 * `result` is the query's vector: empty when the pods sent no series, NaN for 0/0. Both conditions
 * are spelled out, so every measurement is either successful or failed, never inconclusive.
 */
const hasValue = 'len(result) > 0 && !isNaN(result[0])';

/**
 * Both metrics read the recording rules (evaluated every 15 s) instead of raw series, so a release
 * is judged on exactly the numbers the SLO alerts watch. The error ratio is 0/0 = NaN for a Service
 * that served nothing in the window, and absent for one that sent no series; both fail.
 */
function successRateMetric(objectivePercent: number): PrometheusMetric {
  const ratio = decimal(objectivePercent / 100);
  return {
    name: 'success-rate',
    query: `1 - ${errorRatioRecord(RELEASE_ANALYSIS_WINDOW)}{${selector}}`,
    successCondition: `${hasValue} && result[0] >= ${ratio}`,
    failureCondition: `!(${hasValue}) || result[0] < ${ratio}`,
  };
}

function latencyMetric(latencyMs: number): PrometheusMetric {
  const seconds = decimal(latencyMs / 1000);
  return {
    name: 'latency-p95',
    query: `${LATENCY_P95_RECORD}{${selector}}`,
    successCondition: `${hasValue} && result[0] <= ${seconds}`,
    failureCondition: `!(${hasValue}) || result[0] > ${seconds}`,
  };
}

/** A number as a short decimal (0.999, not 0.9990000000000001), as a reviewer would write it. */
function decimal(value: number): string {
  return String(Number(value.toPrecision(12)));
}

function validate(
  id: string,
  props: ReleaseAnalysisProps,
  v: { objective: number; latencyMs: number; interval: number; count: number; failureLimit: number; initialDelay: number },
): void {
  const fail = (field: string, value: unknown, fix: string): never => {
    throw new Error(`${id}: ${field} is ${JSON.stringify(value)}; ${fix}`);
  };
  if (!/^https?:\/\/[a-z0-9.-]+(:\d+)?(\/[^\s]*)?$/.test(props.prometheusUrl)) {
    fail('prometheusUrl', props.prometheusUrl, 'give the Prometheus HTTP API address, e.g. http://kube-prometheus-stack-prometheus.monitoring.svc:9090');
  }
  if (!(v.objective > 0 && v.objective < 100)) {
    fail('successRateObjectivePercent', v.objective, 'use a percentage above 0 and below 100, e.g. 99.9');
  }
  if (!Number.isInteger(v.latencyMs) || v.latencyMs < 1 || v.latencyMs > 60000) {
    fail('latencyP95Ms', v.latencyMs, 'use a whole number of milliseconds from 1 to 60000');
  }
  if (!Number.isInteger(v.interval) || v.interval < 5 || v.interval > 300) {
    fail('intervalSeconds', v.interval, 'use a whole number of seconds from 5 to 300');
  }
  if (!Number.isInteger(v.count) || v.count < 1 || v.count > 30) {
    fail('count', v.count, 'use a whole number of measurements from 1 to 30');
  }
  if (!Number.isInteger(v.failureLimit) || v.failureLimit < 0 || v.failureLimit >= v.count) {
    fail('failureLimit', v.failureLimit, `use a whole number from 0 to ${v.count - 1}, below count, or the gate could pass on failures alone`);
  }
  if (!Number.isInteger(v.initialDelay) || v.initialDelay < 0 || v.initialDelay > 300) {
    fail('initialDelaySeconds', v.initialDelay, 'use a whole number of seconds from 0 to 300');
  }
}
