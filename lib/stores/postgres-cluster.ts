import { ApiObject, JsonPatch, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Cluster, ClusterSpecManaged, ClusterSpecManagedRoles, ScheduledBackup } from '../../imports/postgresql.cnpg.io';
import { workloadLabels } from '../platform/labels';
import { ClusterPeer } from '../platform/network-peer';
import { IStoreClient } from '../platform/store-client';
import { IWorkload, WorkloadFootprint } from '../platform/workload-footprint';
import { CaBundle } from '../security/ca-bundle';
import { DEFAULT_CERTIFICATE_LIFETIME, TlsCertificate } from '../security/tls-certificate';
import { VaultSecret } from '../security/vault-secret';
import { clientRole, readWriteGroupName, roleNameProblem } from './postgres/application-roles';
import { DEFAULT_BACKUP_RETENTION_DAYS, DEFAULT_BACKUP_SCHEDULE, objectStoreBackup, scheduledBaseBackupSpec } from './postgres/base-backups';
import { cnpgClusterSpec, initdb } from './postgres/cluster-spec';
import { CnpgInstancePeer } from './postgres/cnpg-instance-peer';
import { addInstanceNetworkPolicies } from './postgres/instance-network-policies';
import { PGBOUNCER_PORT, PgBouncerPooler } from './postgres/pgbouncer-pooler';
import { ACCESS_KEY_ID, ACCESS_SECRET_KEY, ENDPOINT_CA_KEY, ObjectStoreLocation } from './postgres/point-in-time-recovery';
import { POSTGRES_IMAGE, PostgresClusterProps } from './postgres/postgres-cluster-props';
import { ContainerResources } from './postgres/resource-quantities';
import { validatePostgresClusterProps } from './postgres/validate-postgres-cluster-props';

export { POSTGRES_REJECT_PLAINTEXT } from './postgres/cluster-spec';
export { POSTGRES_PORT } from './postgres/instance-network-policies';
export { POSTGRES_IMAGE } from './postgres/postgres-cluster-props';
export { PGBOUNCER_IMAGE } from './postgres/pgbouncer-pooler';
export type { PostgresClusterProps } from './postgres/postgres-cluster-props';

/**
 * Server connections beyond the pooler's: superuser_reserved_connections, the instance manager and
 * its exporter, base backups, and an operator's psql session during an incident.
 */
const DIRECT_CONNECTION_HEADROOM = 30;
/** Scratch space of the postgres container (its root filesystem is read-only; data and WAL are on volumes). */
const POSTGRES_EPHEMERAL_STORAGE_GI = 2;

/**
 * The label that makes CloudNativePG notice changes to a Secret it does not own (its Secret watch
 * filters on it), so that a rotated password reaches PostgreSQL without waiting for an unrelated
 * reconciliation.
 * @see https://cloudnative-pg.io/documentation/1.22/labels_annotations/
 */
const CNPG_RELOAD_LABEL = 'cnpg.io/reload';
/** Names a client may not take: `<cluster>-<name>-credentials` and `postgres/<name>` in Vault are the owner's and the backups'. */
const RESERVED_CLIENT_NAMES: ReadonlySet<string> = new Set(['owner', 'backup']);

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
    validatePostgresClusterProps(id, props);
    this.name = id;
    this.namespaceName = props.namespace.namespaceName;
    this.databaseName = props.databaseName ?? 'app';
    this.databaseOwner = props.databaseOwner ?? 'app';
    this.vaultPathPrefix = props.vaultPathPrefix;
    this.tlsSecretName = `${id}-server-tls`;
    this.labels = workloadLabels(id, 'database');

    const highlyAvailable = props.instances >= 3;
    const zones = props.zones ?? [];
    const strictTopologySpread = props.strictTopologySpread ?? true;
    const resources = { cpuMillis: props.cpuMillis ?? 4000, memoryMi: props.memoryMi ?? 8192, ephemeralStorageGi: POSTGRES_EPHEMERAL_STORAGE_GI };
    const storageGi = props.storageGi ?? 100;
    const walStorageGi = props.walStorageGi ?? 20;
    const kubernetesApiPorts = props.kubernetesApiPorts ?? [443, 6443];
    const instances = new CnpgInstancePeer(id, this.namespaceName);

    this.pooler = new PgBouncerPooler(this, 'Pooler', {
      name: `${id}-pooler`,
      namespaceName: this.namespaceName,
      instances,
      clusterName: id,
      image: props.poolerImage,
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

    const ownerCredentials = VaultSecret.basicAuth(this, 'OwnerCredentials', {
      namespace: this.namespaceName,
      secretName: `${id}-owner-credentials`,
      vaultPath: `${props.vaultPathPrefix}/postgres/owner`,
      username: this.databaseOwner,
      secretLabels: { [CNPG_RELOAD_LABEL]: 'true' },
    });
    const backupCredentials = new VaultSecret(this, 'BackupCredentials', {
      namespace: this.namespaceName,
      secretName: `${id}-backup-credentials`,
      vaultPath: props.backupCredentialsVaultPath,
      keys: [ACCESS_KEY_ID, ACCESS_SECRET_KEY],
    });
    const objectStore: ObjectStoreLocation = {
      destinationPath: props.backupDestinationPath,
      endpointUrl: props.backupEndpointUrl,
      credentialsSecretName: backupCredentials.secretName,
      endpointCaSecretName: props.backupEndpointCaBundle ? this.addBackupEndpointCa(props.backupEndpointCaBundle) : undefined,
    };
    this.addServerCertificate(props);

    new Cluster(this, 'Resource', {
      metadata: { name: id, namespace: this.namespaceName, labels: this.labels },
      spec: cnpgClusterSpec({
        clusterName: id,
        instances: props.instances,
        image: props.image ?? POSTGRES_IMAGE,
        tlsSecretName: this.tlsSecretName,
        resources,
        maxConnections: this.maxConnections,
        storageGi,
        walStorageGi,
        storageClass: props.storageClass,
        archiveTimeoutSeconds: props.archiveTimeoutSeconds ?? 60,
        extraParameters: props.extraParameters,
        databaseName: this.databaseName,
        bootstrap: props.recovery
          ? props.recovery.bootstrap(this.databaseName, this.databaseOwner, ownerCredentials.secretName)
          : initdb(this.databaseName, this.databaseOwner, ownerCredentials.secretName),
        // Resolved at synth time: connect() adds the clients' roles after construction.
        managed: Lazy.any({ produce: (): ClusterSpecManaged | undefined => (this.clientRoles.length > 0 ? { roles: [...this.clientRoles] } : undefined) }),
        externalClusters: props.recovery?.externalClusters(id, objectStore),
        zones,
        strictTopologySpread,
        backup: objectStoreBackup({ store: objectStore, serverName: props.backupServerName ?? id, retentionDays: props.backupRetentionDays ?? DEFAULT_BACKUP_RETENTION_DAYS }),
      }),
    });
    new ScheduledBackup(this, 'ScheduledBackup', {
      metadata: { name: `${id}-base-backup`, namespace: this.namespaceName, labels: this.labels },
      spec: scheduledBaseBackupSpec(id, props.backupSchedule ?? DEFAULT_BACKUP_SCHEDULE),
    });

    this.footprint = instanceFootprint(props.instances, resources, storageGi, walStorageGi);
    props.namespace.addWorkload(this);
    props.namespace.addWorkload(this.pooler);

    addInstanceNetworkPolicies(this, {
      clusterName: id,
      namespace: this.namespaceName,
      labels: this.labels,
      instances,
      pooler: this.pooler,
      operator: props.operator ?? new ClusterPeer('cnpg-operator', 'cnpg-system', { 'app.kubernetes.io/name': 'cloudnative-pg' }),
      metricsScraper: props.metricsScraper,
      objectStoreEndpointUrl: props.backupEndpointUrl,
      objectStoreEgressCidrs: props.objectStoreEgressCidrs,
      kubernetesApiCidrs: props.kubernetesApiCidrs,
      kubernetesApiPorts,
    });
  }

  /**
   * The Secret Barman's `endpointCA` names: a CA certificate is public, so it is rendered here
   * rather than kept in Vault (the gate's PLATFORM-SECRET-DATA admits CA certificates only).
   */
  private addBackupEndpointCa(bundle: CaBundle): string {
    const name = `${this.node.id}-backup-endpoint-ca`;
    new k8s.KubeSecret(this, 'BackupEndpointCa', {
      metadata: { name, namespace: this.namespaceName, labels: this.labels },
      data: { [ENDPOINT_CA_KEY]: bundle.base64 },
    });
    return name;
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
  /**
   * The server certificate PostgreSQL and PgBouncer present, from `tlsIssuer`; it names the
   * `-rw/-ro/-r` Services and the pooler's.
   */
  private addServerCertificate(props: PostgresClusterProps): void {
    const lifetime = props.tlsCertificateLifetime ?? DEFAULT_CERTIFICATE_LIFETIME;
    const serverCertificate = new TlsCertificate(this, 'ServerCertificate', {
      namespace: this.namespaceName,
      secretName: this.tlsSecretName,
      // The pooler first: its Service is the name clients verify.
      dnsNames: [this.pooler.name, `${this.name}-rw`, `${this.name}-ro`, `${this.name}-r`].flatMap((service) => serviceNames(service, this.namespaceName)),
      issuer: props.tlsIssuer,
      durationHours: lifetime.durationHours,
      renewBeforeHours: lifetime.renewBeforeHours,
    });
    // CloudNativePG reloads a user-provided certificate Secret only when it carries this label.
    ApiObject.of(serverCertificate.node.defaultChild as Construct).addJsonPatch(JsonPatch.add('/spec/secretTemplate/labels/cnpg.io~1reload', ''));
  }
}

/** A Service's names, short to fully qualified. */
function serviceNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

/**
 * What the instances take from the namespace's quota. Pods that can run at once: the instances
 * plus one bootstrap, join or recovery Job (or a replacement instance whose volumes exist before
 * the old ones are removed).
 */
function instanceFootprint(instances: number, resources: ContainerResources, storageGi: number, walStorageGi: number): WorkloadFootprint {
  return {
    maxPods: instances + 1,
    podCpuMillis: resources.cpuMillis,
    podMemoryMi: resources.memoryMi,
    podEphemeralStorageGi: resources.ephemeralStorageGi,
    podClaimStorageGi: storageGi + walStorageGi,
    podClaimCount: 2,
    // The bootstrap-controller init container gets the same resources as postgres.
    largestContainerCpuMillis: resources.cpuMillis,
    largestContainerMemoryMi: resources.memoryMi,
    largestClaimGi: Math.max(storageGi, walStorageGi),
  };
}
