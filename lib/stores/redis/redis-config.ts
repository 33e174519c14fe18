/** What happens when a node reaches `maxmemory`; the values are Redis's own `maxmemory-policy` names. */
export enum RedisEvictionPolicy {
  /** Writes fail with an OOM error; nothing is lost silently. For queues, locks and sessions. */
  NO_EVICTION = 'noeviction',
  /** Evicts the least recently used keys of all keys. For a pure cache. */
  ALL_KEYS_LRU = 'allkeys-lru',
  /** Evicts the least recently used of the keys that have a TTL. For a cache beside durable keys. */
  VOLATILE_LRU = 'volatile-lru',
}

/** Where a node reads its TLS key pair and the CA it verifies peers with (cert-manager's Secret keys). */
export interface RedisTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caCertFile: string;
}

/** The settings of one cluster node that the platform decides; everything else keeps Redis's default. */
export interface RedisNodeConfig {
  /** TLS port for clients and replication; the cluster bus (TLS too) listens on this port + 10000. */
  readonly tlsPort: number;
  readonly tls: RedisTlsFiles;
  /** Milliseconds a node may be unreachable before the cluster fails it over. */
  readonly clusterNodeTimeoutMillis: number;
  /** Replicas each primary has, 0 or 1. */
  readonly replicasPerPrimary: number;
  /** Memory for the dataset; the rest of the container limit is for copy-on-write during rewrites, buffers and fragmentation. */
  readonly maxMemoryMi: number;
  readonly evictionPolicy: RedisEvictionPolicy;
  /** The ACL file the start script writes (users with hashed passwords); `default` is off in it. */
  readonly aclFile: string;
  /** The user a replica logs in to its primary as (`masteruser`); its password comes on standard input. */
  readonly replicationUser: string;
  /** Directives added after the platform's own, for tuning the platform does not model. */
  readonly extraDirectives: Readonly<Record<string, string>>;
}

/**
 * Directives the platform owns. They are either rendered below or passed per pod: on the command
 * line `cluster-announce-hostname` because the ConfigMap is shared, and `dir` because Redis changes
 * into it while it reads the file, so it must exist wherever the file is read (a test reads it
 * outside a pod); on standard input `masterauth`, a password. `requirepass` and `user` are never
 * set: users live in the ACL file, and Redis refuses `user` lines beside an `aclfile`.
 */
export const OWNED_DIRECTIVES: ReadonlySet<string> = new Set([
  'port', 'bind', 'protected-mode', 'dir', 'cluster-enabled', 'cluster-config-file', 'cluster-node-timeout',
  'cluster-require-full-coverage', 'cluster-replica-validity-factor', 'cluster-allow-replica-migration', 'repl-diskless-sync-max-replicas',
  'cluster-preferred-endpoint-type', 'cluster-announce-hostname', 'appendonly', 'appendfsync', 'save', 'maxmemory',
  'maxmemory-policy', 'requirepass', 'masterauth', 'masteruser', 'aclfile', 'user', 'acl-pubsub-default', 'cluster-port',
  'tls-port', 'tls-cert-file', 'tls-key-file', 'tls-ca-cert-file', 'tls-ca-cert-dir', 'tls-client-cert-file',
  'tls-client-key-file', 'tls-auth-clients', 'tls-replication', 'tls-cluster', 'tls-protocols',
]);

/** One `directive arguments...` line; each argument is quoted when Redis would otherwise split or drop it. */
type Directive = readonly [name: string, ...args: string[]];

/** Renders `redis.conf` for a cluster node. */
export function renderRedisConfig(config: RedisNodeConfig): string {
  const directives: Directive[] = [
    // No plaintext listener in any environment: clients, replicas and the cluster bus all use TLS.
    ['port', '0'],
    ['tls-port', String(config.tlsPort)],
    ['tls-cert-file', config.tls.certFile],
    ['tls-key-file', config.tls.keyFile],
    ['tls-ca-cert-file', config.tls.caCertFile],
    // Clients authenticate with the password and need no key pair of their own; a certificate that
    // is presented (every node presents its own on replication and the cluster bus) must chain to
    // the CA. \`yes\` would also demand one from every client: one setting covers all three ports.
    ['tls-auth-clients', 'optional'],
    ['tls-replication', 'yes'],
    ['tls-cluster', 'yes'],
    ['tls-protocols', 'TLSv1.2 TLSv1.3'],
    // Every interface; `-::*` makes IPv6 optional, so a node without IPv6 still starts.
    ['bind', '*', '-::*'],
    // Kept on as a safety net: should the default user ever be on without a password, the node refuses every client but loopback.
    ['protected-mode', 'yes'],
    // Every user with its own password and permissions (see RedisAccess); the default user is off.
    ['aclfile', config.aclFile],
    ['masteruser', config.replicationUser],
    ['cluster-enabled', 'yes'],
    // Relative to `dir`, the volume: the node rewrites this file, and it must survive restarts.
    ['cluster-config-file', 'nodes.conf'],
    ['cluster-node-timeout', String(config.clusterNodeTimeoutMillis)],
    // Slots whose primary and replica are both lost stay down, but only those: the other
    // primaries keep serving theirs (sessions and cache keys there). A node cut off from the
    // majority still stops taking writes after the node timeout, whatever this says.
    ['cluster-require-full-coverage', 'no'],
    // A replica is promoted however long its link to the primary was down: a zone loss that finds
    // a replica resynchronising must not leave its slots without a primary. Caches and sessions
    // would rather lose the last writes than be unavailable.
    ['cluster-replica-validity-factor', '0'],
    // Replicas stay with the primary they were placed for, in another zone (see planRedisPlacement):
    // a replica migrating to an orphaned primary could end up in that primary's zone.
    ['cluster-allow-replica-migration', 'no'],
    // A primary's replicas are all there are to wait for: a node back from a restart or a lost zone
    // starts its full sync when it connects, not after the 5 s repl-diskless-sync-delay, so the
    // shard has two copies again sooner (and a rolling update moves on sooner).
    ['repl-diskless-sync-max-replicas', String(config.replicasPerPrimary)],
    // Clients are redirected to the pod's stable DNS name, not to an IP that changes on every restart.
    ['cluster-preferred-endpoint-type', 'hostname'],
    ['appendonly', 'yes'],
    // At most one second of writes is lost on a crash, without an fsync per write.
    ['appendfsync', 'everysec'],
    // The AOF is the persistence; RDB snapshots on top would only add forks that compete for memory.
    ['save', ''],
    ['maxmemory', `${config.maxMemoryMi}mb`],
    ['maxmemory-policy', config.evictionPolicy],
    ...Object.entries(config.extraDirectives).map(([name, value]): Directive => [name, value]),
  ];
  return directives.map(([name, ...args]) => [name, ...args.map(quote)].join(' ')).join('\n') + '\n';
}

function quote(arg: string): string {
  return /^[^\s"'\\]+$/.test(arg) ? arg : JSON.stringify(arg);
}
