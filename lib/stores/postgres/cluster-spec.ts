import {
  ClusterSpec,
  ClusterSpecBackup,
  ClusterSpecBootstrap,
  ClusterSpecExternalClusters,
  ClusterSpecManaged,
  ClusterSpecPrimaryUpdateMethod,
  ClusterSpecPrimaryUpdateStrategy,
  ClusterSpecResourcesLimits,
  ClusterSpecResourcesRequests,
} from '../../../imports/postgresql.cnpg.io';
import { ImageReference, imageReference } from '../../platform/image-reference';
import { selectorLabels } from '../../platform/labels';
import { zoneNodeAffinity } from '../../platform/zone-node-affinity';
import { readWriteGrantsSql, readWriteGroupHbaRules } from './application-roles';
import { postgresParameters } from './postgres-parameters';
import { ContainerResources, resourceMap } from './resource-quantities';

/**
 * PostgreSQL HBA rule placed before the operator's closing `host all all all scram-sha-256`: a TCP
 * connection without TLS is refused whoever it is. The operator's own rules before it are
 * `local` (unix socket) or `hostssl`, so the instance manager, replication and PgBouncer are unaffected.
 */
export const POSTGRES_REJECT_PLAINTEXT = 'hostnossl all all all reject';

/** Everything `cnpgClusterSpec` renders, resolved: no defaults are applied here. */
export interface CnpgClusterSpecOptions {
  /** Name of the Cluster; the operator labels its pods `cnpg.io/cluster: <name>`. */
  readonly clusterName: string;
  readonly instances: number;
  readonly image: ImageReference;
  /** cert-manager's Secret of the server certificate (tls.crt, tls.key and ca.crt). */
  readonly tlsSecretName: string;
  readonly resources: ContainerResources;
  readonly maxConnections: number;
  readonly storageGi: number;
  readonly walStorageGi: number;
  /** StorageClass of the data and WAL volumes; undefined for the cluster's default. */
  readonly storageClass: string | undefined;
  readonly archiveTimeoutSeconds: number;
  /** Parameters on top of (and overriding) the derived ones. */
  readonly extraParameters: Readonly<Record<string, string>> | undefined;
  /** The application database, to which pg_hba confines the clients. */
  readonly databaseName: string;
  /** initdb, or recovery from the object store. */
  readonly bootstrap: ClusterSpecBootstrap;
  /** The clients' login roles, resolved at synth time (clients connect after construction). */
  readonly managed: ClusterSpecManaged | undefined;
  /** The lost cluster a recovery reads from; undefined for a new cluster. */
  readonly externalClusters: ClusterSpecExternalClusters[] | undefined;
  readonly zones: readonly string[];
  /** Refuse to schedule rather than break the spread over zones. */
  readonly strictTopologySpread: boolean;
  readonly backup: ClusterSpecBackup;
}

/**
 * The CloudNativePG Cluster's `spec`: synchronous replication from 3 instances, switchover before
 * the primary is updated, TLS from cert-manager, derived parameters, a separate WAL volume,
 * instances on distinct nodes and spread over zones.
 * @see https://cloudnative-pg.io/documentation/1.22/cloudnative-pg.v1/#postgresql-cnpg-io-v1-ClusterSpec
 */
export function cnpgClusterSpec(options: CnpgClusterSpecOptions): ClusterSpec {
  const id = options.clusterName;
  const highlyAvailable = options.instances >= 3;
  const instanceSelector = { 'cnpg.io/cluster': id, 'cnpg.io/podRole': 'instance' };
  return {
    instances: options.instances,
    imageName: imageReference(options.image),
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
    certificates: { serverTlsSecret: options.tlsSecretName, serverCaSecret: options.tlsSecretName },
    // The operator copies these onto the pods, volumes and Services it creates; managed-by
    // is left out, as the operator, not cdk8s, manages those.
    inheritedMetadata: { labels: { ...selectorLabels(id), 'app.kubernetes.io/component': 'database' } },
    postgresql: {
      parameters: {
        ...postgresParameters({
          memoryMi: options.resources.memoryMi,
          maxConnections: options.maxConnections,
          walStorageGi: options.walStorageGi,
          archiveTimeoutSeconds: options.archiveTimeoutSeconds,
        }),
        ...options.extraParameters,
      },
      pgHba: [POSTGRES_REJECT_PLAINTEXT, ...readWriteGroupHbaRules(options.databaseName)],
    },
    bootstrap: options.bootstrap,
    managed: options.managed,
    externalClusters: options.externalClusters,
    storage: { size: `${options.storageGi}Gi`, storageClass: options.storageClass, resizeInUseVolumes: true },
    walStorage: { size: `${options.walStorageGi}Gi`, storageClass: options.storageClass, resizeInUseVolumes: true },
    resources: {
      requests: resourceMap(options.resources, ClusterSpecResourcesRequests.fromString),
      limits: resourceMap(options.resources, ClusterSpecResourcesLimits.fromString),
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
      nodeAffinity: zoneNodeAffinity(options.zones),
    },
    // No nodeTaintsPolicy: CloudNativePG 1.22's Cluster schema has no such field (the API server would
    // drop it). A lost zone's instance waits for its volume there, and failover needs no new pod.
    topologySpreadConstraints: [
      {
        topologyKey: 'topology.kubernetes.io/zone',
        maxSkew: 1,
        whenUnsatisfiable: options.strictTopologySpread ? 'DoNotSchedule' : 'ScheduleAnyway',
        labelSelector: { matchLabels: instanceSelector },
      },
    ],
    monitoring: { enablePodMonitor: true },
    backup: options.backup,
  };
}

/**
 * An empty cluster with the application database, owned by `owner` with the password of
 * `ownerSecretName`, and the clients' read-write group with its grants in place before the first
 * object exists. Collation `C`: indexes then never depend on the image's glibc version, whose
 * collation changes corrupt text indexes on an image update. Checksums make storage corruption
 * visible instead of silent.
 */
export function initdb(database: string, owner: string, ownerSecretName: string): ClusterSpecBootstrap {
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
