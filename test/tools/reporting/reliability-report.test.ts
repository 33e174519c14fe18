import * as path from 'path';
import { ENVIRONMENTS } from '../../../lib/config/environments';
import { loadRenderedFolder, RenderedObject } from '../../../tools/reporting/manifests';
import { Failure } from '../../../tools/reporting/recovery-figure';
import { postgresSeconds } from '../../../tools/reporting/recovery-points';
import { buildReliabilityReport, formatReliabilityReport, reliabilityReportJson } from '../../../tools/reporting/reliability-report';

/**
 * The reliability half of `npm run report` on production as rendered in dist/, and on copies of
 * it changed in memory the way a careless pull request would: each must fail, naming the setting.
 */
const DIST = path.resolve(__dirname, '..', '..', '..', 'dist');
const PRODUCTION = loadRenderedFolder(DIST).filter((o) => o.environment === 'production' || o.environment.startsWith('argocd/production'));

/** A deep copy of production with `change` applied to the copy of the object `kind`/`name`. */
function productionWith(kind: string, name: string, change: (spec: any) => void): RenderedObject[] {
  const copy = structuredClone(PRODUCTION);
  const target = copy.find((o) => o.kind === kind && o.name === name && o.environment === 'production');
  if (target === undefined) {
    throw new Error(`dist/production has no ${kind}/${name}`);
  }
  change(target.body.spec);
  return copy;
}

function failuresOf(objects: readonly RenderedObject[]): readonly string[] {
  const report = buildReliabilityReport(objects, ENVIRONMENTS);
  const production = report.environments.find((e) => e.environment === 'production');
  expect(report.withinSpecification).toBe(production!.failures.length === 0);
  return production!.failures;
}

describe('production as rendered keeps the specification\'s promises', () => {
  const report = buildReliabilityReport(PRODUCTION, ENVIRONMENTS);
  const production = report.environments.find((e) => e.environment === 'production')!;

  test('no failure: capacity fits, RPO < 5 min, RTO < 15 min, every single failure within the 99.9% budget', () => {
    expect(production.failures).toEqual([]);
    expect(report.withinSpecification).toBe(true);
    expect(formatReliabilityReport(report)).toContain('production: within the specification');
  });

  test('the numbers follow from the rendered settings: sync standby RPO 0, archive_timeout 60 s + upload, Redis node timeout 5 s + 3.1 s', () => {
    const rpo = (subject: string, failure: Failure) => production.rpo.find((f) => f.subject === subject && f.failure === failure)!.seconds;
    expect([Failure.POD, Failure.NODE, Failure.ZONE].map((failure) => rpo('Cluster/postgres', failure))).toEqual([0, 0, 0]);
    expect(rpo('Cluster/postgres', Failure.REGION)).toBe(70);
    expect(rpo('Redis', Failure.POD)).toBe(1);
    expect(production.rto.find((t) => t.subject === 'Redis' && t.failure === Failure.ZONE)!.seconds).toBeCloseTo(8.1);
    // Default tolerations (300 s): tainted at 64 s + 300 s + a new pod's readiness.
    const web = production.rto.find((t) => t.subject === 'Rollout/web' && t.failure === Failure.NODE)!;
    expect(web.seconds).toBeGreaterThan(364);
    expect(web.setting).toContain('unset: the admission default 300 s');
  });

  test('capacity: the peak fits the quota and the node pool (CPU decides: 6 of 8 nodes per zone)', () => {
    const cpu = production.capacity!.resources.find((r) => r.resource === 'cpu')!;
    expect(cpu.peak).toBeLessThanOrEqual(cpu.quota);
    expect(cpu.nodesPerZone).toBeLessThanOrEqual(cpu.maxNodesPerZone);
    expect(cpu.perNode).toBeCloseTo(ENVIRONMENTS.production.nodePool.cpuMillis / 1000);
  });

  test('JSON keeps unbounded numbers as null with a flag', () => {
    const json = JSON.parse(JSON.stringify(reliabilityReportJson(report)));
    const redisRegion = json.environments.find((e: any) => e.environment === 'production').rpo.find((f: any) => f.subject === 'Redis' && f.failure === 'region');
    expect(redisRegion).toMatchObject({ seconds: null, unbounded: true, checked: false });
  });
});

describe('a production that breaks a promise fails, naming the setting', () => {
  test('archive_timeout 600 s: the region-loss RPO is 610 s', () => {
    const failures = failuresOf(productionWith('Cluster', 'postgres', (spec) => (spec.postgresql.parameters.archive_timeout = '600s')));
    expect(failures).toEqual(['production: RPO of Cluster/postgres on region loss is 610 s, not under 300 s: Cluster/postgres spec.postgresql.parameters.archive_timeout = 600s']);
  });

  test('archive_timeout unset: a segment waits until it is full, so the RPO is unbounded', () => {
    const failures = failuresOf(productionWith('Cluster', 'postgres', (spec) => delete spec.postgresql.parameters.archive_timeout));
    expect(failures.join('\n')).toMatch(/RPO of Cluster\/postgres on region loss is unbounded, .*archive_timeout = unset/);
  });

  test('no synchronous replica: losing the primary loses what had not streamed', () => {
    const failures = failuresOf(productionWith('Cluster', 'postgres', (spec) => {
      delete spec.minSyncReplicas;
      delete spec.maxSyncReplicas;
    }));
    expect(failures).toHaveLength(3);
    for (const failure of ['pod', 'node', 'zone']) {
      expect(failures).toContain(`production: RPO of Cluster/postgres on ${failure} loss is unbounded, not under 300 s: Cluster/postgres spec.minSyncReplicas = 0 (needs >= 1 with instances >= 2)`);
    }
  });

  test('a not-ready toleration of 900 s: a failed node\'s pods are replaced after 64 + 900 s + start', () => {
    const failures = failuresOf(productionWith('Rollout', 'web', (spec) => {
      spec.template.spec.tolerations = [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 900 }];
    }));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/^production: RTO of Rollout\/web on node loss is \d+ s, not under 900 s: Rollout\/web spec\.template\.spec\.tolerations node\.kubernetes\.io\/not-ready tolerationSeconds 900$/);
  });

  test('a classic job queue: its messages live on one node', () => {
    const failures = failuresOf(productionWith('Queue', 'rabbitmq-queue-generation-jobs', (spec) => (spec.type = 'classic')));
    expect(failures).toHaveLength(3);
    expect(failures[0]).toContain('Queue/rabbitmq-queue-generation-jobs spec.type = classic');
  });

  test('Redis without the append-only file: a primary restarting within the node timeout comes back empty', () => {
    const objects = structuredClone(PRODUCTION);
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.name === 'redis-config')!.body.data as Record<string, string>;
    expect(config['redis.conf']).toMatch(/^appendonly yes$/m);
    config['redis.conf'] = config['redis.conf'].replace(/^appendonly yes$/m, 'appendonly no');
    expect(failuresOf(objects)).toEqual(['production: RPO of Redis on pod loss is unbounded, not under 300 s: ConfigMap/redis-config redis.conf: appendonly no']);
  });

  test('a quota below the peak: pods would not be admitted', () => {
    const failures = failuresOf(productionWith('ResourceQuota', 'workload-quota', (spec) => (spec.hard['requests.cpu'] = '200')));
    expect(failures).toEqual([expect.stringMatching(/^production: peak cpu 241\.7 exceeds ResourceQuota\/workload-quota requests\.cpu 200/)]);
  });
});

test.each([
  ['60s', 60], ['5min', 300], ['300', 300], ['1h', 3600], ['250ms', 0.25], [undefined, undefined], ['soon', undefined],
])('postgresSeconds(%s) = %s (PostgreSQL time units, seconds by default)', (value, seconds) => {
  expect(postgresSeconds(value)).toBe(seconds);
});
