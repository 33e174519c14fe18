import { IPV4_CIDR } from '../platform/input-patterns';
import { CaBundle } from '../security/ca-bundle';
import { hostOf, isPrivateUseHost } from '../security/endpoint-trust';
import { StreamRetentionDays, checkedRetention } from './logging-retention';

/** The namespace of Loki and Fluent Bit on every cluster. */
export const LOGGING_NAMESPACE = 'logging';

/** The Helm release (and Application) name of Loki; its Services are `<release>` (single binary), `<release>-write`, `<release>-read`. */
export const LOKI_RELEASE = 'loki';

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
   * HTTPS endpoint of an S3-compatible store other than AWS S3, e.g. `https://s3.acme.internal:9000`.
   * @default - AWS S3 in s3Region
   */
  readonly s3Endpoint?: string;
  /**
   * PEM of the CA certificate(s) that sign s3Endpoint's certificate, which Loki then trusts
   * instead of its image's public roots. Required for a private endpoint (`.internal`, `.local`,
   * a private address), which no public CA certifies.
   * @default - none: the public roots verify a public endpoint
   */
  readonly s3EndpointCaBundlePem?: string;
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
  /**
   * Addresses of the bucket's endpoint (the environment's `egress.objectStorageCidrs`): the only
   * destination outside the cluster that Loki's NetworkPolicies open, on HTTPS.
   */
  readonly objectStorageCidrs: readonly string[];
  /** Addresses of the Kubernetes API server endpoints, which Fluent Bit and Loki's rules sidecar call. */
  readonly kubernetesApiCidrs: readonly string[];
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
  checkObjectStoreTrust(logging);
  checkEgressCidrs(logging);
  return logging;
}

/** The CIDRs the logging namespace's NetworkPolicies open: each a real range, never the whole internet. */
function checkEgressCidrs(logging: ClusterLogging): void {
  for (const [field, cidrs] of [['objectStorageCidrs', logging.objectStorageCidrs], ['kubernetesApiCidrs', logging.kubernetesApiCidrs]] as const) {
    if (cidrs.length === 0 || cidrs.some((cidr) => !IPV4_CIDR.test(cidr) || cidr.endsWith('/0'))) {
      throw new Error(
        `cluster ${logging.clusterName}: ${field} = ${JSON.stringify(cidrs)}; Loki's and Fluent Bit's NetworkPolicies need one or more IPv4 CIDRs of the destination, never a /0. Fix: set egress.objectStorageCidrs or kubernetesApiCidr in the environment's config (lib/config/environments/)`,
      );
    }
  }
}

/** A private object store needs its CA, and a CA given must be one (as CaBundle checks it). */
function checkObjectStoreTrust(logging: ClusterLogging): void {
  const fail = (field: string, value: string, problem: string, fix: string): never => {
    throw new Error(`cluster ${logging.clusterName}: ${field} = ${value}; ${problem}. Fix: ${fix} in LOGGING_SETTINGS (lib/config/logging.ts)`);
  };
  const { s3Endpoint, s3EndpointCaBundlePem } = logging;
  if (s3Endpoint !== undefined && !/^https:\/\/[^\s/:]+(:\d{1,5})?\/?$/.test(s3Endpoint)) {
    fail('s3Endpoint', s3Endpoint, 'not an https:// endpoint', 'give the HTTPS endpoint of the object store, e.g. https://s3.acme.internal:9000');
  }
  if (s3EndpointCaBundlePem !== undefined) {
    const problem = CaBundle.problemOf(s3EndpointCaBundlePem);
    if (problem !== undefined) {
      fail('s3EndpointCaBundlePem', `${JSON.stringify(s3EndpointCaBundlePem.slice(0, 40))}…`, `not a CA bundle: ${problem}`, 'paste the PEM of the CA that signs the object store\'s certificate');
    }
  }
  const host = s3Endpoint === undefined ? undefined : hostOf(s3Endpoint);
  if (host !== undefined && isPrivateUseHost(host) && s3EndpointCaBundlePem === undefined) {
    fail('s3EndpointCaBundlePem', '(not set)', `${s3Endpoint} is a private endpoint that no public CA certifies`, 'set it to the PEM of the CA that signs the object store\'s certificate');
  }
}
