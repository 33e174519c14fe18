import { AlertDefinition, counterValues, Severity } from './rule-types';

/**
 * The alerts beyond the SLOs, by concern. Every threshold is written into the expression once, and
 * every test case sits just past (firing) and just short of (quiet) it, with literal series.
 */

/** Where the generator's queue lives, for the per-queue metrics of rabbitmq_prometheus. */
export interface GeneratorQueueRef {
  readonly vhost: string;
  readonly queue: string;
}

/** Minutes of samples at one per minute, all the same value, in promtool's notation. */
function flat(value: number, steps: number): string {
  return `${value}x${steps}`;
}

export function generatorAlerts(namespace: string, jobs: GeneratorQueueRef): AlertDefinition[] {
  const ns = `namespace="${namespace}"`;
  const queue = `${ns},vhost="${jobs.vhost}",queue="${jobs.queue}"`;
  const completed = (outcome: string, perMinute: number) => ({
    series: `generator_generations_completed_total{${ns},pod="generator-0",outcome="${outcome}"}`,
    values: counterValues([{ perStep: perMinute, steps: 60 }]),
  });
  const started = (perMinute: number) => ({ series: `generator_generations_started_total{${ns},pod="generator-0"}`, values: counterValues([{ perStep: perMinute, steps: 60 }]) });
  const durations = (aboveShare: number) => [
    { series: `generator_generation_duration_seconds_bucket{${ns},pod="generator-0",le="600"}`, values: counterValues([{ perStep: 1000 * (1 - aboveShare), steps: 60 }]) },
    { series: `generator_generation_duration_seconds_bucket{${ns},pod="generator-0",le="1200"}`, values: counterValues([{ perStep: 1000, steps: 60 }]) },
    { series: `generator_generation_duration_seconds_bucket{${ns},pod="generator-0",le="+Inf"}`, values: counterValues([{ perStep: 1000, steps: 60 }]) },
  ];
  return [
    {
      name: 'GeneratorGenerationsFailing',
      expr:
        `sum by (namespace) (rate(generator_generations_completed_total{${ns},outcome="failed"}[15m]))\n/\n` +
        `sum by (namespace) (rate(generator_generations_completed_total{${ns}}[15m]))\n> 0.1`,
      for: '10m',
      severity: Severity.PAGE,
      summary: 'More than 10% of generations end in failure.',
      runbook: 'generator-generations-failing',
      threshold: 'failed / completed generations > 10% over 15m',
      tests: {
        firing: [{ series: [completed('failed', 10.5), completed('succeeded', 89.5)], evalTime: '40m', alertLabels: { namespace } }],
        quiet: [{ series: [completed('failed', 9.5), completed('succeeded', 90.5)], evalTime: '40m' }],
      },
    },
    {
      name: 'GeneratorGenerationsStalled',
      expr:
        `sum by (namespace) (rate(generator_generations_started_total{${ns}}[30m])) > 0\n` +
        `unless\nsum by (namespace) (rate(generator_generations_completed_total{${ns},outcome="succeeded"}[30m])) > 0`,
      for: '10m',
      severity: Severity.PAGE,
      summary: 'Generations are started but none has succeeded for 30 minutes.',
      runbook: 'generator-generations-stalled',
      threshold: 'generations started, none succeeded over 30m',
      tests: {
        firing: [{ series: [started(5), completed('failed', 5)], evalTime: '50m', alertLabels: { namespace } }],
        quiet: [{ series: [started(5), completed('succeeded', 0.1)], evalTime: '50m' }],
      },
    },
    {
      name: 'GeneratorGenerationsSlow',
      expr: `histogram_quantile(0.95, sum by (namespace, le) (rate(generator_generation_duration_seconds_bucket{${ns}}[30m]))) > 600`,
      for: '15m',
      severity: Severity.TICKET,
      summary: 'The 95th percentile generation takes longer than 10 minutes.',
      runbook: 'generator-generations-slow',
      threshold: 'p95 generation duration > 600 s over 30m',
      // 5.2% above 600 s puts the p95 at ~623 s; 4.8% at ~599 s (buckets 600, 1200, +Inf).
      tests: {
        firing: [{ series: durations(0.052), evalTime: '55m', alertLabels: { namespace } }],
        quiet: [{ series: durations(0.048), evalTime: '55m' }],
      },
    },
    {
      name: 'GeneratorQueueBacklog',
      expr: `sum by (namespace, vhost, queue) (rabbitmq_detailed_queue_messages_ready{${queue}}) > 500`,
      for: '15m',
      severity: Severity.TICKET,
      summary: 'More than 500 generation jobs wait in the queue: the generator does not keep up.',
      runbook: 'generator-queue-backlog',
      threshold: 'ready messages in the job queue > 500',
      tests: {
        firing: [{ series: [{ series: `rabbitmq_detailed_queue_messages_ready{${queue},pod="rabbitmq-server-0"}`, values: flat(501, 30) }], evalTime: '20m', alertLabels: { namespace, vhost: jobs.vhost, queue: jobs.queue } }],
        quiet: [{ series: [{ series: `rabbitmq_detailed_queue_messages_ready{${queue},pod="rabbitmq-server-0"}`, values: flat(500, 30) }], evalTime: '20m' }],
      },
    },
    {
      name: 'GeneratorQueueOldestJobTooOld',
      expr: `max by (namespace) (generator_queue_oldest_message_age_seconds{${ns}}) > 600`,
      for: '5m',
      severity: Severity.PAGE,
      summary: 'The oldest waiting generation job is older than 10 minutes.',
      runbook: 'generator-queue-oldest-job-too-old',
      threshold: 'oldest waiting job > 600 s',
      tests: {
        firing: [{ series: [{ series: `generator_queue_oldest_message_age_seconds{${ns},pod="generator-0"}`, values: flat(601, 20) }], evalTime: '10m', alertLabels: { namespace } }],
        quiet: [{ series: [{ series: `generator_queue_oldest_message_age_seconds{${ns},pod="generator-0"}`, values: flat(599, 20) }], evalTime: '10m' }],
      },
    },
  ];
}

export function saturationAlerts(namespace: string): AlertDefinition[] {
  const ns = `namespace="${namespace}"`;
  const container = `${ns},pod="api-0",container="api"`;
  const throttling = (share: number) => [
    { series: `container_cpu_cfs_periods_total{${container}}`, values: counterValues([{ perStep: 600, steps: 40 }]) },
    { series: `container_cpu_cfs_throttled_periods_total{${container}}`, values: counterValues([{ perStep: 600 * share, steps: 40 }]) },
  ];
  const memory = (usedBytes: number) => [
    { series: `container_memory_working_set_bytes{${container}}`, values: flat(usedBytes, 30) },
    { series: `kube_pod_container_resource_limits{${container},resource="memory",unit="byte"}`, values: flat(1000000000, 30) },
  ];
  const volume = (availableBytes: number) => [
    { series: `kubelet_volume_stats_available_bytes{${ns},persistentvolumeclaim="data-redis-0"}`, values: flat(availableBytes, 20) },
    { series: `kubelet_volume_stats_capacity_bytes{${ns},persistentvolumeclaim="data-redis-0"}`, values: flat(1000000000, 20) },
  ];
  const hpa = (current: number) => [
    { series: `kube_horizontalpodautoscaler_status_current_replicas{${ns},horizontalpodautoscaler="api"}`, values: flat(current, 30) },
    { series: `kube_horizontalpodautoscaler_spec_max_replicas{${ns},horizontalpodautoscaler="api"}`, values: flat(12, 30) },
  ];
  const containerLabels = { namespace, pod: 'api-0', container: 'api' };
  return [
    {
      name: 'ContainerCpuThrottled',
      expr:
        `sum by (namespace, pod, container) (rate(container_cpu_cfs_throttled_periods_total{${ns},container!=""}[5m]))\n/\n` +
        `sum by (namespace, pod, container) (rate(container_cpu_cfs_periods_total{${ns},container!=""}[5m]))\n> 0.25`,
      for: '15m',
      severity: Severity.TICKET,
      summary: 'A container is CPU-throttled in more than 25% of its scheduling periods.',
      runbook: 'container-cpu-throttled',
      threshold: 'throttled / total CFS periods > 25% over 5m',
      tests: {
        firing: [{ series: throttling(0.26), evalTime: '30m', alertLabels: containerLabels }],
        quiet: [{ series: throttling(0.24), evalTime: '30m' }],
      },
    },
    {
      name: 'ContainerMemoryNearLimit',
      expr:
        `max by (namespace, pod, container) (container_memory_working_set_bytes{${ns},container!=""})\n/\n` +
        `max by (namespace, pod, container) (kube_pod_container_resource_limits{${ns},resource="memory"})\n> 0.9`,
      for: '15m',
      severity: Severity.TICKET,
      summary: 'A container uses more than 90% of its memory limit and risks being OOM-killed.',
      runbook: 'container-memory-near-limit',
      threshold: 'working set / memory limit > 90%',
      tests: {
        firing: [{ series: memory(910000000), evalTime: '20m', alertLabels: containerLabels }],
        quiet: [{ series: memory(890000000), evalTime: '20m' }],
      },
    },
    {
      name: 'PersistentVolumeFillingUp',
      expr: `kubelet_volume_stats_available_bytes{${ns}}\n/\nkubelet_volume_stats_capacity_bytes{${ns}}\n< 0.1`,
      for: '5m',
      severity: Severity.PAGE,
      summary: 'A persistent volume has less than 10% of its space left.',
      runbook: 'persistent-volume-filling-up',
      threshold: 'available / capacity < 10%',
      tests: {
        firing: [{ series: volume(90000000), evalTime: '10m', alertLabels: { namespace, persistentvolumeclaim: 'data-redis-0' } }],
        quiet: [{ series: volume(110000000), evalTime: '10m' }],
      },
    },
    {
      name: 'AutoscalerAtMaximum',
      expr: `kube_horizontalpodautoscaler_status_current_replicas{${ns}}\n>=\nkube_horizontalpodautoscaler_spec_max_replicas{${ns}}`,
      for: '15m',
      severity: Severity.TICKET,
      summary: 'An autoscaler has run at its maximum replicas for 15 minutes: it cannot add capacity.',
      runbook: 'autoscaler-at-maximum',
      threshold: 'current replicas >= max replicas',
      tests: {
        firing: [{ series: hpa(12), evalTime: '20m', alertLabels: { namespace, horizontalpodautoscaler: 'api' } }],
        quiet: [{ series: hpa(11), evalTime: '20m' }],
      },
    },
  ];
}

/** Seconds the WAL archive may lag: the 5-minute RPO of docs/disaster-recovery.md. */
export const POSTGRES_RPO_SECONDS = 300;

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

/** Alerts on the platform's pods and certificates, in its namespace. */
export function platformAlerts(namespace: string): AlertDefinition[] {
  const ns = `namespace="${namespace}"`;
  const restarts = (perMinute: number) => [{ series: `kube_pod_container_status_restarts_total{${ns},pod="api-0",container="api"}`, values: counterValues([{ perStep: perMinute, steps: 40 }]) }];
  const certificate = (expiresAt: number) => [{ series: `certmanager_certificate_expiration_timestamp_seconds{${ns},name="api-tls"}`, values: flat(expiresAt, 90) }];
  const notReady = (value: number) => [{ series: `certmanager_certificate_ready_status{${ns},name="redis-tls",condition="False"}`, values: flat(value, 40) }];
  const secretSync = (value: number) => [{ series: `externalsecret_status_condition{${ns},name="redis-password",condition="Ready",status="False"}`, values: flat(value, 60) }];
  return [
    {
      name: 'PodCrashLooping',
      expr: `increase(kube_pod_container_status_restarts_total{${ns}}[15m]) > 3`,
      for: '5m',
      severity: Severity.TICKET,
      summary: 'A container restarted more than 3 times in 15 minutes.',
      runbook: 'pod-crash-looping',
      threshold: 'more than 3 restarts in 15m',
      tests: {
        firing: [{ series: restarts(0.21), evalTime: '30m', alertLabels: { namespace, pod: 'api-0', container: 'api' } }],
        quiet: [{ series: restarts(0.19), evalTime: '30m' }],
      },
    },
    {
      name: 'CertificateExpiringSoon',
      expr: `certmanager_certificate_expiration_timestamp_seconds{${ns}} - time() < 14 * 86400`,
      for: '1h',
      severity: Severity.TICKET,
      summary: 'A certificate expires in less than 14 days and cert-manager has not renewed it.',
      runbook: 'certificate-expiring-soon',
      threshold: 'expires in < 14 days',
      // time() is the seconds since the first sample. Firing: 14 days (1209600 s) remain from 10m on,
      // 13.95 days at 80m. Quiet: 14.0012 days remain at 80m (4800 s).
      tests: {
        firing: [{ series: certificate(1210200), evalTime: '80m', alertLabels: { namespace, name: 'api-tls' } }],
        quiet: [{ series: certificate(1214500), evalTime: '80m' }],
      },
    },
    {
      name: 'CertificateNotReady',
      expr: `certmanager_certificate_ready_status{${ns},condition="False"} == 1`,
      for: '30m',
      severity: Severity.TICKET,
      summary: 'A certificate has not been Ready for 30 minutes: issuance or renewal keeps failing.',
      runbook: 'certificate-not-ready',
      threshold: 'Ready condition False for 30m',
      tests: {
        firing: [{ series: notReady(1), evalTime: '35m', alertLabels: { namespace, name: 'redis-tls', condition: 'False' } }],
        quiet: [{ series: notReady(0), evalTime: '35m' }],
      },
    },
    {
      // A rotated value in Vault reaches the pods only through a synced ExternalSecret; a failing
      // sync keeps the old value and, once Vault revokes it, breaks the consumer.
      name: 'ExternalSecretSyncFailing',
      expr: `externalsecret_status_condition{${ns},condition="Ready",status="False"} == 1`,
      for: '30m',
      severity: Severity.TICKET,
      summary: 'An ExternalSecret has not synced from Vault for 30 minutes: rotated values do not reach the pods.',
      runbook: 'external-secret-sync-failing',
      threshold: 'Ready condition False for 30m',
      tests: {
        firing: [{ series: secretSync(1), evalTime: '35m', alertLabels: { namespace, name: 'redis-password', condition: 'Ready', status: 'False' } }],
        quiet: [{ series: secretSync(0), evalTime: '35m' }],
      },
    },
  ];
}

/** Cluster-wide alerts: rendered once per cluster, not per preview namespace. */
export function clusterAlerts(): AlertDefinition[] {
  const ready = (value: number) => [{ series: 'kube_node_status_condition{node="node-a",condition="Ready",status="true"}', values: flat(value, 30) }];
  return [
    {
      name: 'NodeNotReady',
      expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
      for: '15m',
      severity: Severity.TICKET,
      summary: 'A node has not been Ready for 15 minutes.',
      runbook: 'node-not-ready',
      threshold: 'Ready condition not true for 15m',
      tests: {
        firing: [{ series: ready(0), evalTime: '20m', alertLabels: { node: 'node-a', condition: 'Ready', status: 'true' } }],
        quiet: [{ series: ready(1), evalTime: '20m' }],
      },
    },
  ];
}
