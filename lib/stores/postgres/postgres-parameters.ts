/**
 * PostgreSQL 15 settings derived from a few facts about the instance, so that memory, connection
 * and WAL settings move together when the pod size, the pooler or the WAL volume changes.
 */
export interface PostgresSizing {
  /** Memory of the postgres container (requests = limits). */
  readonly memoryMi: number;
  /** Connections the server accepts; the pooler's server connections plus room for the operator and maintenance. */
  readonly maxConnections: number;
  /** Size of the WAL volume, which checkpoints and replication slots must not fill. */
  readonly walStorageGi: number;
  /** Longest time a finished transaction may wait in an unarchived WAL segment. */
  readonly archiveTimeoutSeconds: number;
}

/**
 * Parameters CloudNativePG 1.22 sets itself and rejects (or silently overrides) when a Cluster
 * names them: archiving, replication wiring, TLS, logging destination, sockets and the like.
 * @see https://cloudnative-pg.io/documentation/1.22/postgresql_conf/
 */
export const OPERATOR_MANAGED_PARAMETERS: ReadonlySet<string> = new Set([
  'allow_system_table_mods', 'archive_cleanup_command', 'archive_command', 'archive_mode', 'bonjour',
  'bonjour_name', 'cluster_name', 'config_file', 'data_directory', 'data_sync_retry', 'event_source',
  'external_pid_file', 'full_page_writes', 'hba_file', 'hot_standby', 'huge_pages', 'ident_file',
  'jit_provider', 'listen_addresses', 'log_destination', 'log_directory', 'log_file_mode', 'log_filename',
  'log_rotation_age', 'log_rotation_size', 'log_truncate_on_rotation', 'logging_collector', 'port',
  'primary_conninfo', 'primary_slot_name', 'promote_trigger_file', 'recovery_end_command',
  'recovery_min_apply_delay', 'recovery_target', 'recovery_target_action', 'recovery_target_inclusive',
  'recovery_target_lsn', 'recovery_target_name', 'recovery_target_time', 'recovery_target_timeline',
  'recovery_target_xid', 'restart_after_crash', 'restore_command', 'shared_preload_libraries', 'ssl',
  'ssl_ca_file', 'ssl_cert_file', 'ssl_ciphers', 'ssl_crl_file', 'ssl_dh_params_file', 'ssl_ecdh_curve',
  'ssl_key_file', 'ssl_max_protocol_version', 'ssl_min_protocol_version', 'ssl_passphrase_command',
  'ssl_passphrase_command_supports_reload', 'ssl_prefer_server_ciphers', 'stats_temp_directory',
  'synchronous_standby_names', 'syslog_facility', 'syslog_ident', 'syslog_sequence_numbers',
  'syslog_split_messages', 'unix_socket_directories', 'unix_socket_group', 'unix_socket_permissions',
  'wal_level', 'wal_log_hints',
]);

/**
 * `postgresql.parameters` of the Cluster. Every value is written the way PostgreSQL 15 prints it
 * back with SHOW (largest exact unit), which the real-server test relies on.
 */
export function postgresParameters(sizing: PostgresSizing): Record<string, string> {
  const sharedBuffersMi = Math.floor(sizing.memoryMi / 4);
  const maxWalSizeMi = Math.floor((sizing.walStorageGi * 1024) / 4);
  // Each connection may run a few sorts or hashes at once; give it a quarter of its share of the
  // memory that shared_buffers leaves, so a full pool cannot push the container past its limit.
  const workMemMi = Math.max(4, Math.floor((sizing.memoryMi - sharedBuffersMi) / sizing.maxConnections / 4));
  return {
    // Memory: the usual 25% / 75% split for a dedicated database container.
    shared_buffers: megabytes(sharedBuffersMi),
    effective_cache_size: megabytes(Math.floor((sizing.memoryMi * 3) / 4)),
    work_mem: megabytes(workMemMi),
    maintenance_work_mem: megabytes(Math.min(1024, Math.floor(sizing.memoryMi / 16))),
    max_connections: String(sizing.maxConnections),
    // Durability: a commit returns only once the synchronous standby has flushed it (when the
    // operator names one in synchronous_standby_names), so a failover loses no commit.
    synchronous_commit: 'on',
    // RPO of a full-cluster loss: a partly filled WAL segment is switched and archived after at most this long.
    archive_timeout: `${sizing.archiveTimeoutSeconds}s`,
    wal_compression: 'lz4',
    // WAL volume: checkpoints keep at most a quarter of it, a lagging standby's slot at most half,
    // so neither can fill it and stop the primary.
    max_wal_size: megabytes(maxWalSizeMi),
    min_wal_size: megabytes(Math.max(64, Math.floor(maxWalSizeMi / 4))),
    max_slot_wal_keep_size: megabytes(Math.floor((sizing.walStorageGi * 1024) / 2)),
    checkpoint_timeout: '15min',
    checkpoint_completion_target: '0.9',
    // Network block storage (SSD-backed): random reads cost little more than sequential ones.
    random_page_cost: '1.1',
    effective_io_concurrency: '200',
    // Short OLTP queries pay JIT compilation time and gain nothing from it.
    jit: 'off',
    // A leaked transaction holds a pooled server connection and blocks vacuum; end it.
    idle_in_transaction_session_timeout: '5min',
    password_encryption: 'scram-sha-256',
    log_min_duration_statement: '1s',
    log_checkpoints: 'on',
    log_lock_waits: 'on',
    log_temp_files: '0',
    log_autovacuum_min_duration: '10s',
    log_statement: 'ddl',
    track_io_timing: 'on',
  };
}

/** `2048` -> `2GB`, `512` -> `512MB` (PostgreSQL memory units are powers of 1024). */
function megabytes(mebibytes: number): string {
  return mebibytes % 1024 === 0 ? `${mebibytes / 1024}GB` : `${mebibytes}MB`;
}
