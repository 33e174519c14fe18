import { ApiObject, JsonPatch, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  Cluster,
  ClusterSpecBackupBarmanObjectStoreDataCompression,
  ClusterSpecBackupBarmanObjectStoreWalCompression,
  ClusterSpecBackupTarget,
  ClusterSpecBootstrap,
  ClusterSpecManaged,
  ClusterSpecManagedRoles,
  ClusterSpecPrimaryUpdateMethod,
  ClusterSpecPrimaryUpdateStrategy,
  ClusterSpecResourcesLimits,
  ClusterSpecResourcesRequests,
  ScheduledBackup,
  ScheduledBackupSpecBackupOwnerReference,
  ScheduledBackupSpecMethod,
} from '../../imports/postgresql.cnpg.io';
import { ImageReference } from '../platform/image-reference';
import { VAULT_PATH } from '../platform/input-patterns';
import { selectorLabels, workloadLabels } from '../platform/labels';
import { NamespaceBaseline } from '../platform/namespace-baseline';
import { ClusterPeer, INetworkPeer } from '../platform/network-peer';
import { IWorkload, WorkloadFootprint } from '../platform/workload-footprint';
import { zoneNodeAffinity } from '../platform/zone-node-affinity';
import { CertificateLifetime, DEFAULT_CERTIFICATE_LIFETIME, ICertificateIssuer, TlsCertificate } from '../security/tls-certificate';
import { VaultSecret } from '../security/vault-secret';
import { imageReference } from '../platform/image-reference';
import { IStoreClient } from '../platform/store-client';
import { clientRole, readWriteGrantsSql, readWriteGroupHbaRules, readWriteGroupName, roleNameProblem } from './postgres/application-roles';
import { CnpgInstancePeer } from './postgres/cnpg-instance-peer';
import { PGBOUNCER_PORT, PgBouncerPooler } from './postgres/pgbouncer-pooler';
import { ACCESS_KEY_ID, ACCESS_SECRET_KEY, ObjectStoreLocation, PointInTimeRecovery } from './postgres/point-in-time-recovery';
import { OPERATOR_MANAGED_PARAMETERS, postgresParameters } from './postgres/postgres-parameters';
import { resourceMap } from './postgres/resource-quantities';
import { ipBlockPeers, isIpv4Cidr, TcpFlowPolicy } from './postgres/tcp-flow-policy';

/** PostgreSQL 15.4 in CloudNativePG's operand image; the tag is pinned, the digest is up to the caller. */
export const POSTGRES_IMAGE: ImageReference = { repository: 'ghcr.io/cloudnative-pg/postgresql', tag: '15.4' };
export const POSTGRES_PORT = 5432;
/** The instance manager's status endpoint, called by the operator and by the other instances. */
const INSTANCE_MANAGER_PORT = 8000;
/** The instance manager's Prometheus exporter. */
const POSTGRES_METRICS_PORT = 9187;
/**
 * Server connections beyond the pooler's: superuser_reserved_connections, the instance manager and
 * its exporter, base backups, and an operator's psql session during an incident.
 */
const DIRECT_CONNECTION_HEADROOM = 30;
/** Scratch space of the postgres container (its root filesystem is read-only; data and WAL are on volumes). */
const POSTGRES_EPHEMERAL_STORAGE_GI = 2;
/** Room archiving must leave for the upload: archive_timeout plus this stays under the 5-minute RPO. */
const MAX_ARCHIVE_TIMEOUT_SECONDS = 240;
/** Lifetime of the server certificate when the caller names none: 90 days, renewed 30 days before expiry. */
/**
 * PostgreSQL HBA rule placed before the operator's closing `host all all all scram-sha-256`: a TCP
 * connection without TLS is refused whoever it is. The operator's own rules before it are
 * `local` (unix socket) or `hostssl`, so the instance manager, replication and PgBouncer are unaffected.
 */
export const POSTGRES_REJECT_PLAINTEXT = 'hostnossl all all all reject';

/**
 * The label that makes CloudNativePG notice changes to a Secret it does not own (its Secret watch
 * filters on it), so that a rotated password reaches PostgreSQL without waiting for an unrelated
 * reconciliation.
 * @see https://cloudnative-pg.io/documentation/1.22/labels_annotations/
 */
const CNPG_RELOAD_LABEL = 'cnpg.io/reload';
/** Names a client may not take: `<cluster>-<name>-credentials` and `postgres/<name>` in Vault are the owner's and the backups'. */
const RESERVED_CLIENT_NAMES: ReadonlySet<string> = new Set(['owner', 'backup']);

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
   * @default POSTGRES_IMAGE (15.4, no digest)
   */
  readonly image?: ImageReference;
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

/**
 * PostgreSQL 15 on CloudNativePG 1.22, highly available from 3 instances: one synchronous standby
 * (a failover loses no commit), instances on distinct nodes and spread over zones, switchover
 * before the primary is updated, a separate WAL volume, continuous WAL archiving and daily base
 * backups to an S3-compatible object store, and a PgBouncer pooler that clients connect through.
 *
 * The operator creates and owns, by convention: the `<name>-ca` (client CA) and
 * `<name>-replication` certificate Secrets (certificate login of the standbys and of PgBouncer),
 * the `<name>-rw/-ro/-r` Services, the instance PodDisruptionBudgets and the PodMonitors. No
 * superuser Secret: superuser access is off. No `<name>-app` Secret either: the owner's password
 * comes from Vault.
 *
 * Database users: every password comes from Vault through a `kubernetes.io/basic-auth` VaultSecret
 * labelled `cnpg.io/reload`. The owner of the application database (`databaseOwner`) is created
 * by initdb from `<name>-owner-credentials`; it owns the schema and is for migrations only. Each
 * client `connect()`ed gets its own login role (`spec.managed.roles`), with no attribute beyond
 * LOGIN, member of the group `<database>_readwrite`, which may read and write, but not change or
 * drop, everything the owner creates (see `readWriteGrantsSql`); pg_hba keeps the group's members
 * in the application database. When a password changes in Vault, External Secrets updates the
 * Secret, the operator (watching labelled Secrets) runs `ALTER ROLE ... PASSWORD` on the primary,
 * and Reloader restarts the client's pods. Clients log in to PgBouncer, which looks their password
 * up through the operator's `cnpg_pooler_pgbouncer` auth user, as for any login role.
 *
 * TLS: the server certificate comes from `tlsIssuer` through cert-manager (`<name>-server-tls`,
 * the Cluster's `serverTLSSecret` and `serverCASecret`); it names the `-rw/-ro/-r` Services and
 * the pooler's, because PgBouncer presents the same certificate to clients. The operator fixes
 * TLS 1.3 as the only protocol of the instances (`ssl_min_protocol_version`); PgBouncer accepts
 * TLS 1.2 and 1.3 (its `client_tls_protocols = secure` default). Clients connect through the
 * pooler with `sslmode=verify-full`; plaintext TCP is refused by both PgBouncer and PostgreSQL.
 * The Secret carries `cnpg.io/reload`, so a renewed certificate is reloaded without a restart.
 *
 * Restore (disaster recovery or point-in-time recovery), with the archive that `backupServerName`
 * names:
 * 1. Choose the target: an instant before the damage (`targetTime`), or the end of the archive.
 * 2. Render the cluster with `recovery: PointInTimeRecovery.fromBackups({ sourceServerName:
 *    <current backupServerName>, targetTime })` and a new `backupServerName` (e.g. `<name>-r1`).
 * 3. The bootstrap of an existing Cluster cannot change: delete the damaged Cluster (its volumes
 *    go with it; the archive stays) and sync, or render the restored cluster under another id
 *    first and move the clients to it when it is ready.
 * 4. The operator restores the newest base backup before the target and replays archived WAL up to
 *    it, then promotes; the standbys are cloned from the new primary. `immediate` on the
 *    ScheduledBackup takes a first base backup into the new folder at once.
 * 5. Keep `recovery` and the new `backupServerName` afterwards: the bootstrap only acts at
 *    creation, and the next restore reads from the new folder.
 * @see https://cloudnative-pg.io/documentation/1.22/recovery/
 */
export class PostgresCluster extends Construct implements IWorkload {
  public readonly name: string;
  public readonly namespaceName: string;
  public readonly footprint: WorkloadFootprint;
  /** The PgBouncer pooler clients connect through. */
  public readonly pooler: PgBouncerPooler;
  public readonly databaseName: string;
  /** The max_connections the instances run with. */
  public readonly maxConnections: number;
  /** The cert-manager Secret of the server certificate; clients trust its `ca.crt`, never read its key. */
  public readonly tlsSecretName: string;
  private readonly labels: Record<string, string>;
  private readonly vaultPathPrefix: string;
  private readonly databaseOwner: string;
  /** `spec.managed.roles`: one login role per connected client, in the order they connected. */
  private readonly clientRoles: ClusterSpecManagedRoles[] = [];

  public constructor(scope: Construct, id: string, props: PostgresClusterProps) {
    super(scope, id);
    validateProps(id, props);
    this.name = id;
    this.namespaceName = props.namespace.namespaceName;
    this.databaseName = props.databaseName ?? 'app';
    this.vaultPathPrefix = props.vaultPathPrefix;
    this.tlsSecretName = `${id}-server-tls`;
    this.labels = workloadLabels(id, 'database');

    const highlyAvailable = props.instances >= 3;
    const zones = props.zones ?? [];
    const strictTopologySpread = props.strictTopologySpread ?? true;
    const resources = {
      cpuMillis: props.cpuMillis ?? 4000,
      memoryMi: props.memoryMi ?? 8192,
      ephemeralStorageGi: POSTGRES_EPHEMERAL_STORAGE_GI,
    };
    const storageGi = props.storageGi ?? 100;
    const walStorageGi = props.walStorageGi ?? 20;
    const backupServerName = props.backupServerName ?? id;
    const kubernetesApiPorts = props.kubernetesApiPorts ?? [443, 6443];
    const operator = props.operator ?? new ClusterPeer('cnpg-operator', 'cnpg-system', { 'app.kubernetes.io/name': 'cloudnative-pg' });
    const instances = new CnpgInstancePeer(id, this.namespaceName);

    this.pooler = new PgBouncerPooler(this, 'Pooler', {
      name: `${id}-pooler`,
      namespaceName: this.namespaceName,
      instances,
      clusterName: id,
      replicas: props.poolerReplicas ?? (highlyAvailable ? 2 : 1),
      cpuMillis: props.poolerCpuMillis ?? 500,
      memoryMi: props.poolerMemoryMi ?? 256,
      maxClientConnections: props.poolerMaxClientConnections ?? 1000,
      defaultPoolSize: props.poolerDefaultPoolSize ?? 20,
      metricsScraper: props.metricsScraper,
      kubernetesApiCidrs: props.kubernetesApiCidrs,
      kubernetesApiPorts,
      zones,
      strictTopologySpread,
    });
    // Every pooler pod, the one a rolling update adds included, may fill its server pool at once.
    this.maxConnections = this.pooler.maxPods * this.pooler.serverConnectionsPerPod + DIRECT_CONNECTION_HEADROOM;

    this.databaseOwner = props.databaseOwner ?? 'app';
    const ownerCredentials = VaultSecret.basicAuth(this, 'OwnerCredentials', {
      namespace: this.namespaceName,
      secretName: `${id}-owner-credentials`,
      vaultPath: `${props.vaultPathPrefix}/postgres/owner`,
      username: this.databaseOwner,
      secretLabels: { [CNPG_RELOAD_LABEL]: 'true' },
    });

    const credentials = new VaultSecret(this, 'BackupCredentials', {
      namespace: this.namespaceName,
      secretName: `${id}-backup-credentials`,
      vaultPath: props.backupCredentialsVaultPath,
      keys: [ACCESS_KEY_ID, ACCESS_SECRET_KEY],
    });
    const objectStore: ObjectStoreLocation = {
      destinationPath: props.backupDestinationPath,
      endpointUrl: props.backupEndpointUrl,
      credentialsSecretName: credentials.secretName,
    };

    const lifetime = props.tlsCertificateLifetime ?? DEFAULT_CERTIFICATE_LIFETIME;
    const serverCertificate = new TlsCertificate(this, 'ServerCertificate', {
      namespace: this.namespaceName,
      secretName: this.tlsSecretName,
      // The pooler first: its Service is the name clients verify.
      dnsNames: [this.pooler.name, `${id}-rw`, `${id}-ro`, `${id}-r`].flatMap((service) => serviceNames(service, this.namespaceName)),
      issuer: props.tlsIssuer,
      durationHours: lifetime.durationHours,
      renewBeforeHours: lifetime.renewBeforeHours,
    });
    // CloudNativePG reloads a user-provided certificate Secret only when it carries this label.
    ApiObject.of(serverCertificate.node.defaultChild as Construct).addJsonPatch(JsonPatch.add('/spec/secretTemplate/labels/cnpg.io~1reload', ''));

    const instanceSelector = { 'cnpg.io/cluster': id, 'cnpg.io/podRole': 'instance' };
    new Cluster(this, 'Resource', {
      metadata: { name: id, namespace: this.namespaceName, labels: this.labels },
      spec: {
        instances: props.instances,
        imageName: imageReference(props.image ?? POSTGRES_IMAGE),
        // Synchronous replication: every commit waits until one standby has flushed it. Writes
        // stop rather than continue unprotected when no standby is left (minSyncReplicas: 1).
        minSyncReplicas: highlyAvailable ? 1 : undefined,
        maxSyncReplicas: highlyAvailable ? 1 : undefined,
        replicationSlots: { highAvailability: { enabled: true } },
        // Updates roll through the standbys, then switch over to an updated standby instead of
        // restarting the primary in place.
        primaryUpdateStrategy: ClusterSpecPrimaryUpdateStrategy.UNSUPERVISED,
        primaryUpdateMethod: ClusterSpecPrimaryUpdateMethod.SWITCHOVER,
        enableSuperuserAccess: false,
        // cert-manager's Secret holds tls.crt and tls.key (serverTLSSecret) and ca.crt (serverCASecret).
        certificates: { serverTlsSecret: this.tlsSecretName, serverCaSecret: this.tlsSecretName },
        // The operator copies these onto the pods, volumes and Services it creates; managed-by
        // is left out, as the operator, not cdk8s, manages those.
        inheritedMetadata: { labels: { ...selectorLabels(id), 'app.kubernetes.io/component': 'database' } },
        postgresql: {
          parameters: {
            ...postgresParameters({
              memoryMi: resources.memoryMi,
              maxConnections: this.maxConnections,
              walStorageGi,
              archiveTimeoutSeconds: props.archiveTimeoutSeconds ?? 60,
            }),
            ...props.extraParameters,
          },
          pgHba: [POSTGRES_REJECT_PLAINTEXT, ...readWriteGroupHbaRules(this.databaseName)],
        },
        bootstrap: props.recovery
          ? props.recovery.bootstrap(this.databaseName, this.databaseOwner, ownerCredentials.secretName)
          : initdb(this.databaseName, this.databaseOwner, ownerCredentials.secretName),
        // Resolved at synth time: connect() adds the clients' roles after construction.
        managed: Lazy.any({ produce: (): ClusterSpecManaged | undefined => (this.clientRoles.length > 0 ? { roles: [...this.clientRoles] } : undefined) }),
        externalClusters: props.recovery?.externalClusters(id, objectStore),
        storage: { size: `${storageGi}Gi`, storageClass: props.storageClass, resizeInUseVolumes: true },
        walStorage: { size: `${walStorageGi}Gi`, storageClass: props.storageClass, resizeInUseVolumes: true },
        resources: {
          requests: resourceMap(resources, ClusterSpecResourcesRequests.fromString),
          limits: resourceMap(resources, ClusterSpecResourcesLimits.fromString),
        },
        affinity: {
          // The operator's own term selects on cnpg.io/cluster alone, which 1.22 also puts on the
          // Pooler's pods (fixed in 1.24): as `required` it would keep instances and PgBouncer off
          // each other's nodes. So the operator's term is only preferred, and the required one
          // below selects instances alone.
          enablePodAntiAffinity: true,
          podAntiAffinityType: 'preferred',
          topologyKey: 'kubernetes.io/hostname',
          additionalPodAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: instanceSelector } }],
          },
          nodeAffinity: zoneNodeAffinity(zones),
        },
        topologySpreadConstraints: [
          {
            topologyKey: 'topology.kubernetes.io/zone',
            maxSkew: 1,
            whenUnsatisfiable: strictTopologySpread ? 'DoNotSchedule' : 'ScheduleAnyway',
            labelSelector: { matchLabels: instanceSelector },
          },
        ],
        monitoring: { enablePodMonitor: true },
        backup: {
          barmanObjectStore: {
            destinationPath: objectStore.destinationPath,
            endpointUrl: objectStore.endpointUrl,
            serverName: backupServerName,
            s3Credentials: {
              accessKeyId: { name: credentials.secretName, key: ACCESS_KEY_ID },
              secretAccessKey: { name: credentials.secretName, key: ACCESS_SECRET_KEY },
            },
            // Parallel uploads keep archiving ahead of bursts of WAL.
            wal: { compression: ClusterSpecBackupBarmanObjectStoreWalCompression.GZIP, maxParallel: 4 },
            data: { compression: ClusterSpecBackupBarmanObjectStoreDataCompression.GZIP, jobs: 2 },
          },
          retentionPolicy: `${props.backupRetentionDays ?? 30}d`,
          // Base backups read from a standby, sparing the primary's disk and CPU.
          target: ClusterSpecBackupTarget.PREFER_HYPHEN_STANDBY,
        },
      },
    });

    new ScheduledBackup(this, 'ScheduledBackup', {
      metadata: { name: `${id}-base-backup`, namespace: this.namespaceName, labels: this.labels },
      spec: {
        cluster: { name: id },
        schedule: props.backupSchedule ?? '0 0 3 * * *',
        method: ScheduledBackupSpecMethod.BARMAN_OBJECT_STORE,
        // A new cluster (or a restored one, archiving into a new folder) gets a base backup at once.
        immediate: true,
        backupOwnerReference: ScheduledBackupSpecBackupOwnerReference.SELF,
      },
    });

    // Pods that can run at once: the instances plus one bootstrap, join or recovery Job (or a
    // replacement instance whose volumes exist before the old ones are removed).
    const maxPods = props.instances + 1;
    this.footprint = {
      maxPods,
      podCpuMillis: resources.cpuMillis,
      podMemoryMi: resources.memoryMi,
      podEphemeralStorageGi: POSTGRES_EPHEMERAL_STORAGE_GI,
      podClaimStorageGi: storageGi + walStorageGi,
      podClaimCount: 2,
      // The bootstrap-controller init container gets the same resources as postgres.
      largestContainerCpuMillis: resources.cpuMillis,
      largestContainerMemoryMi: resources.memoryMi,
      largestClaimGi: Math.max(storageGi, walStorageGi),
    };
    props.namespace.addWorkload(this);
    props.namespace.addWorkload(this.pooler);

    const policy = (policyId: string, purpose: string, flow: { ingressFrom?: k8s.NetworkPolicyPeer[]; egressTo?: k8s.NetworkPolicyPeer[]; ports: readonly number[] }) =>
      new TcpFlowPolicy(this, policyId, { name: `${id}-allow-${purpose}`, namespace: this.namespaceName, labels: this.labels, podSelector: instances.selector, ...flow });
    const ns = this.namespaceName;
    policy('AllowFromPooler', `from-${this.pooler.peerName}`, { ingressFrom: [this.pooler.toNetworkPolicyPeer(ns)], ports: [POSTGRES_PORT] });
    // Streaming replication, cloning (join Jobs) and the instance managers' status calls to each other.
    policy('AllowInstanceTraffic', 'instance-traffic', {
      ingressFrom: [instances.toNetworkPolicyPeer(ns)],
      egressTo: [instances.toNetworkPolicyPeer(ns)],
      ports: [POSTGRES_PORT, INSTANCE_MANAGER_PORT],
    });
    policy('AllowFromOperator', `from-${operator.peerName}`, { ingressFrom: [operator.toNetworkPolicyPeer(ns)], ports: [INSTANCE_MANAGER_PORT, POSTGRES_PORT] });
    policy('AllowMetricsScrape', 'metrics-scrape', { ingressFrom: [props.metricsScraper.toNetworkPolicyPeer(ns)], ports: [POSTGRES_METRICS_PORT] });
    policy('AllowEgressToObjectStore', 'egress-to-object-store', {
      egressTo: ipBlockPeers(props.objectStoreEgressCidrs),
      ports: [httpsPort(props.backupEndpointUrl)],
    });
    policy('AllowEgressToKubernetesApi', 'egress-to-kubernetes-api', { egressTo: ipBlockPeers(props.kubernetesApiCidrs), ports: kubernetesApiPorts });
  }

  /**
   * Lets `client` connect through the pooler: PgBouncer's ingress from the client, and the
   * client's egress to PgBouncer.
   */
  public allowFrom(client: IStoreClient): void {
    this.pooler.allowClient(client);
    client.allowEgressTo(this.pooler, [PGBOUNCER_PORT]);
  }

  /**
   * Gives `client` its own database role and connects it through the pooler: the role (see
   * `spec.managed.roles`) with its password from Vault at `<vaultPathPrefix>/postgres/<client>`
   * through the `<name>-<client>-credentials` Secret, `allowFrom(client)`, the CA mounted into
   * the client, and the libpq environment: the pooler's address, the database, `PGUSER` and
   * `PGPASSWORD` by reference to that Secret, and TLS with `verify-full` against the CA (the
   * pooler presents the server certificate, which names the pooler's Service).
   */
  public connect(client: IStoreClient): void {
    const credentials = this.addClientRole(client);
    this.allowFrom(client);
    const rootCertPath = client.trustCertificateAuthority(this.tlsSecretName);
    client.addEnvironment(
      { name: 'PGHOST', value: this.pooler.serviceHost },
      { name: 'PGPORT', value: String(PGBOUNCER_PORT) },
      { name: 'PGDATABASE', value: this.databaseName },
      { name: 'PGUSER', valueFrom: credentials.envValue('username') },
      { name: 'PGPASSWORD', valueFrom: credentials.envValue('password') },
      { name: 'PGSSLMODE', value: 'verify-full' },
      { name: 'PGSSLROOTCERT', value: rootCertPath },
    );
  }

  /** Declares `client`'s login role and the Secret its password comes from. */
  private addClientRole(client: IStoreClient): VaultSecret {
    const roleName = client.name.replace(/-/g, '_');
    const fail = (problem: string): never => {
      throw new Error(`PostgresCluster ${this.name}: client ${JSON.stringify(client.name)} cannot connect: ${problem}`);
    };
    if (RESERVED_CLIENT_NAMES.has(client.name)) {
      fail(`${[...RESERVED_CLIENT_NAMES].join(' and ')} name the owner's and the backups' credentials; give the client another name`);
    }
    const invalid = roleNameProblem(roleName);
    if (invalid !== undefined) {
      fail(`its role name would be ${JSON.stringify(roleName)}; ${invalid}`);
    }
    if ([this.databaseOwner, readWriteGroupName(this.databaseName)].includes(roleName)) {
      fail(`its role name ${JSON.stringify(roleName)} is the database owner's or the read-write group's; give the client another name`);
    }
    if (this.clientRoles.some((role) => role.name === roleName)) {
      fail(`it is already connected (role ${JSON.stringify(roleName)}); connect each client once`);
    }
    const credentials = VaultSecret.basicAuth(new Construct(this, `Client-${client.name}`), 'Credentials', {
      namespace: this.namespaceName,
      secretName: `${this.name}-${client.name}-credentials`,
      vaultPath: `${this.vaultPathPrefix}/postgres/${client.name}`,
      username: roleName,
      secretLabels: { [CNPG_RELOAD_LABEL]: 'true' },
    });
    this.clientRoles.push(clientRole({
      name: roleName,
      database: this.databaseName,
      passwordSecretName: credentials.secretName,
      // What the pooler can open for one user at most: the role never needs more, and it can
      // never take the headroom that the operator, the exporter and backups need.
      connectionLimit: this.pooler.maxPods * this.pooler.serverConnectionsPerPod,
    }));
    return credentials;
  }
}

/**
 * An empty cluster with the application database, owned by `owner` with the password of
 * `ownerSecretName`, and the clients' read-write group with its grants in place before the first
 * object exists. Collation `C`: indexes then never depend on the image's glibc version, whose
 * collation changes corrupt text indexes on an image update. Checksums make storage corruption
 * visible instead of silent.
 */
function initdb(database: string, owner: string, ownerSecretName: string): ClusterSpecBootstrap {
  return {
    initdb: {
      database,
      owner,
      secret: { name: ownerSecretName },
      encoding: 'UTF8',
      localeCollate: 'C',
      localeCType: 'C',
      dataChecksums: true,
      postInitApplicationSql: readWriteGrantsSql(database, owner),
    },
  };
}

/** A Service's names, short to fully qualified. */
function serviceNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

function httpsPort(endpointUrl: string): number {
  const url = new URL(endpointUrl);
  return url.port === '' ? 443 : Number(url.port);
}

function validateProps(id: string, props: PostgresClusterProps): void {
  const fail = (field: string, value: unknown, fix: string): never => {
    throw new Error(`PostgresCluster ${id}: ${field} is ${JSON.stringify(value)}; ${fix}`);
  };
  const wholeNumber = (field: string, value: number | undefined, min: number, max: number, unit: string) => {
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      fail(field, value, `use a whole number of ${unit} from ${min} to ${max}`);
    }
  };
  if (!/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/.test(id)) {
    fail('the construct id (used as the cluster name)', id, 'use a lower-case DNS label of at most 40 characters');
  }
  if (!Number.isInteger(props.instances) || props.instances < 1 || props.instances === 2 || props.instances > 9) {
    fail('instances', props.instances, 'use 1 (no high availability) or 3 to 9: with 2, a failover leaves no standby to replicate synchronously to');
  }
  const image = props.image ?? POSTGRES_IMAGE;
  if (!/^15(\.\d+)?$/.test(image.tag)) {
    fail('image.tag', image.tag, 'use a PostgreSQL 15 tag such as 15.4: the parameters are for 15, and a major upgrade is a separate procedure');
  }
  if (image.digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(image.digest)) {
    fail('image.digest', image.digest, 'use sha256:<64 hex digits>');
  }
  wholeNumber('cpuMillis', props.cpuMillis, 500, 64000, 'millicores');
  wholeNumber('memoryMi', props.memoryMi, 1024, 262144, 'MiB');
  wholeNumber('storageGi', props.storageGi, 1, 65536, 'GiB');
  wholeNumber('walStorageGi', props.walStorageGi, 2, 4096, 'GiB');
  wholeNumber('archiveTimeoutSeconds', props.archiveTimeoutSeconds, 10, MAX_ARCHIVE_TIMEOUT_SECONDS, 'seconds (the upload must fit in the rest of the 5-minute RPO)');
  wholeNumber('backupRetentionDays', props.backupRetentionDays, 1, 3650, 'days');
  wholeNumber('poolerCpuMillis', props.poolerCpuMillis, 100, 16000, 'millicores');
  wholeNumber('poolerMemoryMi', props.poolerMemoryMi, 64, 16384, 'MiB');
  wholeNumber('poolerMaxClientConnections', props.poolerMaxClientConnections, 10, 100000, 'connections');
  wholeNumber('poolerDefaultPoolSize', props.poolerDefaultPoolSize, 1, 500, 'connections');
  wholeNumber('poolerReplicas', props.poolerReplicas, 1, 20, 'pods');
  if (props.instances >= 3 && props.poolerReplicas !== undefined && props.poolerReplicas < 2) {
    fail('poolerReplicas', props.poolerReplicas, 'use at least 2 for a highly available cluster, or the pooler is its single point of failure');
  }
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[-a-zA-Z0-9._/]*)?$/.test(props.backupDestinationPath)) {
    fail('backupDestinationPath', props.backupDestinationPath, 'use s3://<bucket>/<path>, e.g. s3://acme-backups/production/postgres');
  }
  if (!/^https:\/\/[^\s/:]+(:\d{1,5})?(\/\S*)?$/.test(props.backupEndpointUrl)) {
    fail('backupEndpointUrl', props.backupEndpointUrl, 'use the HTTPS endpoint of the object store, e.g. https://s3.eu-west-1.amazonaws.com (credentials never travel in clear)');
  }
  if (props.backupServerName !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.backupServerName)) {
    fail('backupServerName', props.backupServerName, 'use a lower-case DNS label, e.g. the cluster name with a restore suffix');
  }
  if (props.recovery && props.recovery.sourceFolder(id) === (props.backupServerName ?? id)) {
    fail('backupServerName', props.backupServerName ?? id, `restoring from that folder, archive into a new one (e.g. ${id}-r1): CloudNativePG will not archive over existing WAL`);
  }
  if (props.backupSchedule !== undefined && props.backupSchedule.trim().split(/\s+/).length !== 6) {
    fail('backupSchedule', props.backupSchedule, 'use six cron fields, seconds first, e.g. "0 0 3 * * *"');
  }
  for (const [field, cidrs] of [['kubernetesApiCidrs', props.kubernetesApiCidrs], ['objectStoreEgressCidrs', props.objectStoreEgressCidrs]] as const) {
    if (cidrs.length === 0 || !cidrs.every(isIpv4Cidr)) {
      fail(field, cidrs, 'list one or more IPv4 CIDRs such as 10.0.0.1/32');
    }
    if (cidrs.some((cidr) => cidr.endsWith('/0'))) {
      fail(field, cidrs, 'list the destination\'s own ranges (e.g. the provider\'s published ones), never a /0 that opens the whole internet and the cluster\'s networks');
    }
  }
  if (props.kubernetesApiPorts !== undefined && (props.kubernetesApiPorts.length === 0 || !props.kubernetesApiPorts.every((port) => Number.isInteger(port) && port >= 1 && port <= 65535))) {
    fail('kubernetesApiPorts', props.kubernetesApiPorts, 'list one or more ports from 1 to 65535');
  }
  for (const [field, value] of [['databaseName', props.databaseName], ['databaseOwner', props.databaseOwner]] as const) {
    if (value !== undefined && (roleNameProblem(value) !== undefined || ['template0', 'template1'].includes(value))) {
      fail(field, value, 'use a lower-case SQL identifier that PostgreSQL and the operator do not reserve, e.g. app');
    }
  }
  const group = readWriteGroupName(props.databaseName ?? 'app');
  if (roleNameProblem(group) !== undefined) {
    fail('databaseName', props.databaseName, `use at most ${63 - '_readwrite'.length} characters: the clients' group role ${group} must fit PostgreSQL's 63-character names`);
  }
  if (props.databaseOwner === group) {
    fail('databaseOwner', props.databaseOwner, 'use another name: it is the clients\' read-write group, and the owner must stay outside it');
  }
  if (!VAULT_PATH.test(props.vaultPathPrefix)) {
    fail('vaultPathPrefix', props.vaultPathPrefix, 'use a KV path such as generator-platform/production');
  }
  for (const name of Object.keys(props.extraParameters ?? {})) {
    if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(name)) {
      fail('the name of an extraParameters entry', name, 'use a PostgreSQL parameter name such as statement_timeout');
    }
    if (OPERATOR_MANAGED_PARAMETERS.has(name)) {
      fail('an extraParameters entry', name, 'leave it out: CloudNativePG manages it (see its fixed parameters); use the matching Cluster setting instead');
    }
  }
}
