import { buildDeployTimeReport, formatDeployTimeReport } from '../../../tools/reporting/deploy-time-report';
import { RenderedObject } from '../../../tools/reporting/manifests';
import { TimeCategory } from '../../../tools/reporting/release-estimate';
import { estimateEnvironment } from '../../../tools/reporting/release-time';
import { deployment, object, OPTIONS } from './fixtures';

const seconds = (estimate: { components: readonly { category: TimeCategory; seconds: number }[] }, category: TimeCategory) =>
  estimate.components.filter((c) => c.category === category).reduce((sum, c) => sum + c.seconds, 0);

const postgres = (spec: Record<string, unknown>) => object('postgresql.cnpg.io/v1', 'Cluster', 'postgres', { instances: 3, primaryUpdateStrategy: 'unsupervised', primaryUpdateMethod: 'switchover', ...spec });
const rabbitmq = (spec: Record<string, unknown>) => object('rabbitmq.com/v1beta1', 'RabbitmqCluster', 'rabbitmq', { replicas: 3, terminationGracePeriodSeconds: 600, ...spec });

/** The production cluster's folder: the environment's Application and, optionally, the webhook secret. */
function argoCd(withWebhook: boolean): RenderedObject[] {
  const application = object('argoproj.io/v1alpha1', 'Application', 'generator-platform-production', {
    source: { repoURL: 'https://github.com/acme/generator-platform-k8s.git', path: 'dist/production' },
  }, { environment: 'argocd/production', annotations: { 'argocd.argoproj.io/sync-wave': '1' } });
  const secret = object('external-secrets.io/v1beta1', 'ExternalSecret', 'argocd-secret', {
    secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault-argocd' },
    target: { name: 'argocd-secret', creationPolicy: 'Merge' },
    data: [{ secretKey: 'webhook.github.secret', remoteRef: { key: 'generator-platform/production/argocd', property: 'webhook.github.secret' } }],
  }, { environment: 'argocd/production', namespace: 'argocd' });
  return withWebhook ? [application, secret] : [application];
}

describe('stores', () => {
  test('a CloudNativePG Cluster of 3 instances: 2 replicas then the primary, each stopped and recreated (10 + 30 + 20 + 10 s), plus the switchover', () => {
    const [estimate] = estimateEnvironment([postgres({})], [], OPTIONS);
    // Pod: pull 30 + start 20 (on the 10 s startup probe) + one 10 s readiness period.
    expect(estimate.pod.totalSeconds).toBe(60);
    expect(seconds(estimate, TimeCategory.ROLLOUT)).toBe(3 * 70);
    expect(seconds(estimate, TimeCategory.SWITCH)).toBe(10);
    expect(estimate).toMatchObject({ kind: 'Cluster', replicas: 3, strategy: 'unsupervised/switchover', budgeted: true, totalSeconds: 220 });
  });

  test.each([
    [5, 5 * 70 + 10],
    [1, 70],
  ])('a Cluster of %d instance(s) takes %d s', (instances, total) => {
    expect(estimateEnvironment([postgres({ instances })], [], OPTIONS)[0].totalSeconds).toBe(total);
  });

  test('a supervised primary update waits for a person: unbounded; a Cluster of another API group is not a store', () => {
    expect(estimateEnvironment([postgres({ primaryUpdateStrategy: 'supervised' })], [], OPTIONS)[0].totalSeconds).toBe(Infinity);
    expect(estimateEnvironment([object('example.com/v1', 'Cluster', 'other', {})], [], OPTIONS)).toEqual([]);
  });

  test('a RabbitmqCluster rolls one node at a time: stop 10 s (within its 600 s grace) + pull 30 + start 20 + readiness 10 + 10', () => {
    const [estimate] = estimateEnvironment([rabbitmq({})], [], OPTIONS);
    expect(estimate).toMatchObject({ kind: 'RabbitmqCluster', replicas: 3, budgeted: true, totalSeconds: 3 * 80 });
    // A grace period shorter than the expected stop bounds it.
    expect(estimateEnvironment([rabbitmq({ replicas: 1, terminationGracePeriodSeconds: 4 })], [], OPTIONS)[0].totalSeconds).toBe(74);
  });

  test('a slow store fails production, named with its largest part', () => {
    const report = buildDeployTimeReport([rabbitmq({ replicas: 5 })], OPTIONS);
    expect(report.withinBudget).toBe(false);
    expect(formatDeployTimeReport(report)).toContain('OVER BUDGET: RabbitmqCluster/rabbitmq 400 (largest: rollout 400 s: 5 pods one at a time x (stop 10 s of terminationGracePeriodSeconds 600 s + 70 s))');
  });
});

describe('detection of the merge', () => {
  test('with the GitHub webhook secret in the cluster folder: delivery 10 s + refresh 15 s; polling is the "if the webhook fails" figure', () => {
    const report = buildDeployTimeReport([deployment('web', { replicas: 1 }), ...argoCd(true)], OPTIONS);
    const [web] = report.environments.find((e) => e.environment === 'production')!.estimates;
    expect(seconds(web, TimeCategory.DETECTION)).toBe(25);
    // Rollout 60; the Application is its folder's only one, so no Application wave is ahead.
    expect(web.totalSeconds).toBe(25 + 60);
    expect(web.fallbackTotalSeconds).toBe(375 + 60);
    expect(report.withinBudget).toBe(true);
    expect(formatDeployTimeReport(report)).toMatch(/Deployment\/web\s+RollingUpdate\s+1\s+60 \(30\+20\+5\+5\)\s+25\s+60\s+0\s+0\s+0\s+0\s+85\s+435/);
  });

  test('without the webhook, a reconciliation timeout of 600 s makes production fail, naming the setting', () => {
    const report = buildDeployTimeReport([deployment('web', { replicas: 1 }), ...argoCd(false)], { ...OPTIONS, reconciliationTimeoutSeconds: 600 });
    const [web] = report.environments.find((e) => e.environment === 'production')!.estimates;
    expect(web.totalSeconds).toBe(2 * 600 + 15 + 60);
    expect(web.fallbackTotalSeconds).toBeUndefined();
    expect(report.withinBudget).toBe(false);
    expect(formatDeployTimeReport(report)).toContain('(largest: detection 1215 s: no GitHub webhook secret in argocd/production (argocd-secret webhook.github.secret): polling: 2 x timeout.reconciliation 600 s + timeout.reconciliation.jitter 0 s + refresh 15 s = 1215 s)');
  });

  test('the default 180 s period without the webhook is over the budget too: polling alone costs 375 s', () => {
    const report = buildDeployTimeReport([deployment('web', { replicas: 1 }), ...argoCd(false)], OPTIONS);
    expect(report.environments.find((e) => e.environment === 'production')!.overBudget.map((e) => e.totalSeconds)).toEqual([375 + 60]);
  });

  test('polling switched off (period 0) and no webhook: a merge waits for a manual refresh, unbounded', () => {
    const report = buildDeployTimeReport([deployment('web', { replicas: 1 }), ...argoCd(false)], { ...OPTIONS, reconciliationTimeoutSeconds: 0 });
    expect(report.environments.find((e) => e.environment === 'production')!.estimates[0].totalSeconds).toBe(Infinity);
  });
});
