import { ImageReference } from '../../platform/image-reference';
import { NamespaceBaseline } from '../../platform/namespace-baseline';
import { INetworkPeer } from '../../platform/network-peer';
import { PropError } from '../../platform/prop-error';
import { WorkloadFootprint } from '../../platform/workload-footprint';
import { CertificateLifetime, ICertificateIssuer } from '../../security/tls-certificate';
import { OWNED_DIRECTIVES, RedisEvictionPolicy } from './redis-config';
import { EXPORTER_RESOURCES, REDIS_EPHEMERAL_MI } from './redis-constants';
import { validateRedisPlacement } from './redis-placement';

export interface RedisClusterProps {
  /** The namespace to run in; the cluster counts its pods into the namespace quota. */
  readonly namespace: NamespaceBaseline;
  /**
   * Vault KV prefix of the environment, e.g. `generator-platform/production`. Every ACL user (the
   * exporter, the bootstrap Job, replication, and each client added with `connect()` or
   * `addUser()`) has its own password at `<prefix>/redis/<user>`, through the Secret
   * `<id>-<user>-credentials`.
   */
  readonly vaultPathPrefix: string;
  /**
   * Availability zones the nodes run in: one StatefulSet `<id>-<zone>` per zone, pinned to it, and
   * each shard's primary and replica in different zones (see planRedisPlacement). With replicas
   * and more than one zone, the shape must survive the loss of any zone: at least 3 zones, and no
   * zone with so many primaries that the rest are no majority.
   */
  readonly zones: readonly string[];
  /** Prometheus, allowed to scrape the exporter's `metrics` port. */
  readonly metricsScraper: INetworkPeer;
  /**
   * cert-manager issuer of the nodes' TLS certificate (the internal CA). Nodes, the bootstrap, the
   * exporter and every client verify the nodes against the CA it puts in the Secret's `ca.crt`.
   */
  readonly tlsIssuer: ICertificateIssuer;
  /**
   * Lifetime of the nodes' certificate and how early cert-manager renews it; a renewed certificate
   * is reloaded without a restart.
   * @default - 2160 hours (90 days), renewed 720 hours (30 days) before expiry
   */
  readonly tlsCertificateLifetime?: CertificateLifetime;
  /**
   * Primaries, each owning an equal share of the 16384 hash slots. At least 3: a failover needs a
   * majority of primaries to agree.
   * @default 3
   */
  readonly primaries?: number;
  /**
   * Replicas per primary, 0 or 1. Without a replica a primary that fails takes its slots down with
   * it (and with `cluster-require-full-coverage` the whole cluster); production and staging use 1.
   * @default 1
   */
  readonly replicasPerPrimary?: number;
  /**
   * CPU per node (requests = limits).
   * @default 2000
   */
  readonly cpuMillis?: number;
  /**
   * Memory per node (requests = limits); 70% of it is the dataset (`maxmemory`), the rest is for
   * copy-on-write during AOF rewrites and full syncs, client buffers and fragmentation.
   * @default 4096
   */
  readonly memoryMi?: number;
  /**
   * Size of each node's data volume (append-only files and `nodes.conf`). An AOF rewrite briefly
   * needs room for two copies of the dataset.
   * @default 20
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#volume-claim-templates
   */
  readonly storageGi?: number;
  /**
   * StorageClass of the data volumes.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Milliseconds a node may be unreachable before it is failed over (`cluster-node-timeout`). 5 s
   * fails over a lost node quickly while riding out a short network blip or a fork of a 3 Gi
   * dataset; Redis's own default of 15 s leaves the affected slots unwritable three times as long.
   * @default 5000
   */
  readonly nodeTimeoutMillis?: number;
  /**
   * What a node does when the dataset reaches `maxmemory`.
   * @default RedisEvictionPolicy.NO_EVICTION
   */
  readonly evictionPolicy?: RedisEvictionPolicy;
  /**
   * Extra `redis.conf` directives, for tuning the construct does not model. Directives the construct
   * sets itself are refused.
   * @default {}
   */
  readonly extraConfig?: Readonly<Record<string, string>>;
  /**
   * Refuse to schedule rather than put two nodes on one machine. Off only where the cluster has
   * fewer machines than nodes (a laptop, a preview cluster).
   * @default true
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity
   */
  readonly strictTopologySpread?: boolean;
  /**
   * The Redis image; a 7.0 release with `sh` and `redis-cli` (the bootstrap and probes use them).
   * @default DEFAULT_REDIS_IMAGE
   */
  readonly image?: ImageReference;
  /**
   * The redis_exporter image of the metrics sidecar.
   * @default DEFAULT_REDIS_EXPORTER_IMAGE
   */
  readonly exporterImage?: ImageReference;
}

/** The cluster's shape and each node's size, with the defaults of the props filled in: written once, read by the footprint, the checks and the construct. */
export interface RedisNodeSizing {
  readonly primaries: number;
  readonly replicasPerPrimary: number;
  readonly cpuMillis: number;
  readonly memoryMi: number;
  readonly storageGi: number;
}

export function redisNodeSizing(props: RedisClusterProps): RedisNodeSizing {
  return {
    primaries: props.primaries ?? 3,
    replicasPerPrimary: props.replicasPerPrimary ?? 1,
    cpuMillis: props.cpuMillis ?? 2000,
    memoryMi: props.memoryMi ?? 4096,
    storageGi: props.storageGi ?? 20,
  };
}

/** The nodes' pods: redis and its exporter, a data volume each; a StatefulSet replaces pods one by one and never surges. */
export function redisClusterFootprint(props: RedisClusterProps): WorkloadFootprint {
  const { primaries, replicasPerPrimary, cpuMillis, memoryMi, storageGi } = redisNodeSizing(props);
  return {
    maxPods: primaries * (1 + replicasPerPrimary),
    podCpuMillis: cpuMillis + EXPORTER_RESOURCES.cpuMillis,
    podMemoryMi: memoryMi + EXPORTER_RESOURCES.memoryMi,
    podEphemeralStorageGi: (REDIS_EPHEMERAL_MI + EXPORTER_RESOURCES.ephemeralMi) / 1024,
    podClaimStorageGi: storageGi,
    podClaimCount: 1,
    largestContainerCpuMillis: cpuMillis,
    largestContainerMemoryMi: memoryMi,
    largestClaimGi: storageGi,
  };
}

/** Rejects what the restricted base does not check itself (the id and the zones); runs before the construct joins the tree. */
export function validateRedisClusterProps(id: string, props: RedisClusterProps): void {
  const fail = (prop: string, value: unknown, fix: string): never => {
    throw new PropError(id, prop, value, fix, `RedisCluster ${id}`);
  };
  const { primaries, replicasPerPrimary: replicas, cpuMillis: cpu, memoryMi: memory, storageGi: storage } = redisNodeSizing(props);
  if (!Number.isInteger(primaries) || primaries < 3 || primaries > 100) {
    fail('primaries', primaries, 'use 3 to 100: Redis Cluster needs at least 3 primaries for a majority to fail a node over');
  }
  if (replicas !== 0 && replicas !== 1) {
    fail('replicasPerPrimary', replicas, 'use 1 (a primary that fails is replaced by its replica) or 0 where losing a node may take the cluster down');
  }
  if (!Number.isInteger(cpu) || cpu < 100) {
    fail('cpuMillis', cpu, 'use a whole number of millicores, at least 100');
  }
  if (!Number.isInteger(memory) || memory < 256) {
    fail('memoryMi', memory, 'use a whole number of mebibytes, at least 256');
  }
  if (!Number.isInteger(storage) || storage < 1) {
    fail('storageGi', storage, 'use a whole number of gibibytes, at least 1');
  }
  if (storage * 1024 < 2 * memory) {
    fail('storageGi', storage, `use at least ${Math.ceil((2 * memory) / 1024)}: an AOF rewrite briefly needs room for two copies of the dataset`);
  }
  validateRedisPlacement(id, props.zones, primaries, replicas);
  const timeout = props.nodeTimeoutMillis ?? 5000;
  if (!Number.isInteger(timeout) || timeout < 1000 || timeout > 60000) {
    fail('nodeTimeoutMillis', timeout, 'use 1000 to 60000 milliseconds');
  }
  for (const directive of Object.keys(props.extraConfig ?? {})) {
    if (OWNED_DIRECTIVES.has(directive.toLowerCase())) {
      fail('a directive of extraConfig', directive, 'the construct sets it itself; use the matching prop or leave it out');
    }
    if (!/^[a-z][a-z0-9-]*$/.test(directive)) {
      fail('a directive of extraConfig', directive, 'use a redis.conf directive name in lower case, e.g. hz');
    }
  }
}
