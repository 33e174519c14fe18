import { EnvironmentName } from '../config/environment-config';
import { ClusterDefinition } from './clusters';

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
 * Production keeps audit and security logs at least a year (a yearly audit must find a whole
 * year, and an incident found late must still be traceable).
 */
export const PRODUCTION_AUDIT_MINIMUM_DAYS = 365;

/**
 * Retention per environment that has a cluster (and so a Loki) of its own. Previews share the
 * development cluster and its retention.
 *
 * - application 30/14/7 days: long enough to debug an incident and to compare with the previous
 *   release; application logs may carry personal data, which must not be kept longer than needed.
 * - system 30/14/7 days: operator and ingress logs serve the same incident window.
 * - audit and security 400/90/30 days in production/staging/development: a year plus a month of
 *   margin so that an annual review still covers the full year; staging's 90 days cover a
 *   quarter of change reviews; development's are for debugging policies only.
 */
export const LOG_RETENTION_DAYS: Readonly<Partial<Record<EnvironmentName, StreamRetentionDays>>> = {
  [EnvironmentName.DEVELOPMENT]: { application: 7, system: 7, audit: 30, security: 30 },
  [EnvironmentName.STAGING]: { application: 14, system: 14, audit: 90, security: 90 },
  [EnvironmentName.PRODUCTION]: { application: 30, system: 30, audit: 400, security: 400 },
};

/** The one environment a cluster's logs belong to (its Loki, its retention, its `environment` label). */
export function loggingEnvironmentOf(cluster: ClusterDefinition): EnvironmentName {
  if (cluster.environments.length !== 1) {
    throw new Error(
      `cluster ${cluster.name} runs ${cluster.environments.length} environments (${cluster.environments.join(', ')}); the log pipeline needs exactly one per cluster. Fix: give the cluster one environment in CLUSTERS (lib/gitops/clusters.ts) or key LOG_RETENTION_DAYS by cluster`,
    );
  }
  return cluster.environments[0];
}

/** The validated retention of a cluster's streams. */
export function retentionOf(cluster: ClusterDefinition, table: typeof LOG_RETENTION_DAYS = LOG_RETENTION_DAYS): StreamRetentionDays {
  const environment = loggingEnvironmentOf(cluster);
  const retention = table[environment];
  if (!retention) {
    throw new Error(`cluster ${cluster.name}: LOG_RETENTION_DAYS has no entry for environment "${environment}". Fix: add one in lib/gitops/logging-retention.ts`);
  }
  for (const stream of LOG_STREAMS) {
    const days = retention[stream];
    if (!Number.isInteger(days) || days < 1) {
      throw new Error(`cluster ${cluster.name}: ${stream} retention = ${days} days; must be a whole number of days (Loki's index period is 24h). Fix: set it in LOG_RETENTION_DAYS`);
    }
  }
  if (environment === EnvironmentName.PRODUCTION) {
    for (const stream of [LogStream.AUDIT, LogStream.SECURITY]) {
      if (retention[stream] < PRODUCTION_AUDIT_MINIMUM_DAYS) {
        throw new Error(
          `cluster ${cluster.name}: ${stream} retention = ${retention[stream]} days; production keeps audit and security logs at least ${PRODUCTION_AUDIT_MINIMUM_DAYS} days. Fix: raise it in LOG_RETENTION_DAYS (lib/gitops/logging-retention.ts)`,
        );
      }
    }
  }
  return retention;
}

/** Loki's duration for a number of days, in hours (Loki's retention periods must be multiples of the 24h index period). */
export function lokiPeriod(days: number): string {
  return `${days * 24}h`;
}
