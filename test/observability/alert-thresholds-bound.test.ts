import * as fs from 'fs';
import { PlatformAlertRulesProps, PLATFORM_SLOS, platformRuleGroups } from '../../lib/observability/platform-alert-rules';
import { AlertDefinition, RuleGroupDefinition } from '../../lib/observability/rules/rule-types';
import { BurnRateAlertWindows, MULTI_WINDOW_BURN_RATES, SliKind } from '../../lib/observability/rules/slo-rules';
import { checkAndTest, renderGroups } from './support/promtool';

/**
 * The promtool tests bind the numbers: change a threshold in the typed description, up or down,
 * and the alert's unit tests fail (its firing case stops firing, or its quiet case fires).
 */
const PROPS: PlatformAlertRulesProps = {
  namespace: { namespaceName: 'apps' },
  jobQueue: { queueName: 'generation.jobs' },
  broker: { vhostName: 'generator-platform' },
  publicHosts: [{ service: 'web', hostname: 'app.example.com' }],
  ingressController: { namespace: 'ingress-nginx', metricsServiceName: 'ingress-nginx-controller-metrics' },
};

async function unitTestsOf(groups: readonly RuleGroupDefinition[], alertName: string) {
  const alert = groups.flatMap((g) => g.alerts).find((a) => a.name === alertName)!;
  // Only the unit tests are asserted on here; platform-alert-rules checks the rule files.
  const result = await checkAndTest(renderGroups(groups), [alert], { parallel: 1, check: false });
  fs.rmSync(result.dir, { recursive: true, force: true });
  return result.tests.get(alertName)!;
}

/** The groups with one alert's expression changed at exactly one place. */
function withExpr(alertName: string, from: string, to: string): RuleGroupDefinition[] {
  return platformRuleGroups(PROPS).map((group) => ({
    ...group,
    alerts: group.alerts.map((alert): AlertDefinition => {
      if (alert.name !== alertName) {
        return alert;
      }
      expect(alert.expr.split(from)).toHaveLength(2);
      return { ...alert, expr: alert.expr.replace(from, to) };
    }),
  }));
}

function withBurnRate(alertIndex: number, conditionIndex: number, burnRate: number): readonly BurnRateAlertWindows[] {
  return MULTI_WINDOW_BURN_RATES.map((alert, i) =>
    i !== alertIndex ? alert : { ...alert, conditions: alert.conditions.map((c, j) => (j === conditionIndex ? { ...c, burnRate } : c)) as unknown as BurnRateAlertWindows['conditions'] },
  );
}

describe('changing a threshold fails the promtool unit tests', () => {
  test('the unchanged description passes (the baseline of every case below)', async () => {
    const run = await unitTestsOf(platformRuleGroups(PROPS), 'ApiAvailabilityBudgetBurnPage');
    expect(run.status).toBe(0);
  });

  test.each([
    ['page 14.4x -> 15x', 0, 0, 15, 'ApiAvailabilityBudgetBurnPage'],
    ['page 14.4x -> 14x', 0, 0, 14, 'ApiAvailabilityBudgetBurnPage'],
    ['page 6x -> 5.8x', 0, 1, 5.8, 'ApiAvailabilityBudgetBurnPage'],
    ['ticket 3x -> 3.1x', 1, 0, 3.1, 'ApiAvailabilityBudgetBurnTicket'],
    ['ticket 1x -> 0.95x', 1, 1, 0.95, 'ApiAvailabilityBudgetBurnTicket'],
  ] as const)('SLO burn rate %s', async (_label, alertIndex, conditionIndex, burnRate, alertName) => {
    const run = await unitTestsOf(platformRuleGroups({ ...PROPS, burnRateWindows: withBurnRate(alertIndex, conditionIndex, burnRate) }), alertName);
    expect(run.output).toContain('FAILED');
    expect(run.status).not.toBe(0);
  });

  test('SLO latency threshold of api 0.5 s -> 0.6 s', async () => {
    const objectives = PLATFORM_SLOS.map((o) => (o.service === 'api' && o.sli === SliKind.LATENCY ? { ...o, latencyThresholdSeconds: 0.6 } : o));
    const run = await unitTestsOf(platformRuleGroups({ ...PROPS, objectives }), 'ApiLatencyBudgetBurnPage');
    expect(run.status).not.toBe(0);
  });

  test('SLO objective of web availability 99.9% -> 99.95%', async () => {
    const objectives = PLATFORM_SLOS.map((o) => (o.service === 'web' && o.sli === SliKind.AVAILABILITY ? { ...o, objectivePercent: 99.95 } : o));
    const run = await unitTestsOf(platformRuleGroups({ ...PROPS, objectives }), 'WebAvailabilityBudgetBurnPage');
    expect(run.status).not.toBe(0);
  });

  test.each([
    ['edge page 14.4x -> 15x', 'WebEdgeAvailabilityBudgetBurnPage', '(14.4 * 0.001)', '(15 * 0.001)'],
    ['edge ticket 1x -> 0.95x', 'WebEdgeAvailabilityBudgetBurnTicket', '(1 * 0.001)', '(0.95 * 0.001)'],
  ])('SLO at the edge, %s', async (_label, alertName, from, to) => {
    const groups = platformRuleGroups(PROPS).map((group) => ({
      ...group,
      alerts: group.alerts.map((a): AlertDefinition => (a.name === alertName ? { ...a, expr: a.expr.replaceAll(from, to) } : a)),
    }));
    const run = await unitTestsOf(groups, alertName);
    expect(run.output).toContain('FAILED');
    expect(run.status).not.toBe(0);
  });

  test.each([
    ['GeneratorGenerationsFailing', '> 0.1', '> 0.11'],
    ['GeneratorGenerationsFailing', '> 0.1', '> 0.09'],
    ['GeneratorGenerationsStalled', '[30m])) > 0\n', '[30m])) > 1\n'],
    ['GeneratorGenerationsSlow', '> 600', '> 630'],
    ['GeneratorGenerationsSlow', '> 600', '> 590'],
    ['GeneratorQueueBacklog', '> 500', '> 501'],
    ['GeneratorQueueBacklog', '> 500', '> 499'],
    ['GeneratorQueueOldestJobTooOld', '> 600', '> 610'],
    ['GeneratorQueueOldestJobTooOld', '> 600', '> 590'],
    ['ContainerCpuThrottled', '> 0.25', '> 0.27'],
    ['ContainerCpuThrottled', '> 0.25', '> 0.23'],
    ['ContainerMemoryNearLimit', '> 0.9', '> 0.92'],
    ['ContainerMemoryNearLimit', '> 0.9', '> 0.88'],
    ['PersistentVolumeFillingUp', '< 0.1', '< 0.08'],
    ['PersistentVolumeFillingUp', '< 0.1', '< 0.12'],
    ['AutoscalerAtMaximum', '\n>=\n', '\n>\n'],
    ['PostgresReplicationLagHigh', '> 30', '> 32'],
    ['PostgresReplicationLagHigh', '> 30', '> 28'],
    ['PostgresWalArchivingFailing', '} > cnpg', '} >= cnpg'],
    ['PostgresWalArchiveBehindRpo', '> 300', '> 310'],
    ['PostgresWalArchiveBehindRpo', '> 300', '> 290'],
    ['PostgresBaseBackupTooOld', '> 93600', '> 95000'],
    ['PostgresBaseBackupTooOld', '> 93600', '> 92000'],
    ['RedisClusterStateNotOk', '== 0', '== 1'],
    ['RedisDown', '== 0', '== 1'],
    ['RabbitmqResourceAlarm', '> 0', '> 1'],
    ['RabbitmqNetworkPartition', '- 1)', '- 2)'],
    ['PodCrashLooping', '> 3', '> 3.3'],
    ['PodCrashLooping', '> 3', '> 2.7'],
    ['CertificateExpiringSoon', '< 14 * 86400', '< 13 * 86400'],
    ['CertificateExpiringSoon', '< 14 * 86400', '< 15 * 86400'],
    ['CertificateNotReady', '== 1', '== 0'],
    ['CertificateNotReady', 'condition="False"', 'condition="True"'],
    ['ExternalSecretSyncFailing', '== 1', '== 0'],
    ['ExternalSecretSyncFailing', 'status="False"', 'status="True"'],
    ['NodeNotReady', '== 0', '== 1'],
    ['IngressControllerDown', '== 1', '== 0'],
  ])('%s: %j -> %j', async (alertName, from, to) => {
    const run = await unitTestsOf(withExpr(alertName, from, to), alertName);
    expect(run.output).toContain('FAILED');
    expect(run.status).not.toBe(0);
  });

  test('every alert outside the SLOs is covered by a threshold change above', () => {
    const covered = new Set(['GeneratorGenerationsFailing', 'GeneratorGenerationsStalled', 'GeneratorGenerationsSlow', 'GeneratorQueueBacklog', 'GeneratorQueueOldestJobTooOld', 'ContainerCpuThrottled', 'ContainerMemoryNearLimit', 'PersistentVolumeFillingUp', 'AutoscalerAtMaximum', 'PostgresReplicationLagHigh', 'PostgresWalArchivingFailing', 'PostgresWalArchiveBehindRpo', 'PostgresBaseBackupTooOld', 'RedisClusterStateNotOk', 'RedisDown', 'RabbitmqResourceAlarm', 'RabbitmqNetworkPartition', 'PodCrashLooping', 'CertificateExpiringSoon', 'CertificateNotReady', 'ExternalSecretSyncFailing', 'NodeNotReady', 'IngressControllerDown']);
    const others = platformRuleGroups(PROPS).filter((g) => g.name !== 'slo').flatMap((g) => g.alerts.map((a) => a.name));
    expect(others.sort()).toEqual([...covered].sort());
  });
});
