import { edgeErrorRatioRecord, edgeErrorRatioRecording, edgeRequestSeries } from './edge-availability';
import { AlertDefinition, counterValues, RecordingDefinition, Severity, TestSeries } from './rule-types';

/** What a service level indicator counts as a bad request. */
export enum SliKind {
  /** A request answered 5xx (`http_requests_total{code=~"5.."}`). */
  AVAILABILITY = 'availability',
  /** A request slower than the objective's latency threshold (`http_request_duration_seconds`). */
  LATENCY = 'latency',
  /**
   * A request to the objective's public hostname that ingress-nginx answered 5xx
   * (`nginx_ingress_controller_requests`): also what never reached a pod (edge-availability.ts).
   */
  EDGE_AVAILABILITY = 'edge-availability',
}

/** A burn rate over a long and a short window; both must exceed it for the condition to hold. */
export interface BurnRateCondition {
  /** Multiple of the error budget's even spend, e.g. 14.4 (2% of a 30-day budget in 1 hour). */
  readonly burnRate: number;
  readonly longWindow: string;
  readonly shortWindow: string;
}

/** One alert of the multi-window, multi-burn-rate scheme: fires when either condition holds. */
export interface BurnRateAlertWindows {
  /** Suffix of the alert name: `Page` or `Ticket`. */
  readonly suffix: string;
  readonly severity: Severity;
  readonly for: string;
  /** The fast-burn condition first, then the slow-burn one. */
  readonly conditions: readonly [BurnRateCondition, BurnRateCondition];
}

/**
 * The SRE workbook's multi-window, multi-burn-rate alerts for a 30-day budget ("Alerting on SLOs",
 * table 5-8): page at 14.4x over 1h and 5m or 6x over 6h and 30m; ticket at 3x over 1d and 2h or 1x
 * over 3d and 6h.
 */
export const MULTI_WINDOW_BURN_RATES: readonly BurnRateAlertWindows[] = [
  {
    suffix: 'Page',
    severity: Severity.PAGE,
    for: '2m',
    conditions: [
      { burnRate: 14.4, longWindow: '1h', shortWindow: '5m' },
      { burnRate: 6, longWindow: '6h', shortWindow: '30m' },
    ],
  },
  {
    suffix: 'Ticket',
    severity: Severity.TICKET,
    for: '15m',
    conditions: [
      { burnRate: 3, longWindow: '1d', shortWindow: '2h' },
      { burnRate: 1, longWindow: '3d', shortWindow: '6h' },
    ],
  },
];

/** Bad-request ratios just above (`firing`) and just below (`quiet`) one condition's threshold. */
export interface RatioPair {
  readonly firing: number;
  readonly quiet: number;
}

/**
 * Test data of one objective, written out rather than derived from the objective: a changed
 * burn rate, objective or latency threshold then fails the promtool tests.
 */
export interface SloTestData {
  /** Bad-request ratio pair per long window of every condition (`1h`, `6h`, `1d`, `3d`). */
  readonly badRatios: Readonly<Record<string, RatioPair>>;
  /** LATENCY only: the `le` label of the histogram bucket the test series fill, e.g. `0.5`. */
  readonly bucketLe?: string;
}

/** One service level objective. */
export interface SloObjective {
  /** The Service whose series are judged (the `service` label), e.g. `api`. */
  readonly service: string;
  readonly sli: SliKind;
  /** Share of good requests over 30 days, in percent, e.g. 99.9. */
  readonly objectivePercent: number;
  /**
   * LATENCY only: a request slower than this is bad. It must be a bucket boundary of
   * `http_request_duration_seconds` (the container contract names them).
   */
  readonly latencyThresholdSeconds?: number;
  /** EDGE_AVAILABILITY only: the public hostname whose requests ingress-nginx counts (its `host` label). */
  readonly hostname?: string;
  readonly test: SloTestData;
}

/** Ratios for a 99.9% objective (budget 0.1%): 1% past and 1% short of each threshold. */
export const TEST_RATIOS_99_9: Readonly<Record<string, RatioPair>> = {
  '1h': { firing: 0.01455, quiet: 0.01425 },
  '6h': { firing: 0.00606, quiet: 0.00594 },
  '1d': { firing: 0.00303, quiet: 0.00297 },
  '3d': { firing: 0.00101, quiet: 0.00099 },
};

/** Rate windows of the recording rules: 1m for release analysis, the rest for the burn-rate alerts. */
export const RELEASE_ANALYSIS_WINDOW = '1m';
export const SLO_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

/** Share of 5xx answers per Service (labels `namespace`, `service`); 0/0 (no traffic) is NaN. */
export function errorRatioRecord(window: string): string {
  return `service:http_requests:error_ratio_rate${window}`;
}

/** Share of requests slower than the objective's threshold per Service. */
export function slowRatioRecord(window: string): string {
  return `service:http_requests:slow_ratio_rate${window}`;
}

/** 95th percentile request duration per Service over one minute, in seconds. */
export const LATENCY_P95_RECORD = `service:http_request_duration_seconds:p95_rate${RELEASE_ANALYSIS_WINDOW}`;

/**
 * Error ratio of every Service of the namespace. A Service that never answered 5xx has no 5xx
 * series, so the numerator falls back to 0 x the request rate instead of vanishing.
 */
export function errorRatioRecording(namespace: string, window: string): RecordingDefinition {
  const all = `sum by (namespace, service) (rate(http_requests_total{namespace="${namespace}"}[${window}]))`;
  const errors = `sum by (namespace, service) (rate(http_requests_total{namespace="${namespace}",code=~"5.."}[${window}]))`;
  return { record: errorRatioRecord(window), expr: `(\n  ${errors}\n  or\n  ${all} * 0\n)\n/\n${all}` };
}

export function latencyP95Recording(namespace: string): RecordingDefinition {
  return {
    record: LATENCY_P95_RECORD,
    expr: `histogram_quantile(0.95, sum by (namespace, service, le) (rate(http_request_duration_seconds_bucket{namespace="${namespace}"}[${RELEASE_ANALYSIS_WINDOW}])))`,
  };
}

/** The recording rules the objectives need: error ratios of every Service, slow ratios per latency objective. */
export function sloRecordingRules(namespace: string, objectives: readonly SloObjective[]): RecordingDefinition[] {
  objectives.forEach(validateObjective);
  const errorRatios = SLO_WINDOWS.map((window) => errorRatioRecording(namespace, window));
  const slowRatios = objectives
    .filter((objective) => objective.sli === SliKind.LATENCY)
    .flatMap((objective) =>
      SLO_WINDOWS.map((window) => {
        const selector = `namespace="${namespace}",service="${objective.service}"`;
        const le = decimal(objective.latencyThresholdSeconds!);
        return {
          record: slowRatioRecord(window),
          // The label the result carries anyway; it keeps the objectives' rules apart for promtool's lint.
          labels: { service: objective.service },
          expr:
            `1 - (\n  sum by (namespace, service) (rate(http_request_duration_seconds_bucket{${selector},le="${le}"}[${window}]))\n  /\n` +
            `  sum by (namespace, service) (rate(http_request_duration_seconds_count{${selector}}[${window}]))\n)`,
        };
      }),
    );
  const edgeErrorRatios = objectives
    .filter((objective) => objective.sli === SliKind.EDGE_AVAILABILITY)
    .flatMap((objective) => SLO_WINDOWS.map((window) => edgeErrorRatioRecording({ namespace, service: objective.service, hostname: objective.hostname! }, window)));
  return [...errorRatios, ...slowRatios, ...edgeErrorRatios];
}

/** The recorded bad-request ratio an objective's alerts read, per window. */
function badRatioRecord(sli: SliKind): (window: string) => string {
  switch (sli) {
    case SliKind.AVAILABILITY:
      return errorRatioRecord;
    case SliKind.LATENCY:
      return slowRatioRecord;
    case SliKind.EDGE_AVAILABILITY:
      return edgeErrorRatioRecord;
  }
}

/** What a bad request is, in an alert's summary. */
function badRequestWords(objective: SloObjective): string {
  switch (objective.sli) {
    case SliKind.AVAILABILITY:
      return 'answers 5xx';
    case SliKind.LATENCY:
      return `answers slower than ${decimal(objective.latencyThresholdSeconds!)} s`;
    case SliKind.EDGE_AVAILABILITY:
      return 'answers 5xx at ingress-nginx (its public hostname, sign-in included)';
  }
}

/** The page and ticket alerts of one objective, each with its promtool cases. */
export function burnRateAlerts(
  namespace: string,
  objective: SloObjective,
  windows: readonly BurnRateAlertWindows[] = MULTI_WINDOW_BURN_RATES,
): AlertDefinition[] {
  validateObjective(objective);
  const budget = decimal(1 - objective.objectivePercent / 100);
  const record = badRatioRecord(objective.sli);
  const selector = `{namespace="${namespace}",service="${objective.service}"}`;
  const sloName = `${objective.service}-${objective.sli}`;
  const what = badRequestWords(objective);
  return windows.map((alert) => {
    const condition = (c: BurnRateCondition) =>
      `(\n  ${record(c.longWindow)}${selector} > (${decimal(c.burnRate)} * ${budget})\n  and\n  ${record(c.shortWindow)}${selector} > (${decimal(c.burnRate)} * ${budget})\n)`;
    const [fast, slow] = alert.conditions;
    const name = `${upperCamel(objective.service)}${upperCamel(objective.sli)}BudgetBurn${alert.suffix}`;
    const ratios = (c: BurnRateCondition) => {
      const pair = objective.test.badRatios[c.longWindow];
      if (pair === undefined) {
        throw new Error(`SLO ${sloName}: test.badRatios has no entry for the ${c.longWindow} window; write out a firing and a quiet ratio for it`);
      }
      return pair;
    };
    // Windows of hours and days are sampled every 5 minutes, which keeps promtool fast.
    const stepMinutes = minutes(fast.shortWindow) >= 60 ? 5 : 1;
    const interval = `${stepMinutes}m`;
    const series = (ratio: number, segments: readonly Segment[]) => testSeries(namespace, objective, ratio, segments, stepMinutes);
    const fastShape = fastBurnShape(fast, alert.for);
    const slowShape = slowBurnShape(slow, alert.for);
    const labels = { slo: sloName };
    // An edge objective's alert also names the hostname (the recording keeps ingress-nginx's `host`).
    const alertLabels = { namespace, service: objective.service, ...(objective.hostname !== undefined ? { host: objective.hostname } : {}) };
    return {
      name,
      expr: `${condition(fast)}\nor\n${condition(slow)}`,
      for: alert.for,
      severity: alert.severity,
      labels,
      summary: `${objective.service} ${what} fast enough to spend its ${objective.objectivePercent}% error budget early (${alert.suffix.toLowerCase()}).`,
      runbook: 'slo-burn-rate-alerts',
      threshold:
        `${decimal(fast.burnRate)}x budget over ${fast.longWindow} and ${fast.shortWindow}, or ${decimal(slow.burnRate)}x over ${slow.longWindow} and ${slow.shortWindow} ` +
        `(bad ratio > ${decimal(fast.burnRate * Number(budget))} / > ${decimal(slow.burnRate * Number(budget))})`,
      // Each condition is tested on its own: the other one stays false on the same series.
      tests: {
        firing: [
          { series: series(ratios(fast).firing, fastShape.segments), evalTime: fastShape.evalTime, interval, alertLabels },
          { series: series(ratios(slow).firing, slowShape.segments), evalTime: slowShape.evalTime, interval, alertLabels },
        ],
        quiet: [
          { series: series(ratios(fast).quiet, fastShape.segments), evalTime: fastShape.evalTime, interval },
          { series: series(ratios(slow).quiet, slowShape.segments), evalTime: slowShape.evalTime, interval },
        ],
      },
    };
  });
}

/** A stretch of traffic: requests per minute (relative to the base rate) and its bad ratio. */
interface Segment {
  readonly minutes: number;
  readonly volume: number;
  readonly bad: boolean;
}

/** Requests per minute of the test traffic; heavy clean traffic is 100 times that. */
const BASE_RATE = 1000;
const HEAVY = 100;

/**
 * The fast condition alone: one hour of heavy clean traffic keeps the slow condition's long
 * window clean enough, then bad traffic for the fast long window, `for`, and 5 minutes' margin.
 */
function fastBurnShape(condition: BurnRateCondition, forDuration: string): { segments: Segment[]; evalTime: string } {
  const bad = minutes(condition.longWindow) + minutes(forDuration) + 5;
  return { segments: [{ minutes: 60, volume: HEAVY, bad: false }, { minutes: bad + 5, volume: 1, bad: true }], evalTime: `${60 + bad}m` };
}

/** The slow condition alone: steady bad traffic, checked once the short window and `for` lie behind it. */
function slowBurnShape(condition: BurnRateCondition, forDuration: string): { segments: Segment[]; evalTime: string } {
  const at = minutes(condition.shortWindow) + minutes(forDuration) + 10;
  return { segments: [{ minutes: at + 5, volume: 1, bad: true }], evalTime: `${at}m` };
}

function testSeries(namespace: string, objective: SloObjective, ratio: number, segments: readonly Segment[], stepMinutes: number): TestSeries[] {
  const labels = `namespace="${namespace}",service="${objective.service}"`;
  const values = (perMinute: (s: Segment) => number) => counterValues(segments.map((s) => ({ perStep: perMinute(s) * stepMinutes, steps: s.minutes / stepMinutes })));
  const good = values((s) => BASE_RATE * s.volume * (s.bad ? 1 - ratio : 1));
  const bad = values((s) => (s.bad ? BASE_RATE * s.volume * ratio : 0));
  const all = values((s) => BASE_RATE * s.volume);
  if (objective.sli === SliKind.AVAILABILITY) {
    return [
      { series: `http_requests_total{${labels},code="200"}`, values: good },
      { series: `http_requests_total{${labels},code="500"}`, values: bad },
    ];
  }
  if (objective.sli === SliKind.EDGE_AVAILABILITY) {
    const selection = { namespace, service: objective.service, hostname: objective.hostname! };
    return [edgeRequestSeries(selection, '200', good), edgeRequestSeries(selection, '503', bad)];
  }
  return [
    { series: `http_request_duration_seconds_bucket{${labels},le="${objective.test.bucketLe}"}`, values: good },
    { series: `http_request_duration_seconds_count{${labels}}`, values: all },
  ];
}

function validateObjective(objective: SloObjective): void {
  const name = `${objective.service}-${objective.sli}`;
  if (!(objective.objectivePercent > 0 && objective.objectivePercent < 100)) {
    throw new Error(`SLO ${name}: objectivePercent is ${objective.objectivePercent}; use a percentage above 0 and below 100, e.g. 99.9`);
  }
  const latency = objective.latencyThresholdSeconds;
  if (objective.sli === SliKind.LATENCY && (latency === undefined || !(latency > 0) || objective.test.bucketLe === undefined)) {
    throw new Error(`SLO ${name}: latencyThresholdSeconds is ${latency}; a latency objective needs a threshold above 0 (a bucket boundary) and test.bucketLe`);
  }
  if (objective.sli !== SliKind.LATENCY && latency !== undefined) {
    throw new Error(`SLO ${name}: latencyThresholdSeconds is ${latency}; only a latency objective takes a threshold`);
  }
  const hostname = objective.hostname;
  if (objective.sli === SliKind.EDGE_AVAILABILITY && (hostname === undefined || !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(hostname))) {
    throw new Error(`SLO ${name}: hostname is ${JSON.stringify(hostname)}; an edge objective needs the public hostname ingress-nginx serves, e.g. app.example.com`);
  }
  if (objective.sli !== SliKind.EDGE_AVAILABILITY && hostname !== undefined) {
    throw new Error(`SLO ${name}: hostname is ${JSON.stringify(hostname)}; only an edge objective is measured per hostname`);
  }
}

/** `5m`, `6h`, `1d` in minutes. */
export function minutes(duration: string): number {
  const match = /^(\d+)([mhd])$/.exec(duration);
  if (!match) {
    throw new Error(`duration ${JSON.stringify(duration)}: use whole minutes, hours or days such as 5m, 6h, 3d`);
  }
  return Number(match[1]) * { m: 1, h: 60, d: 1440 }[match[2] as 'm' | 'h' | 'd'];
}

/** A number as a short decimal (0.001, not 0.0010000000000000009). */
export function decimal(value: number): string {
  return String(Number(value.toPrecision(12)));
}

function upperCamel(text: string): string {
  return text.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase());
}
