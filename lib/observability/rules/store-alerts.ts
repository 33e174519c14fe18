import { AlertDefinition, flat, Severity } from './rule-types';

/** Seconds the WAL archive may lag: the 5-minute RPO of docs/disaster-recovery.md. */
export const POSTGRES_RPO_SECONDS = 300;

/** Alerts on PostgreSQL, Redis and RabbitMQ, in the platform's namespace. */
export function storeAlerts(namespace: string): AlertDefinition[] {
  const ns = `namespace="${namespace}"`;
  const postgres = `${ns},pod="postgres-1"`;
  const redis = `${ns},pod="redis-0"`;
  const rabbit = (pod: string) => `${ns},pod="${pod}"`;
  const alarms = (memory: number) => [
    { series: `rabbitmq_alarms_memory_used_watermark{${rabbit('rabbitmq-server-0')}}`, values: flat(memory, 10) },
    { series: `rabbitmq_alarms_free_disk_space_watermark{${rabbit('rabbitmq-server-0')}}`, values: flat(0, 10) },
    { series: `rabbitmq_alarms_file_descriptor_limit{${rabbit('rabbitmq-server-0')}}`, values: flat(0, 10) },
  ];
  const pods = ['rabbitmq-server-0', 'rabbitmq-server-1', 'rabbitmq-server-2'];
  // Each node's links to its peers; 3 means "up". `downLinks` of the 6 are 1 ("pending").
  const distribution = (downLinks: number) => [
    ...pods.map((pod) => ({ series: `rabbitmq_identity_info{${rabbit(pod)},rabbitmq_node="rabbit@${pod}"}`, values: flat(1, 10) })),
    ...pods.flatMap((pod) =>
      pods
        .filter((peer) => peer !== pod)
        .map((peer, index) => ({
          series: `erlang_vm_dist_node_state{${rabbit(pod)},peer="rabbit@${peer}"}`,
          values: flat(pods.indexOf(pod) * 2 + index < downLinks ? 1 : 3, 10),
        })),
    ),
  ];
  return [
    {
      name: 'PostgresReplicationLagHigh',
      expr: `max by (namespace, pod) (cnpg_pg_replication_lag{${ns}}) > 30`,
      for: '5m',
      severity: Severity.TICKET,
      summary: 'A PostgreSQL standby replays WAL more than 30 seconds behind the primary.',
      runbook: 'postgres-replication-lag-high',
      threshold: 'replication lag > 30 s',
      tests: {
        firing: [{ series: [{ series: `cnpg_pg_replication_lag{${postgres}}`, values: flat(31, 15) }], evalTime: '10m', alertLabels: { namespace, pod: 'postgres-1' } }],
        quiet: [{ series: [{ series: `cnpg_pg_replication_lag{${postgres}}`, values: flat(29, 15) }], evalTime: '10m' }],
      },
    },
    {
      name: 'PostgresWalArchivingFailing',
      expr: `cnpg_pg_stat_archiver_last_failed_time{${ns}} > cnpg_pg_stat_archiver_last_archived_time{${ns}}`,
      for: '5m',
      severity: Severity.PAGE,
      summary: 'PostgreSQL fails to archive WAL to the object store: point-in-time recovery and the RPO are at risk.',
      runbook: 'postgres-wal-archiving-failing',
      threshold: 'last failed archival newer than the last successful one',
      tests: {
        firing: [
          {
            series: [
              { series: `cnpg_pg_stat_archiver_last_failed_time{${postgres}}`, values: flat(1000, 15) },
              { series: `cnpg_pg_stat_archiver_last_archived_time{${postgres}}`, values: flat(999, 15) },
            ],
            evalTime: '10m',
            alertLabels: { namespace, pod: 'postgres-1' },
          },
        ],
        quiet: [
          {
            series: [
              { series: `cnpg_pg_stat_archiver_last_failed_time{${postgres}}`, values: flat(1000, 15) },
              { series: `cnpg_pg_stat_archiver_last_archived_time{${postgres}}`, values: flat(1000, 15) },
            ],
            evalTime: '10m',
          },
        ],
      },
    },
    {
      name: 'PostgresWalArchiveBehindRpo',
      expr:
        `cnpg_pg_stat_archiver_seconds_since_last_archival{${ns}} > ${POSTGRES_RPO_SECONDS}\n` +
        `and on (namespace, pod)\ncnpg_collector_pg_wal_archive_status{${ns},value="ready"} > 0`,
      for: '1m',
      severity: Severity.PAGE,
      summary: 'WAL waits to be archived and nothing was archived for longer than the 5-minute RPO.',
      runbook: 'postgres-wal-archive-behind-rpo',
      threshold: 'seconds since last archival > 300 while a WAL segment is ready',
      tests: {
        firing: [
          {
            series: [
              { series: `cnpg_pg_stat_archiver_seconds_since_last_archival{${postgres}}`, values: flat(301, 10) },
              { series: `cnpg_collector_pg_wal_archive_status{${postgres},value="ready"}`, values: flat(1, 10) },
            ],
            evalTime: '5m',
            alertLabels: { namespace, pod: 'postgres-1' },
          },
        ],
        quiet: [
          {
            series: [
              { series: `cnpg_pg_stat_archiver_seconds_since_last_archival{${postgres}}`, values: flat(299, 10) },
              { series: `cnpg_collector_pg_wal_archive_status{${postgres},value="ready"}`, values: flat(1, 10) },
            ],
            evalTime: '5m',
          },
          {
            // An idle database archives nothing and has nothing waiting: no alert.
            series: [
              { series: `cnpg_pg_stat_archiver_seconds_since_last_archival{${postgres}}`, values: flat(3600, 10) },
              { series: `cnpg_collector_pg_wal_archive_status{${postgres},value="ready"}`, values: flat(0, 10) },
            ],
            evalTime: '5m',
          },
        ],
      },
    },
    {
      name: 'PostgresBaseBackupTooOld',
      expr: `time() - max by (namespace) (cnpg_collector_last_available_backup_timestamp{${ns}}) > 93600`,
      for: '10m',
      severity: Severity.TICKET,
      summary: 'The newest base backup is more than 26 hours old: the daily ScheduledBackup did not complete.',
      runbook: 'postgres-base-backup-too-old',
      threshold: 'newest base backup older than 26 h (daily schedule + 2 h)',
      // time() is the seconds since the first sample; a backup at t=0 is 26 h old at 1560m.
      tests: {
        firing: [{ series: [{ series: `cnpg_collector_last_available_backup_timestamp{${postgres}}`, values: flat(0, 1600) }], evalTime: '1575m', alertLabels: { namespace } }],
        quiet: [{ series: [{ series: `cnpg_collector_last_available_backup_timestamp{${postgres}}`, values: flat(0, 1600) }], evalTime: '1555m' }],
      },
    },
    {
      name: 'RedisClusterStateNotOk',
      expr: `redis_cluster_state{${ns}} == 0`,
      for: '1m',
      severity: Severity.PAGE,
      summary: 'A Redis node reports cluster_state:fail: some hash slots are not served.',
      runbook: 'redis-cluster-state-not-ok',
      threshold: 'redis_cluster_state == 0',
      tests: {
        firing: [{ series: [{ series: `redis_cluster_state{${redis}}`, values: flat(0, 10) }], evalTime: '5m', alertLabels: { namespace, pod: 'redis-0' } }],
        quiet: [{ series: [{ series: `redis_cluster_state{${redis}}`, values: flat(1, 10) }], evalTime: '5m' }],
      },
    },
    {
      name: 'RedisDown',
      expr: `redis_up{${ns}} == 0`,
      for: '2m',
      severity: Severity.PAGE,
      summary: 'The Redis exporter cannot reach its Redis node.',
      runbook: 'redis-down',
      threshold: 'redis_up == 0',
      tests: {
        firing: [{ series: [{ series: `redis_up{${redis}}`, values: flat(0, 10) }], evalTime: '5m', alertLabels: { namespace, pod: 'redis-0' } }],
        quiet: [{ series: [{ series: `redis_up{${redis}}`, values: flat(1, 10) }], evalTime: '5m' }],
      },
    },
    {
      name: 'RabbitmqResourceAlarm',
      expr:
        `rabbitmq_alarms_memory_used_watermark{${ns}}\n+ rabbitmq_alarms_free_disk_space_watermark{${ns}}\n` +
        `+ rabbitmq_alarms_file_descriptor_limit{${ns}}\n> 0`,
      for: '2m',
      severity: Severity.PAGE,
      summary: 'A RabbitMQ node raised a memory, disk or file descriptor alarm and blocks publishers.',
      runbook: 'rabbitmq-resource-alarm',
      threshold: 'any rabbitmq_alarms_* > 0',
      tests: {
        firing: [{ series: alarms(1), evalTime: '5m', alertLabels: { namespace, pod: 'rabbitmq-server-0' } }],
        quiet: [{ series: alarms(0), evalTime: '5m' }],
      },
    },
    {
      name: 'RabbitmqNetworkPartition',
      expr:
        `(\n  count by (namespace) (erlang_vm_dist_node_state{${ns},peer=~"rabbit@.*"} == 3)\n` +
        `  or on (namespace)\n  count by (namespace) (rabbitmq_identity_info{${ns}}) * 0\n)\n< on (namespace)\n` +
        `(\n  count by (namespace) (rabbitmq_identity_info{${ns}})\n  * on (namespace)\n  (count by (namespace) (rabbitmq_identity_info{${ns}}) - 1)\n)`,
      for: '2m',
      severity: Severity.PAGE,
      summary: 'RabbitMQ nodes do not all see each other (a partition, or a node paused by pause_minority).',
      runbook: 'rabbitmq-network-partition',
      threshold: 'established Erlang distribution links < n x (n - 1) of n nodes',
      tests: {
        firing: [
          { series: distribution(1), evalTime: '5m', alertLabels: { namespace } },
          { series: distribution(6), evalTime: '5m', alertLabels: { namespace } },
        ],
        quiet: [{ series: distribution(0), evalTime: '5m' }],
      },
    },
  ];
}
