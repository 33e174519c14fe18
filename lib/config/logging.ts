import { LogStream, StreamRetentionDays } from '../gitops/logging-retention';
import { ClusterLogging, LoggingSettings, LokiDeploymentMode } from '../gitops/logging-settings';
import { ClusterConfig } from './clusters';
import { EnvironmentConfig, EnvironmentName } from './environment-config';

const AUDIT_LOG_PATH = '/var/log/kubernetes/audit/audit.log';

/** Logging settings per environment that has a cluster; candidates for a `logging` block of EnvironmentConfig. */
export const LOGGING_SETTINGS: Readonly<Partial<Record<EnvironmentName, LoggingSettings>>> = {
  [EnvironmentName.DEVELOPMENT]: {
    deploymentMode: LokiDeploymentMode.SINGLE_BINARY,
    lokiReplicas: 1,
    bucket: 'acme-generator-platform-logs-development',
    s3Region: 'eu-west-1',
    auditLogPath: AUDIT_LOG_PATH,
    dropDebugLogs: false,
  },
  [EnvironmentName.STAGING]: {
    deploymentMode: LokiDeploymentMode.SIMPLE_SCALABLE,
    lokiReplicas: 3,
    bucket: 'acme-generator-platform-logs-staging',
    s3Region: 'eu-west-1',
    auditLogPath: AUDIT_LOG_PATH,
    dropDebugLogs: false,
  },
  [EnvironmentName.PRODUCTION]: {
    deploymentMode: LokiDeploymentMode.SIMPLE_SCALABLE,
    lokiReplicas: 3,
    bucket: 'acme-generator-platform-logs-production',
    s3Region: 'eu-west-1',
    auditLogPath: AUDIT_LOG_PATH,
    dropDebugLogs: true,
  },
};

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
export function loggingEnvironmentOf(cluster: ClusterConfig): EnvironmentName {
  if (cluster.environments.length !== 1) {
    throw new Error(
      `cluster ${cluster.name} runs ${cluster.environments.length} environments (${cluster.environments.join(', ')}); the log pipeline needs exactly one per cluster. Fix: give the cluster one environment in CLUSTERS (lib/config/clusters.ts) or key LOG_RETENTION_DAYS by cluster`,
    );
  }
  return cluster.environments[0];
}

/** The retention of a cluster's streams, with production's audit minimum checked. */
export function retentionOf(cluster: ClusterConfig, table: typeof LOG_RETENTION_DAYS = LOG_RETENTION_DAYS): StreamRetentionDays {
  const environment = loggingEnvironmentOf(cluster);
  const retention = table[environment];
  if (!retention) {
    throw new Error(`cluster ${cluster.name}: LOG_RETENTION_DAYS has no entry for environment "${environment}". Fix: add one in lib/config/logging.ts`);
  }
  if (environment === EnvironmentName.PRODUCTION) {
    for (const stream of [LogStream.AUDIT, LogStream.SECURITY]) {
      if (retention[stream] < PRODUCTION_AUDIT_MINIMUM_DAYS) {
        throw new Error(
          `cluster ${cluster.name}: ${stream} retention = ${retention[stream]} days; production keeps audit and security logs at least ${PRODUCTION_AUDIT_MINIMUM_DAYS} days. Fix: raise it in LOG_RETENTION_DAYS (lib/config/logging.ts)`,
        );
      }
    }
  }
  return retention;
}

/** What the log pipeline reads of the environment its logs belong to. */
export type LoggingEnvironmentConfig = Pick<EnvironmentConfig, 'vaultPathPrefix' | 'egress' | 'kubernetesApiCidr'>;

/**
 * Everything a cluster's log pipeline is rendered from. `configOf` gives the config of the
 * environment the logs belong to: its Vault KV prefix holds the bucket's credentials, its egress
 * ranges and API server addresses are what the logging namespace's NetworkPolicies open.
 */
export function loggingOf(cluster: ClusterConfig, configOf: (environment: EnvironmentName) => LoggingEnvironmentConfig): ClusterLogging {
  const environment = loggingEnvironmentOf(cluster);
  const settings = LOGGING_SETTINGS[environment];
  if (!settings) {
    throw new Error(`cluster ${cluster.name}: LOGGING_SETTINGS has no entry for environment "${environment}". Fix: add one in lib/config/logging.ts`);
  }
  const config = configOf(environment);
  return {
    ...settings,
    clusterName: cluster.name,
    environment,
    credentialsVaultPath: `${config.vaultPathPrefix}/loki-object-storage`,
    retentionDays: retentionOf(cluster),
    objectStorageCidrs: config.egress.objectStorageCidrs,
    kubernetesApiCidrs: [config.kubernetesApiCidr],
  };
}
