import type { Dashboard } from '@grafana/schema';
import { platformDashboard } from './dashboard';
import { DashboardSection, IN_NAMESPACE, QueryMode, RATE_INTERVAL, UnplacedPanel, higherIsWorse, lowerIsWorse, promTarget, stat, timeSeries } from './panels';

/** The availability objective of web and api: 99.9% of requests answer without a 5xx. */
export const AVAILABILITY_OBJECTIVE = 0.999;
/** The window the availability objective (and so the error budget) is measured over. */
export const SLO_WINDOW = '30d';
/**
 * Burn-rate alert windows of the Google SRE workbook's multiwindow, multi-burn-rate alerts for a
 * 30-day objective: 14.4 over 1 h (and 5 m) spends 2% of the budget in an hour; 6 over 6 h (and
 * 30 m) spends 5% in six hours.
 */
const FAST_BURN_RATE = 14.4;
const SLOW_BURN_RATE = 6;
/**
 * The windows of the paging conditions. The ticket conditions' 1 d and 3 d windows are left out:
 * computed from raw counters at every point of a graph they are expensive, and the SLO recording
 * rules (`service:http_requests:error_ratio_rate<window>`) carry them for the alerts.
 */
const BURN_RATE_WINDOWS = ['5m', '30m', '1h', '6h'] as const;

/** A user-facing HTTP service: its Service name (the `service` label) and its latency objective. */
export interface HttpServiceObjective {
  readonly service: string;
  /** p95 latency objective in seconds (the release analysis gate of README "Container contract"). */
  readonly latencyP95Seconds: number;
}

/**
 * web and api, as Prometheus sees them through their stable Services. The `-preview` and `-canary`
 * Services are left out: after a promotion they select the same pods as the stable Service, so
 * adding them would count those requests twice; a canary's share is judged by its own analysis.
 */
export const HTTP_SERVICES: readonly HttpServiceObjective[] = [
  { service: 'web', latencyP95Seconds: 0.8 },
  { service: 'api', latencyP95Seconds: 0.5 },
];

/** Share of requests that may fail: 0.001 (rounded, so that 1 - 0.999 prints as 0.001 in queries). */
const ERROR_BUDGET = Math.round((1 - AVAILABILITY_OBJECTIVE) * 1e6) / 1e6;

/** Requests of `service`; `extra` adds matchers such as a status-code class. */
function requests(service: string, extra = ''): string {
  return `http_requests_total{${IN_NAMESPACE},service="${service}"${extra}}`;
}

/**
 * Share of requests answered with a 5xx over `window`. No 5xx series at all means no errors
 * (`or vector(0)`), not "no data"; no requests at all means no data (the division has no result).
 */
export function errorRatio(service: string, window: string): string {
  return (
    `(sum(rate(${requests(service, ',code=~"5.."')}[${window}])) or vector(0))\n` +
    `/\n` +
    `sum(rate(${requests(service)}[${window}]))`
  );
}

function availabilityPanels(target: HttpServiceObjective): UnplacedPanel[] {
  const { service } = target;
  const percent = `${(AVAILABILITY_OBJECTIVE * 100).toFixed(1)}%`;
  return [
    stat({
      title: `${service} availability (${SLO_WINDOW})`,
      description: `Share of ${service} requests answered without a 5xx over the last ${SLO_WINDOW}; the objective is ${percent}.`,
      unit: 'percentunit',
      decimals: 3,
      width: 4,
      height: 8,
      thresholds: lowerIsWorse(AVAILABILITY_OBJECTIVE, 1 - ERROR_BUDGET / 2),
      targets: [promTarget(`1 - (\n${errorRatio(service, SLO_WINDOW)}\n)`, 'availability', QueryMode.INSTANT)],
    }),
    stat({
      title: `${service} error budget remaining (${SLO_WINDOW})`,
      description:
        `Share of the ${SLO_WINDOW} error budget (${(ERROR_BUDGET * 100).toFixed(1)}% of requests) not yet spent on 5xx answers. ` +
        'Below zero the objective is missed: releases should stop until it recovers.',
      unit: 'percentunit',
      decimals: 1,
      width: 4,
      height: 8,
      thresholds: lowerIsWorse(0, 0.25),
      targets: [promTarget(`1 - (\n${errorRatio(service, SLO_WINDOW)}\n) / ${ERROR_BUDGET}`, 'budget remaining', QueryMode.INSTANT)],
    }),
    timeSeries({
      title: `${service} error budget burn rate`,
      description:
        `How fast ${service} spends its error budget: 1 spends exactly the budget in ${SLO_WINDOW}. ` +
        `${FAST_BURN_RATE} over 1 h (confirmed over 5 m) pages; ${SLOW_BURN_RATE} over 6 h (confirmed over 30 m) opens a ticket.`,
      unit: 'short',
      width: 16,
      min: 0,
      showThresholds: true,
      thresholds: higherIsWorse(SLOW_BURN_RATE, FAST_BURN_RATE),
      targets: BURN_RATE_WINDOWS.map((window) => promTarget(`(\n${errorRatio(service, window)}\n) / ${ERROR_BUDGET}`, `burn rate ${window}`)),
    }),
  ];
}

function trafficPanels(target: HttpServiceObjective): UnplacedPanel[] {
  const { service, latencyP95Seconds } = target;
  const bucket = `http_request_duration_seconds_bucket{${IN_NAMESPACE},service="${service}"}`;
  const quantile = (q: number) => `histogram_quantile(${q}, sum by (le) (rate(${bucket}[${RATE_INTERVAL}])))`;
  return [
    timeSeries({
      title: `${service} request rate`,
      description: `Requests per second answered by ${service}, by HTTP status code (health endpoints excluded by the container contract).`,
      unit: 'reqps',
      width: 8,
      min: 0,
      stacked: true,
      targets: [promTarget(`sum by (code) (rate(${requests(service)}[${RATE_INTERVAL}]))`, '{{code}}')],
    }),
    timeSeries({
      title: `${service} 5xx ratio`,
      description: `Share of ${service} requests answered with a 5xx. The dashed line is the objective's error budget (${(ERROR_BUDGET * 100).toFixed(1)}%).`,
      unit: 'percentunit',
      width: 8,
      min: 0,
      showThresholds: true,
      thresholds: higherIsWorse(ERROR_BUDGET, ERROR_BUDGET * 10),
      targets: [promTarget(errorRatio(service, RATE_INTERVAL), '5xx ratio')],
    }),
    timeSeries({
      title: `${service} latency p50 / p95 / p99`,
      description: `Request duration percentiles of ${service}. The dashed line is the p95 objective that release analysis enforces (${latencyP95Seconds * 1000} ms).`,
      unit: 's',
      width: 8,
      min: 0,
      showThresholds: true,
      thresholds: higherIsWorse(latencyP95Seconds, latencyP95Seconds * 2),
      targets: [promTarget(quantile(0.5), 'p50'), promTarget(quantile(0.95), 'p95'), promTarget(quantile(0.99), 'p99')],
    }),
  ];
}

export interface PlatformOverviewOptions {
  /** The platform namespace the dashboard opens on. */
  readonly namespace: string;
}

/**
 * Platform overview: per user-facing service, the 30-day availability objective and the error
 * budget left, burn rates over the alerting windows, then traffic, 5xx ratio and latency.
 * Queries read the raw metrics of the container contract (README), so the dashboard works
 * without recording rules.
 */
export function platformOverviewDashboard(options: PlatformOverviewOptions): Dashboard {
  const sections: DashboardSection[] = HTTP_SERVICES.map((target) => ({
    title: `${target.service}: objective ${(AVAILABILITY_OBJECTIVE * 100).toFixed(1)}% over ${SLO_WINDOW}, traffic, errors, latency`,
    panels: [...availabilityPanels(target), ...trafficPanels(target)],
  }));
  return platformDashboard({
    slug: 'overview',
    title: 'Generator Platform: overview',
    description: 'Availability objectives and error budgets, traffic, errors and latency of web and api.',
    namespace: options.namespace,
    sections,
    timeFrom: 'now-6h',
    refresh: '1m',
  });
}
