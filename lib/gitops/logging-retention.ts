/**
 * The streams every log line is filed under: the Loki label `stream`. Retention is set per stream,
 * so a stream is what a log line is kept for, not where it came from (docs/logging.md).
 */
export enum LogStream {
  /** Container logs of the platform's namespaces (`generator-platform`, `generator-platform-pr-*`). */
  APPLICATION = 'application',
  /** Container logs of every other namespace (operators, ingress, kube-system) and the ordinary Kubernetes Events. */
  SYSTEM = 'system',
  /** The kube-apiserver audit log. */
  AUDIT = 'audit',
  /** Pod Security admission denials and violations, Kyverno policy violations. */
  SECURITY = 'security',
}

export const LOG_STREAMS: readonly LogStream[] = [LogStream.APPLICATION, LogStream.SYSTEM, LogStream.AUDIT, LogStream.SECURITY];

/** Days a stream's log lines are kept before the Loki compactor deletes them. */
export type StreamRetentionDays = Readonly<Record<LogStream, number>>;

/**
 * Checks that every stream of a cluster has a whole number of days (Loki's index period is 24h)
 * and returns the retention.
 */
export function checkedRetention(clusterName: string, retention: StreamRetentionDays): StreamRetentionDays {
  for (const stream of LOG_STREAMS) {
    const days = retention[stream];
    if (!Number.isInteger(days) || days < 1) {
      throw new Error(`cluster ${clusterName}: ${stream} retention = ${days} days; must be a whole number of days (Loki's index period is 24h). Fix: set it in LOG_RETENTION_DAYS (lib/config/logging.ts)`);
    }
  }
  return retention;
}

/** Loki's duration for a number of days, in hours (Loki's retention periods must be multiples of the 24h index period). */
export function lokiPeriod(days: number): string {
  return `${days * 24}h`;
}
