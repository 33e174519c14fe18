import type { Dashboard } from '@grafana/schema';
import { platformDashboard } from './dashboard';
import { DashboardSection, IN_NAMESPACE, QueryMode, RATE_INTERVAL, UnplacedPanel, higherIsWorse, lowerIsWorse, promTarget, stat, timeSeries, valueMappings } from './panels';

/**
 * Store series are selected by namespace alone: each namespace runs one store of each kind, and the
 * exporters' metric names (`cnpg_`, `redis_`, `rabbitmq_`) are unique to their store.
 */
const NS = IN_NAMESPACE;

/** Only the primary archives WAL: standbys report archiver statistics that never advance. */
const ON_PRIMARY = `and on (pod) (cnpg_pg_replication_in_recovery{${NS}} == 0)`;

const OK_FAILED = valueMappings({ '0': { text: 'failed', color: 'red' }, '1': { text: 'ok', color: 'green' } });
const NO_ALARM = valueMappings({ '0': { text: 'no alarm', color: 'green' }, '1': { text: 'ALARM', color: 'red' } });

/**
 * PostgreSQL on CloudNativePG: the instance manager's exporter (port 9187, PodMonitor) and the
 * PgBouncer pooler's exporter. Metric names are those of CloudNativePG 1.22's default queries.
 */
function postgresPanels(): UnplacedPanel[] {
  return [
    stat({
      title: 'PostgreSQL instances up',
      description: 'Instances whose exporter reaches PostgreSQL (cnpg_collector_up).',
      unit: 'short',
      width: 4,
      thresholds: lowerIsWorse(0, 1),
      targets: [promTarget(`sum(cnpg_collector_up{${NS}})`, 'up', QueryMode.INSTANT)],
    }),
    stat({
      title: 'WAL archive failures (1h)',
      description: 'WAL segments the primary failed to archive to the object store in the last hour. Failures that persist grow the recovery point and fill the WAL volume.',
      unit: 'short',
      width: 5,
      thresholds: higherIsWorse(1, 5),
      targets: [promTarget(`sum(increase(cnpg_pg_stat_archiver_failed_count{${NS}}[1h]) ${ON_PRIMARY})`, 'failures', QueryMode.INSTANT)],
    }),
    stat({
      title: 'Last base backup age',
      description: 'Time since the newest completed base backup in the object store. Backups run daily; older than 26 h means a scheduled backup was missed.',
      unit: 's',
      width: 5,
      thresholds: higherIsWorse(26 * 3600, 50 * 3600),
      targets: [promTarget(`time() - max(cnpg_collector_last_available_backup_timestamp{${NS}})`, 'age', QueryMode.INSTANT)],
    }),
    stat({
      title: 'Latest backup attempt',
      description: 'Whether the latest base backup attempt failed after the last successful one.',
      unit: 'short',
      width: 5,
      thresholds: lowerIsWorse(1, 1),
      mappings: OK_FAILED,
      targets: [
        promTarget(
          `max(cnpg_collector_last_available_backup_timestamp{${NS}})\n>= bool\n(max(cnpg_collector_last_failed_backup_timestamp{${NS}}) or vector(0))`,
          'latest backup',
          QueryMode.INSTANT,
        ),
      ],
    }),
    stat({
      title: 'Point-in-time recovery window',
      description: 'How far back point-in-time recovery reaches: the age of the first recoverability point (backup retention is 30 days).',
      unit: 's',
      width: 5,
      targets: [promTarget(`time() - min(cnpg_collector_first_recoverability_point{${NS}} > 0)`, 'window', QueryMode.INSTANT)],
    }),
    timeSeries({
      title: 'PostgreSQL replication lag',
      description: 'Seconds each standby replays behind the primary. The synchronous standby bounds commit latency; a lagging one serves stale reads.',
      unit: 's',
      width: 8,
      min: 0,
      showThresholds: true,
      thresholds: higherIsWorse(10, 60),
      targets: [promTarget(`max by (pod) (cnpg_pg_replication_lag{${NS}})`, '{{pod}}')],
    }),
    timeSeries({
      title: 'PostgreSQL streaming replicas',
      description: 'Standbys streaming from the primary.',
      unit: 'short',
      width: 8,
      min: 0,
      targets: [promTarget(`max(cnpg_pg_replication_streaming_replicas{${NS}} ${ON_PRIMARY})`, 'streaming replicas')],
    }),
    timeSeries({
      title: 'Last archived WAL age',
      description: 'Seconds since the primary last archived a WAL segment. archive_timeout switches segments every minute while there are writes, so a growing age means archiving is stuck.',
      unit: 's',
      width: 8,
      min: 0,
      showThresholds: true,
      thresholds: higherIsWorse(300, 900),
      targets: [promTarget(`max(cnpg_pg_stat_archiver_seconds_since_last_archival{${NS}} ${ON_PRIMARY})`, 'last archived')],
    }),
    timeSeries({
      title: 'PostgreSQL server connections',
      description: 'Backends per instance against max_connections (sized for every pooler pod filling its pool, plus headroom).',
      unit: 'short',
      width: 8,
      min: 0,
      targets: [
        promTarget(`sum by (pod) (cnpg_backends_total{${NS}})`, '{{pod}}'),
        promTarget(`max(cnpg_pg_settings_setting{${NS},name="max_connections"})`, 'max_connections'),
      ],
    }),
    timeSeries({
      title: 'Pooler connections (PgBouncer)',
      description: 'Client connections active and waiting for a server connection, and server connections active and idle, over all pooler pods.',
      unit: 'short',
      width: 8,
      min: 0,
      targets: [
        promTarget(`sum(cnpg_pgbouncer_pools_cl_active{${NS},database!="pgbouncer"})`, 'clients active'),
        promTarget(`sum(cnpg_pgbouncer_pools_cl_waiting{${NS},database!="pgbouncer"})`, 'clients waiting'),
        promTarget(`sum(cnpg_pgbouncer_pools_sv_active{${NS},database!="pgbouncer"})`, 'servers active'),
        promTarget(`sum(cnpg_pgbouncer_pools_sv_idle{${NS},database!="pgbouncer"})`, 'servers idle'),
      ],
    }),
    timeSeries({
      title: 'Pooler longest client wait',
      description: 'Longest time a client has waited for a server connection: above zero, the pool is too small for the load or a transaction holds its connection too long.',
      unit: 's',
      width: 8,
      min: 0,
      showThresholds: true,
      thresholds: higherIsWorse(0.5, 2),
      targets: [promTarget(`max(cnpg_pgbouncer_pools_maxwait{${NS},database!="pgbouncer"})`, 'max wait')],
    }),
  ];
}

/** Redis cluster: the redis_exporter sidecar of every node (port 9121). */
function redisPanels(): UnplacedPanel[] {
  return [
    stat({
      title: 'Redis cluster state',
      description: 'CLUSTER INFO cluster_state as every node sees it: failed when any node reports that some hash slot has no reachable primary.',
      unit: 'short',
      width: 8,
      thresholds: lowerIsWorse(1, 1),
      mappings: OK_FAILED,
      targets: [promTarget(`min(redis_cluster_state{${NS}})`, 'cluster state', QueryMode.INSTANT)],
    }),
    stat({
      title: 'Redis hash slots not ok',
      description: 'Hash slots not served (16384 minus cluster_slots_ok); anything above zero fails the requests for those keys.',
      unit: 'short',
      width: 8,
      thresholds: higherIsWorse(1, 1),
      targets: [promTarget(`16384 - min(redis_cluster_slots_ok{${NS}})`, 'slots not ok', QueryMode.INSTANT)],
    }),
    stat({
      title: 'Redis nodes up / primaries',
      description: 'Nodes the exporter reaches, and how many of them are primaries.',
      unit: 'short',
      width: 8,
      targets: [
        promTarget(`sum(redis_up{${NS}})`, 'nodes up', QueryMode.INSTANT),
        promTarget(`count(redis_instance_info{${NS},role="master"})`, 'primaries', QueryMode.INSTANT),
      ],
    }),
    timeSeries({
      title: 'Redis memory used / maxmemory',
      description: 'Memory used per node as a share of maxmemory; at 100% the eviction policy applies (or writes fail).',
      unit: 'percentunit',
      width: 12,
      min: 0,
      showThresholds: true,
      thresholds: higherIsWorse(0.8, 0.9),
      targets: [promTarget(`max by (pod) (redis_memory_used_bytes{${NS}})\n/\nmax by (pod) (redis_memory_max_bytes{${NS}} > 0)`, '{{pod}}')],
    }),
    timeSeries({
      title: 'Redis operations per second',
      description: 'Commands processed per second by each node.',
      unit: 'ops',
      width: 12,
      min: 0,
      targets: [promTarget(`sum by (pod) (rate(redis_commands_processed_total{${NS}}[${RATE_INTERVAL}]))`, '{{pod}}')],
    }),
    timeSeries({
      title: 'Redis keyspace hit ratio',
      description: 'Share of key lookups that found their key, over all nodes.',
      unit: 'percentunit',
      width: 12,
      min: 0,
      max: 1,
      targets: [
        promTarget(
          `sum(rate(redis_keyspace_hits_total{${NS}}[${RATE_INTERVAL}]))\n/\n` +
            `(sum(rate(redis_keyspace_hits_total{${NS}}[${RATE_INTERVAL}])) + sum(rate(redis_keyspace_misses_total{${NS}}[${RATE_INTERVAL}])))`,
          'hit ratio',
        ),
      ],
    }),
    timeSeries({
      title: 'Redis evictions and clients',
      description: 'Keys evicted per second (memory pressure) and connected clients, over all nodes.',
      unit: 'short',
      width: 12,
      min: 0,
      targets: [
        promTarget(`sum(rate(redis_evicted_keys_total{${NS}}[${RATE_INTERVAL}]))`, 'evictions/s'),
        promTarget(`sum(redis_connected_clients{${NS}})`, 'clients'),
      ],
    }),
  ];
}

/** RabbitMQ: the rabbitmq_prometheus plugin of every node (TLS port 15691), aggregated metrics. */
function rabbitmqPanels(): UnplacedPanel[] {
  return [
    stat({
      title: 'RabbitMQ nodes running',
      description: 'Nodes that serve metrics. Under pause_minority a node cut off from the majority pauses and stops serving.',
      unit: 'short',
      width: 6,
      thresholds: lowerIsWorse(0, 1),
      targets: [promTarget(`count(rabbitmq_identity_info{${NS}})`, 'nodes', QueryMode.INSTANT)],
    }),
    stat({
      title: 'RabbitMQ network partitions',
      description: 'Cluster peers each node cannot reach; above zero the cluster is partitioned and the minority side pauses.',
      unit: 'short',
      width: 6,
      thresholds: higherIsWorse(1, 1),
      targets: [promTarget(`max(rabbitmq_unreachable_cluster_peers_count{${NS}})`, 'unreachable peers', QueryMode.INSTANT)],
    }),
    stat({
      title: 'RabbitMQ resource alarms',
      description: 'Memory, disk and file descriptor alarms on any node. While one is raised, every publisher in the cluster is blocked.',
      unit: 'short',
      width: 12,
      thresholds: higherIsWorse(1, 1),
      mappings: NO_ALARM,
      targets: [
        promTarget(`max(rabbitmq_alarms_memory_used_watermark{${NS}})`, 'memory', QueryMode.INSTANT),
        promTarget(`max(rabbitmq_alarms_free_disk_space_watermark{${NS}})`, 'disk', QueryMode.INSTANT),
        promTarget(`max(rabbitmq_alarms_file_descriptor_limit{${NS}})`, 'file descriptors', QueryMode.INSTANT),
      ],
    }),
    timeSeries({
      title: 'RabbitMQ messages',
      description: 'Messages ready for delivery and delivered but unacknowledged, over all queues.',
      unit: 'short',
      width: 12,
      min: 0,
      targets: [
        promTarget(`sum(rabbitmq_detailed_queue_messages_ready{${NS}})`, 'ready'),
        promTarget(`sum(rabbitmq_detailed_queue_messages_unacked{${NS}})`, 'unacknowledged'),
      ],
    }),
    timeSeries({
      title: 'RabbitMQ message rates',
      description: 'Messages published to and delivered by the cluster per second.',
      unit: 'ops',
      width: 12,
      min: 0,
      targets: [
        promTarget(`sum(rate(rabbitmq_global_messages_received_total{${NS}}[${RATE_INTERVAL}]))`, 'published'),
        promTarget(`sum(rate(rabbitmq_global_messages_delivered_total{${NS}}[${RATE_INTERVAL}]))`, 'delivered'),
      ],
    }),
    timeSeries({
      title: 'RabbitMQ memory used / limit',
      description: 'Resident memory of each node as a share of its memory high watermark; at 100% the memory alarm blocks publishers.',
      unit: 'percentunit',
      width: 8,
      min: 0,
      showThresholds: true,
      thresholds: higherIsWorse(0.8, 0.9),
      targets: [
        promTarget(`max by (pod) (rabbitmq_process_resident_memory_bytes{${NS}})\n/\nmax by (pod) (rabbitmq_resident_memory_limit_bytes{${NS}})`, '{{pod}}'),
      ],
    }),
    timeSeries({
      title: 'RabbitMQ disk free above limit',
      description: 'Free disk space of each node above its free-disk limit (2 GB); at zero the disk alarm blocks publishers.',
      unit: 'bytes',
      width: 8,
      targets: [
        promTarget(`max by (pod) (rabbitmq_disk_space_available_bytes{${NS}})\n-\nmax by (pod) (rabbitmq_disk_space_available_limit_bytes{${NS}})`, '{{pod}}'),
      ],
    }),
    timeSeries({
      title: 'RabbitMQ connections and channels',
      description: 'Open AMQP connections and channels over all nodes.',
      unit: 'short',
      width: 8,
      min: 0,
      targets: [promTarget(`sum(rabbitmq_connections{${NS}})`, 'connections'), promTarget(`sum(rabbitmq_channels{${NS}})`, 'channels')],
    }),
  ];
}

export interface DataStoresOptions {
  /** The platform namespace the dashboard opens on. */
  readonly namespace: string;
}

/** The platform's data stores: PostgreSQL (with its pooler and backups), Redis and RabbitMQ. */
export function dataStoresDashboard(options: DataStoresOptions): Dashboard {
  const sections: DashboardSection[] = [
    { title: 'PostgreSQL (CloudNativePG)', panels: postgresPanels() },
    { title: 'Redis cluster', panels: redisPanels() },
    { title: 'RabbitMQ', panels: rabbitmqPanels() },
  ];
  return platformDashboard({
    slug: 'data-stores',
    title: 'Generator Platform: data stores',
    description: 'PostgreSQL replication, WAL archiving, backups and connections; Redis cluster health, memory and load; RabbitMQ nodes, alarms, partitions and messages.',
    namespace: options.namespace,
    sections,
    timeFrom: 'now-6h',
    refresh: '1m',
  });
}
