import { PLATFORM_REPOSITORY } from '../../gitops/repository';

/**
 * The typed description every PrometheusRule of the platform is generated from. An alert carries
 * its own promtool unit test data (a firing and a quiet case), written out as literal series, so
 * that a changed threshold in the description makes its test fail instead of moving with it.
 */

/** Who is told, as Alertmanager routes it (kube-prometheus-stack routes on `severity`). */
export enum Severity {
  /** Wakes someone up: the objective is in danger within hours. */
  PAGE = 'critical',
  /** A ticket for working hours: the objective is in danger within days, or capacity runs short. */
  TICKET = 'warning',
}

/** One input series of a promtool test: a selector and its values in promtool's expanding notation. */
export interface TestSeries {
  /** e.g. `http_requests_total{namespace="apps",service="api",code="500"}` */
  readonly series: string;
  /** e.g. `0+10x60` (one value per `interval`) */
  readonly values: string;
}

/** One promtool case for an alert: input series, and the instant at which the alert is checked. */
export interface AlertTestCase {
  readonly series: readonly TestSeries[];
  /** Time since the first sample at which the alert is checked, e.g. `65m`. */
  readonly evalTime: string;
  /**
   * Step between two values of every series.
   * @default '1m'
   */
  readonly interval?: string;
}

/** The firing case also names the labels the alert carries (the labels of its query result). */
export interface FiringTestCase extends AlertTestCase {
  /** Labels of the firing alert beyond the rule's own `severity` and static labels. */
  readonly alertLabels: Readonly<Record<string, string>>;
}

/** At least one case of each outcome; an alert with two conditions tests each of them. */
export interface AlertTests {
  /** Series on which the alert fires at `evalTime`, just past its threshold. */
  readonly firing: readonly FiringTestCase[];
  /** Series on which it stays quiet at `evalTime`, just short of its threshold. */
  readonly quiet: readonly AlertTestCase[];
}

/** One alerting rule and its test data. */
export interface AlertDefinition {
  /** Alert name, UpperCamelCase, unique in the platform. */
  readonly name: string;
  readonly expr: string;
  /** How long the condition must hold before the alert fires, e.g. `5m`; `0m` fires at once. */
  readonly for: string;
  readonly severity: Severity;
  /** One line: what is wrong. Static text, so that the promtool test can state it exactly. */
  readonly summary: string;
  /** What to look at first; a runbook section in docs/observability.md. */
  readonly runbook: string;
  /** The threshold in words, for the alert list in docs/observability.md. */
  readonly threshold: string;
  /** Static labels besides `severity` (e.g. `slo`). */
  readonly labels?: Readonly<Record<string, string>>;
  readonly tests: AlertTests;
}

/** One recording rule. */
export interface RecordingDefinition {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** One rule group: one concern, rendered as one PrometheusRule. */
export interface RuleGroupDefinition {
  /** Group name, also the PrometheusRule's name suffix, e.g. `slo-availability`. */
  readonly name: string;
  /**
   * Evaluation interval of the group.
   * @default - Prometheus' global evaluation interval (30 s in kube-prometheus-stack)
   */
  readonly interval?: string;
  readonly recordings: readonly RecordingDefinition[];
  readonly alerts: readonly AlertDefinition[];
}

/** Where the runbooks live (docs/observability.md of this repository); every alert links a section of it. */
export const RUNBOOK_BASE_URL = `https://github.com/${PLATFORM_REPOSITORY.githubOwner}/${PLATFORM_REPOSITORY.githubRepository}/blob/${PLATFORM_REPOSITORY.revision}/docs/observability.md`;

/** The annotations an alert renders with: the same text the promtool test expects. */
export function alertAnnotations(alert: AlertDefinition): Record<string, string> {
  return { summary: alert.summary, runbook_url: `${RUNBOOK_BASE_URL}#${alert.runbook}` };
}

/** The labels an alert renders with. */
export function alertLabels(alert: AlertDefinition): Record<string, string> {
  return { ...(alert.labels ?? {}), severity: alert.severity };
}

/**
 * Values of a counter that grows by `perStep` for `steps` steps per segment, one segment after the
 * other, in promtool's expanding notation: `[{ perStep: 10, steps: 60 }]` is `0+10x60`.
 */
export function counterValues(segments: readonly { readonly perStep: number; readonly steps: number }[]): string {
  let value = 0;
  return segments
    .map((segment, index) => {
      const first = index === 0 ? 0 : value + segment.perStep;
      const count = index === 0 ? segment.steps : segment.steps - 1;
      value = first + segment.perStep * count;
      return `${round(first)}+${round(segment.perStep)}x${count}`;
    })
    .join(' ');
}

/** Minutes of samples at one per minute, all the same value, in promtool's notation. */
export function flat(value: number, steps: number): string {
  return `${value}x${steps}`;
}

function round(value: number): string {
  return String(Number(value.toPrecision(12)));
}
