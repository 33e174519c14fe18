import { Construct } from 'constructs';
import {
  AnalysisTemplate,
  AnalysisTemplateSpecMetricsConsecutiveErrorLimit,
  AnalysisTemplateSpecMetricsCount,
  AnalysisTemplateSpecMetricsFailureLimit,
} from '../../imports/argoproj.io';
import { workloadLabels } from '../platform/labels';
import { CANARY_STEP_PAUSE_SECONDS } from './delivery-strategy';
import { ANALYSIS_ARGS, IReleaseAnalysis, RATE_WINDOW_SECONDS } from './release-analysis';

/**
 * oauth2-proxy v7.6.0's request counter, one series per answer `code` ("202", "401", "500", ...):
 * pkg/middleware/metrics.go `registerRequestsCounter` (labels `[]string{"code"}`, filled by
 * client_golang v1.18.0's `promhttp.InstrumentHandlerCounter` with the status as decimal digits,
 * promhttp/instrument_server.go `sanitizeCode`; go.mod of v7.6.0 pins that version). Its probes (`--ping-path`, `--ready-path`)
 * are answered before the metrics middleware and never counted (oauthproxy.go `buildPreAuthChain`).
 */
export const SIGN_IN_REQUESTS_METRIC = 'oauth2_proxy_requests_total';

export interface SignInReleaseAnalysisProps {
  /** Namespace the templates live in (the Rollout's). */
  readonly namespace: string;
  /** Prometheus HTTP API base address, e.g. `http://kube-prometheus-stack-prometheus.monitoring.svc:9090`. */
  readonly prometheusUrl: string;
  /**
   * Share of the canary's answers that must not be 5xx, in percent: the availability objective.
   * 401, 403 and 302 are the proxy's normal answers to a request without a (valid) session and count as answered.
   * @default 99.9
   */
  readonly successRateObjectivePercent?: number;
  /**
   * Seconds between two measurements.
   * @default 20
   */
  readonly intervalSeconds?: number;
  /**
   * Measurements the gate takes before it passes; one failed measurement is tolerated.
   * @default 3
   */
  readonly count?: number;
}

/**
 * The AnalysisTemplates a sign-in proxy canary is judged by: the 5xx share of the answers of the
 * pods behind the canary Service (arg `service`), over one rate window (`RATE_WINDOW_SECONDS`).
 * Prometheus scrapes every Service of the proxy, so the series of the canary's pods carry
 * `service="<name>-canary"` once Argo Rollouts pointed that Service at them; the pods' series under
 * it before the switch (the previous version's) stay in a rate window for one window, so the gate
 * waits a window after the canary's weight was set (the step pause plus `initialDelay`) and the
 * watch a window from its start. No answer at all (no series, or no request in the window: 0/0)
 * fails: a canary that serves nothing, or that nothing scrapes, is never passed blind.
 * `<id>-release-gate` takes `count` measurements; `<id>-release-watch` measures until the release ends.
 */
export class SignInReleaseAnalysis extends Construct implements IReleaseAnalysis {
  public readonly gateTemplateName: string;
  public readonly watchTemplateName: string;
  public readonly intervalSeconds: number;
  public readonly count: number;
  /** Seconds the gate waits before its first measurement: the rest of a rate window after the canary's step pause. */
  public readonly initialDelaySeconds = RATE_WINDOW_SECONDS - CANARY_STEP_PAUSE_SECONDS;

  public constructor(scope: Construct, id: string, props: SignInReleaseAnalysisProps) {
    super(scope, id);
    const objective = props.successRateObjectivePercent ?? 99.9;
    this.intervalSeconds = props.intervalSeconds ?? 20;
    this.count = props.count ?? 3;
    const fail = (field: string, value: unknown, fix: string): never => {
      throw new Error(`${id}: ${field} is ${JSON.stringify(value)}; ${fix}`);
    };
    if (!/^https?:\/\/[a-z0-9.-]+(:\d+)?(\/[^\s]*)?$/.test(props.prometheusUrl)) {
      fail('prometheusUrl', props.prometheusUrl, 'give the Prometheus HTTP API address, e.g. http://kube-prometheus-stack-prometheus.monitoring.svc:9090');
    }
    if (!(objective > 0 && objective < 100)) {
      fail('successRateObjectivePercent', objective, 'use a percentage above 0 and below 100, e.g. 99.9');
    }
    if (!Number.isInteger(this.intervalSeconds) || this.intervalSeconds < 5 || this.intervalSeconds > 300) {
      fail('intervalSeconds', this.intervalSeconds, 'use a whole number of seconds from 5 to 300');
    }
    if (!Number.isInteger(this.count) || this.count < 2 || this.count > 30) {
      fail('count', this.count, 'use a whole number of measurements from 2 to 30 (one failed measurement is tolerated)');
    }
    this.gateTemplateName = `${id}-release-gate`;
    this.watchTemplateName = `${id}-release-watch`;
    const metric = serverErrorsMetric(objective);
    for (const [templateId, name, count, initialDelay] of [
      ['Gate', this.gateTemplateName, this.count, this.initialDelaySeconds],
      ['Watch', this.watchTemplateName, undefined, RATE_WINDOW_SECONDS],
    ] as const) {
      new AnalysisTemplate(this, templateId, {
        metadata: { name, namespace: props.namespace, labels: workloadLabels(id, 'release-analysis') },
        spec: {
          args: [{ name: ANALYSIS_ARGS.service }, { name: ANALYSIS_ARGS.namespace }],
          metrics: [{
            ...metric,
            interval: `${this.intervalSeconds}s`,
            ...(count !== undefined ? { count: AnalysisTemplateSpecMetricsCount.fromNumber(count) } : {}),
            initialDelay: `${initialDelay}s`,
            failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(1),
            // Prometheus unreachable twice in a row is an error, and an error aborts like a failure.
            consecutiveErrorLimit: AnalysisTemplateSpecMetricsConsecutiveErrorLimit.fromNumber(2),
            provider: { prometheus: { address: props.prometheusUrl, query: metric.query, timeout: 10 } },
          }],
        },
      });
    }
  }

  /** Seconds the gate takes at most when every measurement passes: `initialDelay + count * interval`. */
  public get gateSeconds(): number {
    return this.initialDelaySeconds + this.count * this.intervalSeconds;
  }
}

/**
 * The canary's 5xx share over one rate window. A code that was never answered has no series, so
 * the 5xx sum falls back to 0 (`or on() vector(0)`) when the canary answered anything else; the
 * ratio is empty when the canary has no series at all and NaN (0/0) when it answered nothing in
 * the window, and both fail.
 */
function serverErrorsMetric(objectivePercent: number) {
  const selector = `namespace="{{args.${ANALYSIS_ARGS.namespace}}}",service="{{args.${ANALYSIS_ARGS.service}}}"`;
  const window = `${RATE_WINDOW_SECONDS}s`;
  const maxRatio = String(Number((1 - objectivePercent / 100).toPrecision(12)));
  const hasValue = 'len(result) > 0 && !isNaN(result[0])';
  return {
    name: 'server-errors',
    query:
      `(sum(rate(${SIGN_IN_REQUESTS_METRIC}{${selector},code=~"5.."}[${window}])) or on() vector(0))\n` +
      `/ sum(rate(${SIGN_IN_REQUESTS_METRIC}{${selector}}[${window}]))`,
    successCondition: `${hasValue} && result[0] <= ${maxRatio}`,
    failureCondition: `!(${hasValue}) || result[0] > ${maxRatio}`,
  };
}
