import { durationSeconds } from './durations';
import { JsonObject, list, numberOf, record, text } from './json';
import { RenderedObject } from './manifests';

/** How long an analysis takes to succeed; `Infinity` when nothing bounds it. */
export interface AnalysisDuration {
  readonly seconds: number;
  /** e.g. `success-rate 5 x 30s + 10s` */
  readonly detail: string;
  /** Templates that are not in the rendered folder. */
  readonly missingTemplates: readonly string[];
}

/**
 * Duration of an analysis that runs `templates` (AnalysisTemplate in `namespace`, or
 * ClusterAnalysisTemplate with `clusterScope: true`) in parallel: the slowest metric of all.
 * A metric takes initialDelay + interval x count; with an interval and no count it runs until
 * stopped (unbounded); with neither it is one measurement, which takes no time unless the
 * measurement is a Job: then it lasts until the Job ends, at most its activeDeadlineSeconds.
 */
export function analysisDuration(templates: unknown, namespace: string | undefined, objects: readonly RenderedObject[]): AnalysisDuration {
  let seconds = 0;
  const details: string[] = [];
  const missingTemplates: string[] = [];
  for (const reference of list(templates).map(record)) {
    const name = text(reference.templateName) ?? '';
    const template = objects.find((o) => reference.clusterScope === true
      ? o.kind === 'ClusterAnalysisTemplate' && o.name === name
      : o.kind === 'AnalysisTemplate' && o.name === name && o.namespace === namespace);
    if (!template) {
      missingTemplates.push(name);
      continue;
    }
    for (const metric of list(record(template.body.spec).metrics).map(record)) {
      const metricSeconds = metricDuration(metric);
      details.push(`${name}/${text(metric.name) ?? '?'} ${describeMetric(metric, metricSeconds)}`);
      seconds = Math.max(seconds, metricSeconds);
    }
  }
  return { seconds, detail: details.join(', '), missingTemplates };
}

/** initialDelay + interval x count of one metric; `Infinity` when it has an interval but no literal count. */
export function metricDuration(metric: JsonObject): number {
  const initialDelay = durationSeconds(metric.initialDelay) ?? 0;
  const interval = metric.interval === undefined ? undefined : durationSeconds(metric.interval);
  const count = countOf(metric.count);
  if (metric.interval !== undefined && interval === undefined) {
    return Infinity;
  }
  if (interval === undefined) {
    return initialDelay + jobDeadlineSeconds(metric) * (count ?? 1);
  }
  if (count === undefined) {
    return Infinity;
  }
  return initialDelay + interval * count;
}

/** A Job measurement runs as long as the Job: bounded by activeDeadlineSeconds, unbounded without one. */
function jobDeadlineSeconds(metric: JsonObject): number {
  const job = record(record(metric.provider).job);
  if (Object.keys(job).length === 0) {
    return 0;
  }
  return numberOf(record(job.spec).activeDeadlineSeconds) ?? Infinity;
}

function countOf(value: unknown): number | undefined {
  const literal = numberOf(value) ?? (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined);
  return literal;
}

function describeMetric(metric: JsonObject, seconds: number): string {
  if (!Number.isFinite(seconds)) {
    return `unbounded (interval ${String(metric.interval)}, count ${metric.count === undefined ? 'none' : String(metric.count)})`;
  }
  const parts = [];
  if (metric.interval !== undefined) {
    parts.push(`${String(metric.count)} x ${String(metric.interval)}`);
  }
  if (metric.initialDelay !== undefined) {
    parts.push(`initialDelay ${String(metric.initialDelay)}`);
  }
  if (metric.interval === undefined && Object.keys(record(record(metric.provider).job)).length > 0) {
    parts.push(`Job up to activeDeadlineSeconds ${seconds - (durationSeconds(metric.initialDelay) ?? 0)}s`);
  }
  return `${parts.length > 0 ? parts.join(' + ') : 'one measurement'} = ${seconds} s`;
}

/** A note for each analysis template that is not in the rendered folder. */
export function noteMissingTemplates(missing: readonly string[], where: string, notes: string[]): void {
  for (const name of missing) {
    notes.push(`${where}: analysis template ${name} is not in the rendered folder; counted as 0 s`);
  }
}
