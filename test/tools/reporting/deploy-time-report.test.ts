import * as path from 'path';
import { RELEASE_BUDGET_SECONDS } from '../../../tools/reporting/budget-constants';
import { buildDeployTimeReport, deployTimeReportJson, formatDeployTimeReport } from '../../../tools/reporting/deploy-time-report';
import { loadRenderedFolder } from '../../../tools/reporting/manifests';
import { globMatches } from '../../../tools/reporting/sync-waves';
import { deployment, hpa, OPTIONS, rollout } from './fixtures';

describe('the deploy-time report', () => {
  test('production fails when one workload is over its 300 s budget; environments without a budget only inform', () => {
    const slow = rollout('api', { canary: { steps: [{ setWeight: 50 }, { pause: { duration: '5m' } }] } }, { replicas: 4 });
    const report = buildDeployTimeReport([
      deployment('web', {}), hpa('Deployment', 'web', 12), slow,
      deployment('web', { replicas: 6, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }, { environment: 'staging' }),
    ], OPTIONS);
    expect(RELEASE_BUDGET_SECONDS).toEqual({ production: 300 });
    expect(report.withinBudget).toBe(false);
    const production = report.environments.find((e) => e.environment === 'production')!;
    expect(production.overBudget.map((e) => e.name)).toEqual(['api']);
    expect(production.maximumSeconds).toBe(420);
    const staging = report.environments.find((e) => e.environment === 'staging')!;
    expect(staging).toMatchObject({ budgetSeconds: undefined, overBudget: [], maximumSeconds: 360 });
    const table = formatDeployTimeReport(report);
    expect(table).toContain('production (budget 300 s per workload)');
    // detection 0 (no Application deploys the fixtures), rollout, pauses, analysis, switch, waves, total, no webhook fallback.
    expect(table).toMatch(/Rollout\/api\s+canary\s+4\s+60 \(30\+20\+5\+5\)\s+0\s+120\s+300\s+0\s+0\s+0\s+420\s+-/);
    expect(table).toContain('maximum 420 of 300 s: OVER BUDGET: Rollout/api 420 (largest: pauses 300 s: pauses 300 s)');
  });

  test('--json gives every component; an unbounded release is null and flagged', () => {
    const manual = rollout('api', { blueGreen: { activeService: 'api', autoPromotionEnabled: false } }, { replicas: 2 });
    const json = JSON.parse(deployTimeReportJson(buildDeployTimeReport([manual], OPTIONS)));
    expect(json.withinBudget).toBe(false);
    expect(json.environments[0].workloads[0]).toMatchObject({ name: 'api', strategy: 'blueGreen', totalSeconds: null, unbounded: true });
    expect(json.environments[0].workloads[0].components.map((c: any) => c.category)).toEqual(['detection', 'rollout', 'pauses', 'analysis', 'switch', 'waves']);
    expect(json.environments[0].workloads[0]).toMatchObject({ ifWebhookFailsSeconds: null, outsideBudgetReason: null });
  });

  test('the rendered production goes from merge to live within 300 s for every service and store, told by the webhook', () => {
    const report = buildDeployTimeReport(loadRenderedFolder(path.resolve(__dirname, '..', '..', '..', 'dist')));
    const production = report.environments.find((e) => e.environment === 'production')!;
    const budgeted = production.estimates.filter((e) => e.budgeted);
    expect(budgeted.map((e) => e.service).sort()).toEqual(['api', 'generator', 'oauth2-proxy', 'postgres', 'rabbitmq', 'redis', 'redis', 'redis', 'web']);
    for (const estimate of budgeted) {
      expect(estimate.components.find((c) => c.category === 'detection')!.detail).toMatch(/^GitHub webhook/);
      expect(`${estimate.kind}/${estimate.name} ${estimate.totalSeconds}`).toMatch(/ \d+(\.\d+)?$/);
      expect(estimate.totalSeconds).toBeLessThanOrEqual(300);
    }
    expect(production.overBudget).toEqual([]);
  });

  test.each([
    ['{web,api}.yaml', 'api.yaml', true],
    ['{web,api}.yaml', 'postgres.yaml', false],
    ['*.yaml', 'web.yaml', true],
    ['w?b.yaml', 'web.yaml', true],
  ])('Argo CD directory glob %s matches %s: %p', (glob, name, expected) => {
    expect(globMatches(glob, name)).toBe(expected);
  });
});
