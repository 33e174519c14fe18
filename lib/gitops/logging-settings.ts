import { EnvironmentName } from '../config/environment-config';
import { ENVIRONMENTS } from '../config/environments';
import { ClusterDefinition } from './clusters';
import { loggingEnvironmentOf } from './logging-retention';

/** The namespace of Loki and Fluent Bit on every cluster. */
export const LOGGING_NAMESPACE = 'logging';

/** The Loki tenant everything is written to and read from (`X-Scope-OrgID`). */
export const LOKI_TENANT = 'generator-platform';

/** How Loki runs (the chart's `deploymentMode`). */
export enum LokiDeploymentMode {
  /** One StatefulSet running every component: small clusters. */
  SINGLE_BINARY = 'SingleBinary',
  /** Separate write, read and backend (compactor, ruler, index gateway) StatefulSets/Deployments. */
  SIMPLE_SCALABLE = 'SimpleScalable',
}

/** Per-environment settings of the log store and the node agent (besides retention, in logging-retention.ts). */
export interface LoggingSettings {
  readonly deploymentMode: LokiDeploymentMode;
  /**
   * Replicas of each Loki component (the single binary, or each of write, read, backend). From 3
   * on, every line is written to 3 ingesters (one per zone) and survives the loss of one.
   */
  readonly lokiReplicas: number;
  /** S3 bucket holding this environment's chunks, index and delete requests; its lifecycle rules must not expire objects before the longest retention. */
  readonly bucket: string;
  /** AWS region of the bucket. */
  readonly s3Region: string;
  /**
   * The kube-apiserver audit log file on control-plane nodes (the API server's `--audit-log-path`).
   * Managed control planes (EKS, GKE, AKS) have no such file on any node: see docs/logging.md.
   */
  readonly auditLogPath: string;
  /** Drop `debug` and `trace` lines of the application stream before they reach Loki. */
  readonly dropDebugLogs: boolean;
}

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

/** A cluster's logging settings and the Vault path of its object-storage credentials. */
export interface ClusterLogging extends LoggingSettings {
  readonly environment: EnvironmentName;
  /** Vault KV path of the Loki bucket's credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`). */
  readonly credentialsVaultPath: string;
}

export function loggingOf(cluster: ClusterDefinition): ClusterLogging {
  const environment = loggingEnvironmentOf(cluster);
  const settings = LOGGING_SETTINGS[environment];
  if (!settings) {
    throw new Error(`cluster ${cluster.name}: LOGGING_SETTINGS has no entry for environment "${environment}". Fix: add one in lib/gitops/logging-settings.ts`);
  }
  if (!Number.isInteger(settings.lokiReplicas) || settings.lokiReplicas < 1) {
    throw new Error(`cluster ${cluster.name}: lokiReplicas = ${settings.lokiReplicas}; must be a whole number of at least 1. Fix: set it in LOGGING_SETTINGS`);
  }
  if (!settings.auditLogPath.startsWith('/var/log/')) {
    throw new Error(`cluster ${cluster.name}: auditLogPath = ${settings.auditLogPath}; Fluent Bit mounts only /var/log of the node. Fix: point the API server's --audit-log-path below /var/log`);
  }
  return { ...settings, environment, credentialsVaultPath: `${ENVIRONMENTS[environment].vaultPathPrefix}/loki-object-storage` };
}
