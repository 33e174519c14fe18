/** What happens when a node reaches `maxmemory`; the values are Redis's own `maxmemory-policy` names. */
export enum RedisEvictionPolicy {
  /** Writes fail with an OOM error; nothing is lost silently. For queues, locks and sessions. */
  NO_EVICTION = 'noeviction',
  /** Evicts the least recently used keys of all keys. For a pure cache. */
  ALL_KEYS_LRU = 'allkeys-lru',
  /** Evicts the least recently used of the keys that have a TTL. For a cache beside durable keys. */
  VOLATILE_LRU = 'volatile-lru',
}

/** The settings of one cluster node that the platform decides; everything else keeps Redis's default. */
export interface RedisNodeConfig {
  /** Port for clients; the cluster bus listens on this port + 10000. */
  readonly port: number;
  /** Milliseconds a node may be unreachable before the cluster fails it over. */
  readonly clusterNodeTimeoutMillis: number;
  /** Memory for the dataset; the rest of the container limit is for copy-on-write during rewrites, buffers and fragmentation. */
  readonly maxMemoryMi: number;
  readonly evictionPolicy: RedisEvictionPolicy;
  /** Directives added after the platform's own, for tuning the platform does not model. */
  readonly extraDirectives: Readonly<Record<string, string>>;
}

/**
 * Directives the platform owns. They are either rendered below or passed per pod on the command line:
 * `cluster-announce-hostname`, `requirepass` and `masterauth` because the ConfigMap is shared and holds
 * no secret, `dir` because Redis changes into it while it reads the file, so it must exist wherever the
 * file is read (a test reads it outside a pod).
 */
export const OWNED_DIRECTIVES: ReadonlySet<string> = new Set([
  'port', 'bind', 'protected-mode', 'dir', 'cluster-enabled', 'cluster-config-file', 'cluster-node-timeout',
  'cluster-preferred-endpoint-type', 'cluster-announce-hostname', 'appendonly', 'appendfsync', 'save', 'maxmemory',
  'maxmemory-policy', 'requirepass', 'masterauth', 'cluster-port',
]);

/** One `directive arguments...` line; each argument is quoted when Redis would otherwise split or drop it. */
type Directive = readonly [name: string, ...args: string[]];

/** Renders `redis.conf` for a cluster node. */
export function renderRedisConfig(config: RedisNodeConfig): string {
  const directives: Directive[] = [
    ['port', String(config.port)],
    // Every interface; `-::*` makes IPv6 optional, so a node without IPv6 still starts.
    ['bind', '*', '-::*'],
    // Kept on as a safety net: should the password ever be empty, the node refuses every client but loopback.
    ['protected-mode', 'yes'],
    ['cluster-enabled', 'yes'],
    // Relative to `dir`, the volume: the node rewrites this file, and it must survive restarts.
    ['cluster-config-file', 'nodes.conf'],
    ['cluster-node-timeout', String(config.clusterNodeTimeoutMillis)],
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
