import { DeliveryKind } from '../delivery/delivery-strategy';
import { ImageSigner } from '../security/image-signature-policy';
import { ImageReference } from '../platform/image-reference';
import { PodResources } from '../platform/pod-resources';
import { Replicas } from '../platform/replicas';
import { AuthenticationConfig, CertificatesConfig, ExternalEgressConfig, ImageRegistryConfig } from './security-config';
import { PullRequestPreviewsConfig } from './pull-request-previews-config';

/** The four environments the platform is rendered for; `dist/<name>/` holds each. */
export enum EnvironmentName {
  DEVELOPMENT = 'development',
  PREVIEW = 'preview',
  STAGING = 'staging',
  PRODUCTION = 'production',
}

export interface ServiceConfig {
  readonly image: ImageReference;
  readonly replicas: Replicas;
  readonly resources: PodResources;
  /** Average CPU utilisation, as a percentage of requests, that the autoscaler aims for. */
  readonly targetCpuUtilizationPercent: number;
  /**
   * Seconds a new pod may take to answer its liveness endpoint before it is restarted. Each batch
   * of new pods a release waits for can take this long, so it counts towards the release time.
   * @default - 120 for web and api, 180 for the generator
   */
  readonly startupTimeoutSeconds?: number;
}

/**
 * How web, api, the generator and the sign-in proxy release new versions, and the Prometheus
 * analysis that gates a release.
 */
export interface DeliveryConfig {
  /** ROLLING_UPDATE, or BLUE_GREEN (preview Service, pre-promotion analysis, switch). */
  readonly web: DeliveryKind;
  /** ROLLING_UPDATE, or CANARY (ingress-nginx weights, analysis between steps and in the background). */
  readonly api: DeliveryKind;
  /**
   * ROLLING_UPDATE, or CANARY: a share of the workers (the generator takes jobs, so there is no
   * traffic to route) runs the new version while an analysis on the generator's own metrics judges it.
   */
  readonly generator: DeliveryKind;
  /**
   * Surge of the generator's rolling update, in percent of its replicas: at 50, a release waits
   * for two batches of new workers at most; at 25, for four.
   */
  readonly generatorMaxSurgePercent: number;
  /**
   * ROLLING_UPDATE, or CANARY: a share of the sign-in proxy's pods (ingress-nginx asks the proxy's
   * own Service, which keeps selecting every pod, so the share of pods is the share of requests)
   * runs the new version while an analysis of their 5xx share judges it.
   */
  readonly signInProxy: DeliveryKind;
  /** Share of requests that must not answer 5xx during a release, in percent: the availability objective (99.9). */
  readonly successRateObjectivePercent: number;
  /** p95 latency ceiling of the web layer during a release, in milliseconds (server-side rendering included). */
  readonly webLatencyP95Ms: number;
  /** p95 latency ceiling of the API during a release, in milliseconds. */
  readonly apiLatencyP95Ms: number;
  /** Seconds between two analysis measurements. */
  readonly analysisIntervalSeconds: number;
  /** Measurements a gate takes before it passes (pre-promotion analysis, canary analysis step). */
  readonly analysisCount: number;
}

/** Redis 7.0 in cluster mode: sessions, caches and rate-limit counters. */
export interface RedisConfig {
  /** Primaries holding the 16384 slots: 3, as the specification says. */
  readonly primaries: number;
  /**
   * Replicas per primary: 1 in full-size environments, because a primary without a replica
   * cannot fail over (6 pods in all); 0 where losing the cache is acceptable.
   */
  readonly replicasPerPrimary: number;
  readonly cpuMillis: number;
  readonly memoryMi: number;
  /** Persistent volume per node for the append-only file. */
  readonly storageGi: number;
  readonly storageClass: string;
}

/** A RabbitMQ cluster's size. */
export interface MessageBrokerConfig {
  /** Nodes: 3 in full-size environments (quorum queues need a majority to survive a node loss). */
  readonly replicas: number;
  readonly cpuMillis: number;
  readonly memoryMi: number;
  readonly storageGi: number;
  readonly storageClass: string;
}

/**
 * The third-party images the stores run (the sign-in proxy's is `authentication.proxyImage`).
 * Environments take them from their image data file (lib/config/images/<environment>.yaml); staging
 * and production must pull by digest, or lib/platform/third-party-images.ts lists the image as pending.
 */
export interface StoreImagesConfig {
  readonly redis: ImageReference;
  /** The redis_exporter sidecar of every Redis node. */
  readonly redisExporter: ImageReference;
  /** The CloudNativePG operand image: its tag must be a PostgreSQL 15 release. */
  readonly postgres: ImageReference;
  /** PgBouncer of the Pooler. */
  readonly pgbouncer: ImageReference;
  /** RabbitMQ with the management plugin. */
  readonly rabbitmq: ImageReference;
}

/** PostgreSQL 15.4 on CloudNativePG: size, backups to an S3-compatible object store, and the recovery switch. */
export interface PostgresConfig {
  /** 3 in full-size environments: a primary and two standbys, one of them synchronous. */
  readonly instances: number;
  readonly cpuMillis: number;
  readonly memoryMi: number;
  /** Data volume per instance. */
  readonly storageGi: number;
  /** WAL volume per instance, separate from the data so a WAL burst cannot fill the data volume. */
  readonly walStorageGi: number;
  readonly storageClass: string;
  /** `s3://bucket/path` the WAL archive and base backups go to; credentials come from Vault (`<vaultPathPrefix>/postgres-backup`). */
  readonly backupDestinationPath: string;
  /** HTTPS endpoint of the S3-compatible object store. */
  readonly backupEndpointUrl: string;
  /**
   * PEM of the CA certificate(s) that sign the object store's certificate, for a private endpoint
   * (`.internal`, `.local`, a private address) that no public CA certifies; required there.
   * @default - none: the public roots of the backup tools verify a public endpoint such as AWS S3
   */
  readonly backupEndpointCaBundlePem?: string;
  /**
   * Bootstrap from the backups instead of an empty database: the disaster-recovery switch.
   * `targetTime` (RFC 3339 with offset) recovers to that moment; without it, to the end of the archive.
   * @default - no recovery: a new, empty database
   */
  readonly recoverFromBackup?: { readonly sourceServerName?: string; readonly targetTime?: string };
  /**
   * Folder name of this cluster's archive inside `backupDestinationPath`. A restored cluster must
   * archive into a new one (e.g. `postgres-r1`), never into the folder it restores from.
   * @default 'postgres'
   */
  readonly backupServerName?: string;
}

/**
 * The nodes the environment's pods run on, per zone of `zones` (one cloud node group per zone).
 * Every node of the pool is the same machine; sizes are what the kubelet offers pods
 * (`status.allocatable`), not the machine's nominal size.
 */
export interface NodePoolConfig {
  /** Allocatable CPU of one node (what the kubelet offers pods, after system reservations), in millicores. */
  readonly cpuMillis: number;
  /** Allocatable memory of one node, in MiB. */
  readonly memoryMi: number;
  /** Allocatable ephemeral storage of one node, in GiB. */
  readonly ephemeralStorageGi: number;
  /** Pods one node may run (the kubelet's maxPods). */
  readonly maxPods: number;
  /** Nodes per zone the cluster autoscaler keeps at least. */
  readonly minNodesPerZone: number;
  /** Nodes per zone the cluster autoscaler may add up to. */
  readonly maxNodesPerZone: number;
}

/** Pods outside the namespace that the platform accepts traffic from, located by namespace and labels. */
export interface ClusterPeerConfig {
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
}

/** Switches that differ per environment on purpose. */
export interface FeatureSwitches {
  /**
   * Refuse to schedule a pod rather than break the even spread over zones and nodes.
   * Off where a cluster has fewer nodes than replicas (a laptop, a preview cluster).
   */
  readonly strictTopologySpread: boolean;
  /** Services log at debug level. */
  readonly debugLogging: boolean;
  /**
   * Render the platform's alerting and recording rules and its Grafana dashboards. Off for
   * previews: they page no one, release with rolling updates (so no analysis reads the recording
   * rules), and the development dashboards select a preview through `$namespace`.
   */
  readonly alertingAndDashboards: boolean;
}

/** Everything that differs between environments, and nothing that does not. */
export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  /**
   * Whether the environment renders the cluster-scoped objects its cluster needs once (the ACME
   * ClusterIssuer, the Vault ClusterSecretStore). False for previews, which run on the development
   * cluster and use that environment's.
   */
  readonly ownsClusterScopedObjects: boolean;
  /** Namespace the platform runs in. */
  readonly namespace: string;
  /** Public hostname of the Next.js web layer. */
  readonly webHostname: string;
  /** Public hostname of the Express API. */
  readonly apiHostname: string;
  /** Issuers and lifetimes of the public and in-cluster TLS certificates. */
  readonly certificates: CertificatesConfig;
  /** OIDC sign-in with MFA in front of web and api. */
  readonly authentication: AuthenticationConfig;
  /** The only destinations outside the cluster that pods may reach. */
  readonly egress: ExternalEgressConfig;
  /** Registry the platform images are pulled from with credentials from Vault. */
  readonly imageRegistry: ImageRegistryConfig;
  /** Availability zones pods may run in and are spread over (`topology.kubernetes.io/zone` values). */
  readonly zones: readonly string[];
  /**
   * The machines the environment's pods run on and how far the cluster autoscaler may scale them
   * in each zone. Every pod must fit on one node (checked when read); the maximum is sized so that
   * the namespace's ResourceQuota fits with a node per zone to spare (lib/config/environments/node-pools.ts).
   */
  readonly nodePool: NodePoolConfig;
  readonly web: ServiceConfig;
  readonly api: ServiceConfig;
  readonly generator: ServiceConfig;
  /** PostgreSQL, the system of record. */
  readonly postgres: PostgresConfig;
  /** Redis cluster. */
  readonly redis: RedisConfig;
  /** RabbitMQ for the generation job queue. */
  readonly messageBroker: MessageBrokerConfig;
  /** The images of PostgreSQL, PgBouncer, Redis, its exporter and RabbitMQ. */
  readonly storeImages: StoreImagesConfig;
  /** Vault KV prefix of this environment's secrets, e.g. `generator-platform/production`. */
  readonly vaultPathPrefix: string;
  /** HTTPS address of Vault; External Secrets authenticates with the cluster's Kubernetes auth role `generator-platform-<environment>`. */
  readonly vaultAddress: string;
  /**
   * PEM of the CA certificate(s) that sign Vault's server certificate: the only roots External
   * Secrets and cert-manager trust toward vaultAddress (public data, never a key). More than one
   * while a CA is rotated. Checked when read: each parses and is a CA that may sign certificates.
   */
  readonly vaultCaBundlePem: string;
  /**
   * The namespaces the environment's Vault ClusterSecretStore (`vault-<environment>`, Vault role
   * `generator-platform-<environment>`) serves, as an anchored regular expression over namespace
   * names, when they are others than `namespace`: the previews' store serves every
   * `generator-platform-pr-<number>`. No other environment's namespace may match.
   * @default - `namespace` only
   */
  readonly vaultStoreNamespacePattern?: string;
  /**
   * Addresses of the Kubernetes API server endpoints (`kubectl get endpoints kubernetes`), which
   * operator-managed pods call. NetworkPolicies see the endpoint addresses, not the Service's ClusterIP.
   */
  readonly kubernetesApiCidr: string;
  /** The KEDA operator pods, which read queue depth to scale the generator. */
  readonly kedaOperator: ClusterPeerConfig;
  /** StorageClass of the generator's per-pod workspace volume. */
  readonly generatorWorkspaceStorageClass: string;
  /** Extra room in the ResourceQuota on top of what the workloads can request at most (rollout surge included). */
  readonly quotaHeadroomPercent: number;
  /** The ingress-nginx controller pods that may reach web and api. */
  readonly ingressController: ClusterPeerConfig;
  /** The Prometheus pods that may scrape metrics ports. */
  readonly prometheus: ClusterPeerConfig;
  /** Prometheus HTTP API the release analysis queries, e.g. `http://kube-prometheus-stack-prometheus.monitoring.svc:9090`. */
  readonly prometheusUrl: string;
  /** How web and api release, and what a release must show to be promoted. */
  readonly delivery: DeliveryConfig;
  readonly features: FeatureSwitches;
  /**
   * Who signs the platform images; renders a Kyverno ClusterPolicy that admits only their signed
   * images (cluster-scoped, so only where the environment has the cluster to itself).
   * @default - no signature policy
   */
  readonly imageSigner?: ImageSigner;  /**
   * Makes the environment the template of the application repository's pull-request previews
   * (lib/config/pull-request-previews-config.ts): preview only.
   * @default - not a pull-request preview
   */
  readonly pullRequestPreviews?: PullRequestPreviewsConfig;
}
