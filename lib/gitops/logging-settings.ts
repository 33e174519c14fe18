import { StreamRetentionDays, checkedRetention } from './logging-retention';

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

/** Per-cluster settings of the log store and the node agent (besides retention). */
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

/** Everything the log pipeline of one cluster is rendered from. */
export interface ClusterLogging extends LoggingSettings {
  /** The cluster, as error messages name it. */
  readonly clusterName: string;
  /** The one environment the cluster's logs belong to: the `environment` label of every line. */
  readonly environment: string;
  /** Vault KV path of the Loki bucket's credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`). */
  readonly credentialsVaultPath: string;
  /** Days each stream is kept. */
  readonly retentionDays: StreamRetentionDays;
}

/** Checks what Loki and Fluent Bit need of a cluster's settings, and returns them. */
export function checkedLogging(logging: ClusterLogging): ClusterLogging {
  if (!Number.isInteger(logging.lokiReplicas) || logging.lokiReplicas < 1) {
    throw new Error(`cluster ${logging.clusterName}: lokiReplicas = ${logging.lokiReplicas}; must be a whole number of at least 1. Fix: set it in LOGGING_SETTINGS (lib/config/logging.ts)`);
  }
  if (!logging.auditLogPath.startsWith('/var/log/')) {
    throw new Error(`cluster ${logging.clusterName}: auditLogPath = ${logging.auditLogPath}; Fluent Bit mounts only /var/log of the node. Fix: point the API server's --audit-log-path below /var/log`);
  }
  checkedRetention(logging.clusterName, logging.retentionDays);
  return logging;
}
