import { parseAllDocuments } from 'yaml';
import { EnvironmentName } from '../../lib/config/environment-config';
import { CLUSTERS, ClusterConfig } from '../../lib/config/clusters';
import { LOG_RETENTION_DAYS, PRODUCTION_AUDIT_MINIMUM_DAYS, loggingEnvironmentOf, retentionOf } from '../../lib/config/logging';
import { LOG_STREAMS, LogStream, checkedRetention, lokiPeriod } from '../../lib/gitops/logging-retention';
import { renderAllEnvironments } from '../../synth/render';

type Application = { metadata: { name: string }; spec: { source: { helm: { valuesObject: any } } } };

const files = renderAllEnvironments();
const lokiValuesOf = (cluster: string): any => {
  const documents = parseAllDocuments(files.get(`argocd/${cluster}/addons.yaml`)!).map((d) => d.toJS() as Application);
  return documents.find((a) => a.metadata.name === 'loki')!.spec.source.helm.valuesObject;
};
const days = (period: string) => {
  expect(period).toMatch(/^\d+h$/);
  return Number(period.slice(0, -1)) / 24;
};
const production = CLUSTERS.find((c) => c.name === 'production')!;

describe.each(CLUSTERS.map((c) => [c.name, c] as const))('Loki retention on the %s cluster', (clusterName, cluster) => {
  const values = lokiValuesOf(clusterName);
  const table = LOG_RETENTION_DAYS[loggingEnvironmentOf(cluster)]!;

  test('keeps every stream exactly as long as the retention table says', () => {
    const rendered = Object.fromEntries(
      values.loki.limits_config.retention_stream.map((rule: { selector: string; period: string }) => [rule.selector, days(rule.period)]),
    );
    expect(rendered).toEqual(Object.fromEntries(LOG_STREAMS.map((stream) => [`{stream="${stream}"}`, table[stream]])));
  });

  test('keeps a line of no known stream as long as the application logs, the shortest retention', () => {
    expect(days(values.loki.limits_config.retention_period)).toBe(table[LogStream.APPLICATION]);
    expect(table[LogStream.APPLICATION]).toBe(Math.min(...LOG_STREAMS.map((s) => table[s])));
  });

  test('has the compactor enforce retention, with a delete request store', () => {
    expect(values.loki.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 's3' });
  });

  test('keeps audit and security logs longer than application logs', () => {
    expect(table[LogStream.AUDIT]).toBeGreaterThan(table[LogStream.APPLICATION]);
    expect(table[LogStream.SECURITY]).toBeGreaterThan(table[LogStream.APPLICATION]);
  });
});

describe('production retention', () => {
  test.each([LogStream.AUDIT, LogStream.SECURITY])('keeps the %s stream at least a year, in the table and in the rendered Loki values', (stream) => {
    expect(LOG_RETENTION_DAYS[EnvironmentName.PRODUCTION]![stream]).toBeGreaterThanOrEqual(PRODUCTION_AUDIT_MINIMUM_DAYS);
    const rule = lokiValuesOf('production').loki.limits_config.retention_stream.find((r: { selector: string }) => r.selector === `{stream="${stream}"}`);
    expect(days(rule.period)).toBeGreaterThanOrEqual(365);
  });

  test('is the minimum of a year itself, which no one lowers without this test failing', () => {
    expect(PRODUCTION_AUDIT_MINIMUM_DAYS).toBeGreaterThanOrEqual(365);
  });

  test.each([LogStream.AUDIT, LogStream.SECURITY])('refuses a production %s retention under a year', (stream) => {
    const lowered = { ...LOG_RETENTION_DAYS, [EnvironmentName.PRODUCTION]: { ...LOG_RETENTION_DAYS[EnvironmentName.PRODUCTION]!, [stream]: 364 } };
    expect(() => retentionOf(production, lowered)).toThrow(new RegExp(`${stream} retention = 364 days; production keeps audit and security logs at least 365 days`));
  });
});

describe('the retention table', () => {
  test('has the documented numbers (docs/logging.md)', () => {
    expect(LOG_RETENTION_DAYS).toEqual({
      development: { application: 7, system: 7, audit: 30, security: 30 },
      staging: { application: 14, system: 14, audit: 90, security: 90 },
      production: { application: 30, system: 30, audit: 400, security: 400 },
    });
  });

  test.each([0, -1, 1.5])('refuses %s days', (value) => {
    const broken = { ...LOG_RETENTION_DAYS[EnvironmentName.STAGING]!, application: value };
    expect(() => checkedRetention('staging', broken)).toThrow(/cluster staging: application retention = .* days; must be a whole number of days/);
  });

  test('fails for a cluster without an entry, or with more than one environment', () => {
    const preview: ClusterConfig = { name: 'previews', environments: [EnvironmentName.PREVIEW], runsPreviews: true, selfHeal: true };
    expect(() => retentionOf(preview)).toThrow(/LOG_RETENTION_DAYS has no entry for environment "preview"/);
    const shared: ClusterConfig = { ...preview, environments: [EnvironmentName.DEVELOPMENT, EnvironmentName.STAGING] };
    expect(() => retentionOf(shared)).toThrow(/needs exactly one per cluster/);
  });

  test('is written in hours for Loki, a multiple of the 24h index period', () => {
    expect(lokiPeriod(400)).toBe('9600h');
  });
});
