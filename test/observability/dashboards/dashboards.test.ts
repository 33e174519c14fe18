import type { Dashboard, Panel } from '@grafana/schema';
import { DASHBOARD_SCHEMA_VERSION, dashboardUid } from '../../../lib/observability/dashboards/dashboard';
import { dataStoresDashboard } from '../../../lib/observability/dashboards/data-stores';
import { DEAD_LETTER_QUEUE, JOB_QUEUE, generatorPipelineDashboard } from '../../../lib/observability/dashboards/generator-pipeline';
import { layOut, promTarget, stat, timeSeries } from '../../../lib/observability/dashboards/panels';
import { platformOverviewDashboard } from '../../../lib/observability/dashboards/platform-overview';
import { dataPanels, metricNames, rows } from './promql';

const NAMESPACE = 'generator-platform';
const overview = platformOverviewDashboard({ namespace: NAMESPACE });
const pipeline = generatorPipelineDashboard({ namespace: NAMESPACE });
const stores = dataStoresDashboard({ namespace: NAMESPACE });
const BUILDERS: Record<string, (options: { namespace: string }) => Dashboard> = {
  'platform overview': platformOverviewDashboard,
  'generator pipeline': generatorPipelineDashboard,
  'data stores': dataStoresDashboard,
};
const ALL: Array<[string, Dashboard]> = [
  ['platform overview', overview],
  ['generator pipeline', pipeline],
  ['data stores', stores],
];

function panel(dashboard: Dashboard, title: string): Panel {
  const found = dataPanels(dashboard).find((p) => p.title === title);
  if (found === undefined) {
    throw new Error(`no panel "${title}"; have: ${dataPanels(dashboard).map((p) => p.title).join(', ')}`);
  }
  return found;
}

function exprs(p: Panel): string[] {
  return (p.targets ?? []).map((t) => String(t.expr));
}

function metricsOf(p: Panel): string[] {
  return exprs(p).flatMap(metricNames);
}

describe('platform overview', () => {
  test.each(['web', 'api'])('shows %s against its 99.9%% availability objective over 30 days and the error budget left', (service) => {
    const availability = panel(overview, `${service} availability (30d)`);
    expect(availability.type).toBe('stat');
    expect(exprs(availability)[0]).toContain(`http_requests_total{namespace="$namespace",service="${service}",code=~"5.."}[30d]`);
    expect(availability.targets?.[0]).toMatchObject({ instant: true, range: false });
    expect(availability.fieldConfig?.defaults.thresholds?.steps).toEqual([
      { color: 'red', value: null },
      { color: 'orange', value: 0.999 },
      { color: 'green', value: 0.9995 },
    ]);
    const budget = panel(overview, `${service} error budget remaining (30d)`);
    expect(exprs(budget)[0]).toMatch(/^1 - \([\s\S]*\[30d\][\s\S]*\) \/ 0\.001$/);
  });

  test.each(['web', 'api'])('shows how fast %s burns its budget over the multiwindow alerting windows', (service) => {
    const burn = panel(overview, `${service} error budget burn rate`);
    expect((burn.targets ?? []).map((t) => t.legendFormat)).toEqual(['burn rate 5m', 'burn rate 30m', 'burn rate 1h', 'burn rate 6h']);
    expect(exprs(burn).every((e) => e.endsWith(' / 0.001'))).toBe(true);
    expect(burn.fieldConfig?.defaults.thresholds?.steps.map((s) => s.value)).toEqual([null, 6, 14.4]);
  });

  test.each([
    ['web', 0.8],
    ['api', 0.5],
  ])('shows %s traffic by status code, 5xx ratio and p50/p95/p99 latency against its p95 objective', (service, p95) => {
    expect(exprs(panel(overview, `${service} request rate`))).toEqual([`sum by (code) (rate(http_requests_total{namespace="$namespace",service="${service}"}[$__rate_interval]))`]);
    expect(exprs(panel(overview, `${service} 5xx ratio`))[0]).toContain('code=~"5.."');
    const latency = panel(overview, `${service} latency p50 / p95 / p99`);
    expect(exprs(latency)).toEqual(
      [0.5, 0.95, 0.99].map((q) => `histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="$namespace",service="${service}"}[$__rate_interval])))`),
    );
    expect(latency.fieldConfig?.defaults.thresholds?.steps[1]).toEqual({ color: 'orange', value: p95 });
  });

  test('reads the raw metrics of the container contract, not recording rules', () => {
    const metrics = new Set(dataPanels(overview).flatMap(metricsOf));
    expect([...metrics].sort()).toEqual(['http_request_duration_seconds_bucket', 'http_requests_total']);
  });
});

describe('generator pipeline', () => {
  test('shows generations started, succeeded and failed, their success ratio and duration percentiles', () => {
    expect((panel(pipeline, 'Generations started / succeeded / failed').targets ?? []).map((t) => t.legendFormat)).toEqual(['started', 'succeeded', 'failed']);
    expect(exprs(panel(pipeline, 'Generation success ratio'))[0]).toContain('outcome="succeeded"');
    expect(exprs(panel(pipeline, 'Generation success ratio (24h)'))[0]).toContain('[24h]');
    const duration = panel(pipeline, 'Generation duration p50 / p95 / p99');
    expect(metricsOf(duration)).toEqual(Array(3).fill('generator_generation_duration_seconds_bucket'));
    expect(exprs(duration).map((e) => e.split(',')[0])).toEqual(['histogram_quantile(0.5', 'histogram_quantile(0.95', 'histogram_quantile(0.99']);
  });

  test('shows the job queue backlog, its consumers and the dead-letter queue depth', () => {
    expect(exprs(panel(pipeline, 'Queue backlog'))).toContain(`max(rabbitmq_detailed_queue_messages_ready{namespace="$namespace",queue="${JOB_QUEUE}"})`);
    expect(exprs(panel(pipeline, 'Queue consumers'))).toEqual([`max(rabbitmq_detailed_queue_consumers{namespace="$namespace",queue="${JOB_QUEUE}"})`]);
    expect(exprs(panel(pipeline, 'Dead-letter queue depth'))).toEqual([`max(rabbitmq_detailed_queue_messages{namespace="$namespace",queue="${DEAD_LETTER_QUEUE}"})`]);
    expect(DEAD_LETTER_QUEUE).toBe('generation.jobs.dead-letter');
  });

  test("shows the generator replicas of KEDA's HorizontalPodAutoscaler and whether they are at the maximum", () => {
    const replicas = panel(pipeline, 'Generator replicas (KEDA / HPA)');
    expect(metricsOf(replicas)).toEqual([
      'kube_horizontalpodautoscaler_status_current_replicas',
      'kube_horizontalpodautoscaler_status_desired_replicas',
      'kube_horizontalpodautoscaler_spec_min_replicas',
      'kube_horizontalpodautoscaler_spec_max_replicas',
    ]);
    expect(exprs(replicas)[0]).toContain('horizontalpodautoscaler="keda-hpa-generator-queue-depth"');
    expect(exprs(panel(pipeline, 'Replicas at maximum'))[0]).toContain('>= bool');
  });
});

describe('data stores', () => {
  test.each([
    ['PostgreSQL replication lag', ['cnpg_pg_replication_lag']],
    ['WAL archive failures (1h)', ['cnpg_pg_stat_archiver_failed_count', 'cnpg_pg_replication_in_recovery']],
    ['Last archived WAL age', ['cnpg_pg_stat_archiver_seconds_since_last_archival', 'cnpg_pg_replication_in_recovery']],
    ['Last base backup age', ['cnpg_collector_last_available_backup_timestamp']],
    ['Latest backup attempt', ['cnpg_collector_last_available_backup_timestamp', 'cnpg_collector_last_failed_backup_timestamp']],
    ['PostgreSQL server connections', ['cnpg_backends_total', 'cnpg_pg_settings_setting']],
    ['Pooler connections (PgBouncer)', ['cnpg_pgbouncer_pools_cl_active', 'cnpg_pgbouncer_pools_cl_waiting', 'cnpg_pgbouncer_pools_sv_active', 'cnpg_pgbouncer_pools_sv_idle']],
    ['Redis cluster state', ['redis_cluster_state']],
    ['Redis memory used / maxmemory', ['redis_memory_used_bytes', 'redis_memory_max_bytes']],
    ['Redis operations per second', ['redis_commands_processed_total']],
    ['Redis keyspace hit ratio', ['redis_keyspace_hits_total', 'redis_keyspace_hits_total', 'redis_keyspace_misses_total']],
    ['RabbitMQ messages', ['rabbitmq_detailed_queue_messages_ready', 'rabbitmq_detailed_queue_messages_unacked']],
    ['RabbitMQ resource alarms', ['rabbitmq_alarms_memory_used_watermark', 'rabbitmq_alarms_free_disk_space_watermark', 'rabbitmq_alarms_file_descriptor_limit']],
    ['RabbitMQ network partitions', ['rabbitmq_unreachable_cluster_peers_count']],
    ['RabbitMQ nodes running', ['rabbitmq_identity_info']],
  ])('"%s" reads %j', (title, metrics) => {
    expect(metricsOf(panel(stores, title))).toEqual(metrics);
  });

  test('archiving is judged on the primary only: standbys report archiver statistics that never advance', () => {
    expect(exprs(panel(stores, 'Last archived WAL age'))[0]).toContain('and on (pod) (cnpg_pg_replication_in_recovery{namespace="$namespace"} == 0)');
  });

  test('has a section per store', () => {
    expect(rows(stores).map((r) => r.title)).toEqual(['PostgreSQL (CloudNativePG)', 'Redis cluster', 'RabbitMQ']);
  });
});

describe.each(ALL)('the %s dashboard', (name, dashboard) => {
  test('is read-only, on the Grafana 11.6 schema, in UTC, with a bounded time range and refresh', () => {
    expect(dashboard).toMatchObject({ editable: false, schemaVersion: 41, timezone: 'utc', time: { to: 'now' } });
    expect(DASHBOARD_SCHEMA_VERSION).toBe(41);
    expect(dashboard.time?.from).toMatch(/^now-\d+h$/);
    expect(dashboard.refresh).toMatch(/^\d+[sm]$/);
  });

  test('reads Prometheus through a data source variable, and every selector through the namespace variable', () => {
    const [datasource, namespace] = dashboard.templating?.list ?? [];
    expect(datasource).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    expect(namespace).toMatchObject({ name: 'namespace', type: 'query', current: { text: NAMESPACE, value: NAMESPACE } });
    for (const p of dataPanels(dashboard)) {
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const target of p.targets ?? []) {
        expect(target).toMatchObject({ datasource: { type: 'prometheus', uid: '${datasource}' } });
      }
    }
  });

  test('every panel has a title, a description, a unit and at least one query with a unique refId', () => {
    for (const p of dataPanels(dashboard)) {
      expect(p.title).toBeTruthy();
      expect(p.description).toBeTruthy();
      expect(p.fieldConfig?.defaults.unit).toBeTruthy();
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(refIds.length).toBeGreaterThan(0);
      expect(new Set(refIds).size).toBe(refIds.length);
    }
  });

  test('panel ids and titles are unique, and panels tile the 24-column grid without overlaps or holes', () => {
    const panels = dashboard.panels ?? [];
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const titles = dataPanels(dashboard).map((p) => p.title);
    expect(new Set(titles).size).toBe(titles.length);
    const cells = new Set<string>();
    for (const p of panels) {
      const { x, y, w, h } = p.gridPos!;
      expect(x + w).toBeLessThanOrEqual(24);
      for (let cx = x; cx < x + w; cx++) {
        for (let cy = y; cy < y + h; cy++) {
          expect(cells.has(`${cx},${cy}`)).toBe(false);
          cells.add(`${cx},${cy}`);
        }
      }
    }
    const height = Math.max(...panels.map((p) => p.gridPos!.y + p.gridPos!.h));
    expect(cells.size).toBe(24 * height);
  });

  test('is built the same way twice (no timestamps, no random ids)', () => {
    expect(JSON.stringify(BUILDERS[name]({ namespace: NAMESPACE }))).toBe(JSON.stringify(dashboard));
  });
});

describe('uids', () => {
  test('are stable: the same namespace always gives the same uid', () => {
    expect(ALL.map(([, d]) => d.uid)).toEqual(['gp-overview-35295e3aa1', 'gp-generator-pipeline-35295e3aa1', 'gp-data-stores-35295e3aa1']);
    expect(platformOverviewDashboard({ namespace: NAMESPACE }).uid).toBe(overview.uid);
  });

  test('are unique per dashboard and per namespace, so environments sharing a Grafana never collide', () => {
    const preview = [platformOverviewDashboard, generatorPipelineDashboard, dataStoresDashboard].map((f) => f({ namespace: 'generator-platform-pr-42' }));
    const uids = [...ALL.map(([, d]) => d.uid), ...preview.map((d) => d.uid)];
    expect(new Set(uids).size).toBe(6);
    expect(uids.every((uid) => /^[a-z0-9-]{1,40}$/.test(uid ?? ''))).toBe(true);
    expect(preview[0].title).toBe('Generator Platform: overview (generator-platform-pr-42)');
  });

  test('fails for a slug that is not a short lower-case name', () => {
    expect(() => dashboardUid('Overview', 'ns')).toThrow('dashboard slug "Overview"');
    expect(() => dashboardUid('a-very-long-dashboard-slug-name-x', 'ns')).toThrow('at most 26 characters');
  });
});

describe('panel builders', () => {
  test('promTarget makes a range query by default, and refIds run A, B, C in query order', () => {
    const p = timeSeries({ title: 't', description: 'd', unit: 'short', width: 6, targets: [promTarget('up', 'a'), promTarget('up', 'b')] });
    expect(p.targets).toEqual([
      { refId: 'A', datasource: { type: 'prometheus', uid: '${datasource}' }, expr: 'up', legendFormat: 'a', range: true, instant: false, editorMode: 'code' },
      { refId: 'B', datasource: { type: 'prometheus', uid: '${datasource}' }, expr: 'up', legendFormat: 'b', range: true, instant: false, editorMode: 'code' },
    ]);
  });

  test('fail for a panel without queries or wider than the grid', () => {
    expect(() => stat({ title: 't', description: 'd', unit: 'short', width: 6, targets: [] })).toThrow('a panel has 0 queries');
    const wide = stat({ title: 'wide', description: 'd', unit: 'short', width: 25, targets: [promTarget('up', 'a')] });
    expect(() => layOut([{ title: 's', panels: [wide] }])).toThrow('panel "wide" is 25 columns wide');
  });

  test('layOut wraps panels that do not fit the row onto the next one', () => {
    const p = (title: string, width: number) => ({ ...stat({ title, description: 'd', unit: 'short', width, targets: [promTarget('up', 'a')] }), height: 4 });
    const placed = layOut([{ title: 'section', panels: [p('a', 16), p('b', 16)] }]);
    expect(placed.map((x) => [x.title, x.gridPos])).toEqual([
      ['section', { x: 0, y: 0, w: 24, h: 1 }],
      ['a', { x: 0, y: 1, w: 16, h: 4 }],
      ['b', { x: 0, y: 5, w: 16, h: 4 }],
    ]);
  });
});
