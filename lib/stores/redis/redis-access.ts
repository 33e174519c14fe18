/**
 * What a cluster-aware client needs besides its own commands: the slot map (CLUSTER SLOTS: go-redis
 * v9 and ioredis; CLUSTER SHARDS, its Redis 7 successor; CLUSTER NODES: older clients), the
 * cluster's state (CLUSTER INFO: ioredis's ready check of a cluster), PING, and READONLY/READWRITE
 * for reads from replicas. They show the topology only, never a key or a value.
 */
const CLUSTER_CLIENT_COMMANDS: readonly string[] = ['ping', 'cluster|slots', 'cluster|shards', 'cluster|nodes', 'cluster|info', 'readonly', 'readwrite'];

/** A Redis command or `command|subcommand` in lower case, as ACL rules name them. */
const COMMAND = /^[a-z_]+(\|[a-z_-]+)?$/;
/** A key prefix: letters, digits and `_ . -`, ending in `:`; nothing a Redis glob would read as a pattern. */
const KEY_PREFIX = /^[A-Za-z0-9][A-Za-z0-9_.-]*:$/;
/** A Redis glob of keys without spaces (ACL rules are space-separated). */
const KEY_PATTERN = /^[A-Za-z0-9_.:*?-]+$/;

/**
 * What one ACL user of a Redis 7.0 cluster may run and touch: command categories and commands,
 * key and Pub/Sub channel patterns; never a password. Rendered after `on resetkeys resetchannels
 * -@all`, so a user starts with nothing and gets only what is listed here.
 * @see https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/
 */
export class RedisAccess {
  /**
   * An application's own data: every read, write, transaction, script and Pub/Sub command on keys
   * and channels that start with `prefix` (e.g. `api:`; a hash tag goes after it, `api:{user:1}:cart`),
   * and what a cluster client needs. Without what Redis marks dangerous (FLUSHALL, KEYS, CONFIG,
   * DEBUG, MIGRATE, CLIENT KILL, ...) and without FUNCTION and SCRIPT FLUSH/KILL, which act on
   * what every user shares. Plus INFO, which ioredis's ready check sends to each node.
   */
  public static keyPrefix(prefix: string): RedisAccess {
    if (!KEY_PREFIX.test(prefix)) {
      throw new Error(`RedisAccess: key prefix is ${JSON.stringify(prefix)}; use letters, digits and _ . - ending in a colon, e.g. api:`);
    }
    return new RedisAccess([
      '+@read', '+@write', '+@transaction', '+@pubsub', '+@scripting', '+@connection',
      '-@dangerous', '-function', '+fcall', '+fcall_ro', '-script|flush', '-script|kill',
      '+info', ...CLUSTER_CLIENT_COMMANDS.map((command) => `+${command}`),
      `~${prefix}*`, `&${prefix}*`,
    ], prefix);
  }

  /** Exactly `commands` on keys matching `keyPattern` (a Redis glob), plus what a cluster client needs; no Pub/Sub channel. */
  public static clusterClient(options: { readonly commands: readonly string[]; readonly keyPattern: string }): RedisAccess {
    if (!KEY_PATTERN.test(options.keyPattern)) {
      throw new Error(`RedisAccess: key pattern is ${JSON.stringify(options.keyPattern)}; use a Redis glob of letters, digits and _ . : - * ?`);
    }
    return new RedisAccess([...commandRules([...options.commands, ...CLUSTER_CLIENT_COMMANDS]), `~${options.keyPattern}`]);
  }

  /** Exactly `commands`, on no key and no channel: for the cluster's own users (exporter, bootstrap, replication). */
  public static commands(commands: readonly string[]): RedisAccess {
    return new RedisAccess(commandRules(commands));
  }

  /** The ACL rules after `-@all`, space-separated in the ACL file. */
  public readonly rules: readonly string[];
  /** The prefix of the user's keys and channels, for `keyPrefix()` users. */
  public readonly keyPrefix?: string;

  private constructor(rules: readonly string[], keyPrefix?: string) {
    this.rules = rules;
    this.keyPrefix = keyPrefix;
  }
}

function commandRules(commands: readonly string[]): string[] {
  const invalid = commands.find((command) => !COMMAND.test(command));
  if (invalid !== undefined) {
    throw new Error(`RedisAccess: command is ${JSON.stringify(invalid)}; use a command or command|subcommand in lower case, e.g. get or cluster|info`);
  }
  return [...new Set(commands)].map((command) => `+${command}`);
}

/**
 * redis_exporter v1.58.0 scraping its own node (exporter/exporter.go `scrapeRedisHost`,
 * latency.go, slowlog.go at the tag): CLIENT SETNAME (`set-client-name`, on by default), INFO ALL,
 * CLUSTER INFO, LATENCY LATEST and HISTOGRAM, SLOWLOG LEN and GET. Not its `CONFIG GET *`: that
 * answers `masterauth` (the replication password) in clear, and the exporter takes only
 * `redis_config_maxmemory`/`maxclients` from it, which no rule or dashboard reads
 * (`redis_memory_max_bytes` comes from INFO); refused, it logs at debug level and goes on. Not the
 * key commands of its README's ACL example either (GET, SCAN, TYPE, ...): they serve
 * `check-keys` and `count-keys`, which are not configured.
 */
export const EXPORTER_ACCESS = RedisAccess.commands([
  'ping', 'info', 'client|setname', 'cluster|info', 'latency|latest', 'latency|histogram', 'slowlog|len', 'slowlog|get',
]);

/**
 * The bootstrap Job, which forms the cluster as planned (REDIS_BOOTSTRAP_SCRIPT: PING, CLUSTER
 * INFO/NODES/MYID, ADDSLOTSRANGE, SET-CONFIG-EPOCH, MEET, REPLICATE), and a terminating primary's
 * handover (REDIS_ROLE_SCRIPT: INFO on its replica, then CLUSTER FAILOVER there), the one user
 * every node knows that may change the topology; the tests run both as this user against real
 * nodes and check the ACL log for refusals.
 */
export const BOOTSTRAP_ACCESS = RedisAccess.commands([
  'ping', 'info', 'cluster|info', 'cluster|nodes', 'cluster|myid', 'cluster|addslotsrange', 'cluster|set-config-epoch', 'cluster|meet',
  'cluster|replicate', 'cluster|failover',
]);

/**
 * The user a replica logs in to its primary with (`masteruser`): PING, REPLCONF and PSYNC, the
 * handshake redis.conf's `masteruser` comment refers to; it can read the whole dataset through a
 * sync, so its password is given to the nodes alone.
 */
export const REPLICATION_ACCESS = RedisAccess.commands(['ping', 'replconf', 'psync']);

/**
 * The node's own user, for what runs inside its container: the probes (PING, INFO), the
 * certificate reload (CONFIG SET tls-*), the password rotation (ACL SETUSER, CONFIG SET
 * masterauth), the role script (CLUSTER MYID/REPLICAS/INFO/NODES; CLUSTER FAILOVER to take a
 * planned primary's role back) and an operator's CONFIG GET and ACL LOG. ACL SETUSER makes it
 * the node's administrator: its password is made at each start and never leaves the container's
 * memory volume.
 */
export const NODE_ACCESS = RedisAccess.commands([
  'ping', 'info', 'cluster|info', 'cluster|nodes', 'cluster|myid', 'cluster|replicas', 'cluster|failover', 'config|get', 'config|set', 'acl|setuser', 'acl|log',
]);
