import { ImageReference } from '../../platform/image-reference';
import { pinnedReference, THIRD_PARTY_IMAGES } from '../../platform/third-party-images';
import { INetworkPeer } from '../../platform/network-peer';
import { NamespaceBaseline } from '../../platform/namespace-baseline';
import { CaBundle } from '../../security/ca-bundle';
import { CertificateLifetime, ICertificateIssuer } from '../../security/tls-certificate';
import { PointInTimeRecovery } from './point-in-time-recovery';

/** PostgreSQL 15.4 in CloudNativePG's operand image, as lib/platform/third-party-images.ts pins it. */
export const POSTGRES_IMAGE: ImageReference = pinnedReference(THIRD_PARTY_IMAGES.postgres);

export interface PostgresClusterProps {
  /** The namespace to run in; the instances and the pooler count themselves into its quota. */
  readonly namespace: NamespaceBaseline;
  /**
   * PostgreSQL instances: 1 (no high availability), or 3 or more: a primary and at least two
   * standbys, so one synchronous standby remains after a failover or during a node drain.
   * @see https://cloudnative-pg.io/documentation/1.22/replication/#synchronous-replication
   */
  readonly instances: number;
  /** Prometheus, allowed to scrape the instances' and the pooler's exporters. */
  readonly metricsScraper: INetworkPeer;
  /** Object-store folder for base backups and WAL, `s3://bucket/path`; the cluster archives into `<backupServerName>/` below it. */
  readonly backupDestinationPath: string;
  /** HTTPS endpoint of the S3-compatible object store, e.g. `https://s3.eu-west-1.amazonaws.com`. */
  readonly backupEndpointUrl: string;
  /**
   * The CA certificate(s) that sign the object store's certificate: rendered into the Secret
   * `<name>-backup-endpoint-ca` (public data) that Barman's `endpointCA` names. Required for a
   * private endpoint (`.internal`, `.local`, a private address), which no public CA certifies.
   * @default - none: the operand image's public roots verify a public endpoint such as AWS S3
   * @see https://cloudnative-pg.io/documentation/1.22/appendixes/object_stores/
   */
  readonly backupEndpointCaBundle?: CaBundle;
  /** Vault KV path of the object-store credentials, with properties `ACCESS_KEY_ID` and `ACCESS_SECRET_KEY`. */
  readonly backupCredentialsVaultPath: string;
  /**
   * Vault KV prefix of this environment, e.g. `generator-platform/production`. Database passwords
   * live below it, in a `password` property each: the owner's at `<prefix>/postgres/owner`, each
   * client's at `<prefix>/postgres/<client name>`.
   */
  readonly vaultPathPrefix: string;
  /**
   * Where the object store is, as IPv4 CIDRs: the only addresses the instances may reach on the
   * endpoint's port. There is no default: the object store's ranges come from the environment's
   * config, and an open egress to the internet would be a default nobody chose.
   */
  readonly objectStoreEgressCidrs: readonly string[];
  /**
   * Addresses of the Kubernetes API server (its endpoints, not the `kubernetes` Service IP: policies
   * apply after the Service is translated). The instance managers and PgBouncer managers use the API.
   */
  readonly kubernetesApiCidrs: readonly string[];
  /**
   * Issuer of the server certificate (the internal CA) that PostgreSQL and PgBouncer present;
   * clients verify it (`verify-full`) against the issuer's `ca.crt`.
   * @see https://cloudnative-pg.io/documentation/1.22/certificates/#user-provided-certificates-mode
   */
  readonly tlsIssuer: ICertificateIssuer;
  /**
   * Lifetime of the server certificate and how early cert-manager renews it.
   * @default - 2160 hours (90 days), renewed 720 hours before expiry
   */
  readonly tlsCertificateLifetime?: CertificateLifetime;
  /**
   * PostgreSQL image; the tag must be a PostgreSQL 15 release, as the parameters are for 15.
   * @default POSTGRES_IMAGE
   */
  readonly image?: ImageReference;
  /**
   * PgBouncer image of the Pooler; named rather than left to the operator, whose default changes
   * with its version and is pulled by tag.
   * @default PGBOUNCER_IMAGE (lib/stores/postgres/pgbouncer-pooler.ts)
   * @see https://cloudnative-pg.io/documentation/1.22/connection_pooling/#pod-templates
   */
  readonly poolerImage?: ImageReference;
  /**
   * CPU per instance (requests = limits).
   * @default 4000
   */
  readonly cpuMillis?: number;
  /**
   * Memory per instance (requests = limits); shared_buffers, work_mem and the like follow from it.
   * @default 8192
   */
  readonly memoryMi?: number;
  /**
   * Data volume per instance.
   * @default 100
   */
  readonly storageGi?: number;
  /**
   * Separate WAL volume per instance, so WAL writes do not compete with data files and a full
   * data volume cannot stop WAL archiving; max_wal_size and max_slot_wal_keep_size follow from it.
   * @default 20
   */
  readonly walStorageGi?: number;
  /**
   * StorageClass of the data and WAL volumes; it should allow volume expansion.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Availability zones the instances and the pooler may run in and are spread over.
   * @default [] (any zone)
   */
  readonly zones?: readonly string[];
  /**
   * Refuse to schedule rather than break the spread over zones (and, for the pooler, nodes).
   * Instances always run on distinct nodes.
   * @default true
   */
  readonly strictTopologySpread?: boolean;
  /**
   * The application database, created by initdb (or recovered).
   * @default 'app'
   */
  readonly databaseName?: string;
  /**
   * Owner of the application database: the role that runs schema changes. Its password comes from
   * Vault (`<vaultPathPrefix>/postgres/owner`) through the `<name>-owner-credentials` Secret;
   * services never log in as it (see `connect()`).
   * @default 'app'
   */
  readonly databaseOwner?: string;
  /**
   * Longest time a committed transaction waits in a partly filled WAL segment before it is
   * archived: the bound on data lost when the whole cluster is lost. At most 240.
   * @default 60
   */
  readonly archiveTimeoutSeconds?: number;
  /**
   * When base backups run: a cron expression with a leading seconds field, in UTC.
   * @default '0 0 3 * * *' (03:00 every day)
   * @see https://cloudnative-pg.io/documentation/1.22/backup/#scheduled-backups
   */
  readonly backupSchedule?: string;
  /**
   * Days of base backups and WAL kept in the object store: how far back point-in-time recovery reaches.
   * @default 30
   */
  readonly backupRetentionDays?: number;
  /**
   * Folder below `backupDestinationPath` this cluster archives into. It must change on every
   * restore: CloudNativePG refuses to archive into a folder that already holds WAL.
   * @default - the cluster name
   */
  readonly backupServerName?: string;
  /**
   * Create the cluster from the object-store backups (point-in-time recovery) instead of initdb.
   * @default - a new, empty database (initdb)
   */
  readonly recovery?: PointInTimeRecovery;
  /**
   * Ports of the Kubernetes API server.
   * @default [443, 6443]
   */
  readonly kubernetesApiPorts?: readonly number[];
  /**
   * The CloudNativePG operator's pods, allowed to call the instance managers and PostgreSQL.
   * @default - pods labelled `app.kubernetes.io/name: cloudnative-pg` in namespace `cnpg-system`
   */
  readonly operator?: INetworkPeer;
  /**
   * PgBouncer pods.
   * @default 2 when `instances` >= 3, else 1
   */
  readonly poolerReplicas?: number;
  /**
   * CPU per PgBouncer pod (requests = limits).
   * @default 500
   */
  readonly poolerCpuMillis?: number;
  /**
   * Memory per PgBouncer pod (requests = limits).
   * @default 256
   */
  readonly poolerMemoryMi?: number;
  /**
   * Client connections each PgBouncer pod accepts.
   * @default 1000
   */
  readonly poolerMaxClientConnections?: number;
  /**
   * Server connections each PgBouncer pod keeps open per database and user; max_connections follows from it.
   * @default 20
   */
  readonly poolerDefaultPoolSize?: number;
  /**
   * PostgreSQL parameters on top of (and overriding) the derived ones. Operator-managed
   * parameters are rejected.
   * @default {}
   * @see https://cloudnative-pg.io/documentation/1.22/postgresql_conf/
   */
  readonly extraParameters?: Readonly<Record<string, string>>;
}
