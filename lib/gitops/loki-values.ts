import { App, Chart } from 'cdk8s';
import { PLATFORM_NAME } from '../platform/labels';
import { LOGGING_SECRET_STORE } from './logging-secret-store';
import { VaultSecret } from '../security/vault-secret';
import { LOG_STREAMS, LogStream, StreamRetentionDays, lokiPeriod } from './logging-retention';
import { lokiObjectStoreTrust } from './loki-object-store-trust';
import { ClusterLogging, LOGGING_NAMESPACE, LOKI_RELEASE, LokiDeploymentMode } from './logging-settings';
import { FLUENT_BIT_EVENTS_RELEASE, FLUENT_BIT_RELEASE } from './fluent-bit-values';
import { LoggingNetworkPolicies } from './logging-network-policies';
import { GRAFANA_PODS } from './grafana-values';

/** The Secret (made by External Secrets from Vault) holding the bucket's credentials as AWS environment variables. */
export const LOKI_STORAGE_SECRET = 'loki-object-storage';

/** The day the TSDB v13 schema starts: before the first log line, so the index never changes schema. */
const SCHEMA_START = '2024-06-01';

/** The retention of every stream as Loki's `limits_config.retention_stream` entries. */
export function retentionStreams(retention: StreamRetentionDays): { selector: string; priority: number; period: string }[] {
  return LOG_STREAMS.map((stream) => ({ selector: `{stream="${stream}"}`, priority: 1, period: lokiPeriod(retention[stream]) }));
}

/**
 * The grafana/loki chart's values for a cluster: one tenant (`auth_enabled` with LOKI_TENANT),
 * TSDB index and chunks in the environment's S3 bucket, per-stream retention enforced by the
 * compactor. Credentials come from Vault through an ExternalSecret the release creates itself
 * (`extraObjects`): the values hold only the Secret's name.
 */
export function lokiHelmValues(logging: ClusterLogging): Record<string, unknown> {
  const retention = logging.retentionDays;
  const trust = lokiObjectStoreTrust(logging);
  const credentials = { extraEnvFrom: [{ secretRef: { name: LOKI_STORAGE_SECRET } }], ...trust.pod };
  const singleBinary = logging.deploymentMode === LokiDeploymentMode.SINGLE_BINARY;
  const scalable = (replicas: number) => ({ replicas: singleBinary ? 0 : replicas, ...credentials });
  return {
    deploymentMode: logging.deploymentMode,
    loki: {
      auth_enabled: true,
      // A write needs a majority of the copies: 3 copies survive one lost ingester, 2 would not.
      commonConfig: { replication_factor: logging.lokiReplicas >= 3 ? 3 : 1 },
      schemaConfig: {
        configs: [{ from: SCHEMA_START, store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'loki_index_', period: '24h' } }],
      },
      storage: {
        type: 's3',
        bucketNames: { chunks: logging.bucket, ruler: logging.bucket, admin: logging.bucket },
        s3: { region: logging.s3Region, s3ForcePathStyle: false, insecure: false, ...trust.s3 },
      },
      compactor: {
        retention_enabled: true,
        retention_delete_delay: '2h',
        compaction_interval: '10m',
        delete_request_store: 's3',
      },
      limits_config: {
        retention_period: lokiPeriod(retention[LogStream.APPLICATION]),
        retention_stream: retentionStreams(retention),
        allow_structured_metadata: true,
      },
    },
    singleBinary: { replicas: singleBinary ? logging.lokiReplicas : 0, ...credentials },
    write: scalable(logging.lokiReplicas),
    read: scalable(logging.lokiReplicas),
    backend: scalable(logging.lokiReplicas),
    chunksCache: { enabled: !singleBinary },
    resultsCache: { enabled: !singleBinary },
    lokiCanary: { enabled: false },
    test: { enabled: false },
    minio: { enabled: false },
    // No nginx gateway: it serves push and query on one port, so no NetworkPolicy could tell
    // Fluent Bit's flows from Grafana's. Clients call the write and read Services directly.
    gateway: { enabled: false },
    extraObjects: [storageCredentials(logging), ...trust.extraObjects, ...networkPolicies(logging)],
  };
}

/** The logging namespace's NetworkPolicies, applied by the Loki release (the Fluent Bit chart has no `extraObjects`). */
function networkPolicies(logging: ClusterLogging): unknown[] {
  const chart = new Chart(new App(), 'logging-network-policies');
  new LoggingNetworkPolicies(chart, 'policies', {
    deploymentMode: logging.deploymentMode,
    lokiRelease: LOKI_RELEASE,
    fluentBitReleases: [FLUENT_BIT_RELEASE, FLUENT_BIT_EVENTS_RELEASE],
    lokiReaders: [GRAFANA_PODS],
    objectStorageCidrs: logging.objectStorageCidrs,
    objectStoragePort: logging.s3Endpoint === undefined ? 443 : Number(new URL(logging.s3Endpoint).port || 443),
    kubernetesApiCidrs: logging.kubernetesApiCidrs,
  });
  return chart.toJson();
}

/** The ExternalSecret of the bucket's credentials, rendered by the typed construct the platform uses for every Vault secret. */
function storageCredentials(logging: ClusterLogging): unknown {
  const chart = new Chart(new App(), 'loki-credentials');
  new VaultSecret(chart, LOKI_STORAGE_SECRET, {
    namespace: LOGGING_NAMESPACE,
    secretName: LOKI_STORAGE_SECRET,
    vaultPath: logging.credentialsVaultPath,
    keys: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
    secretStoreName: LOGGING_SECRET_STORE.storeName,
  });
  const [externalSecret] = chart.toJson() as { metadata: Record<string, unknown> }[];
  // Helm, not cdk8s, applies it: keep the platform label, drop cdk8s' managed-by.
  return { ...externalSecret, metadata: { ...externalSecret.metadata, labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME } } };
}
