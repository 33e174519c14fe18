import { ENVIRONMENTS } from '../../lib/config/environments';
import { EnvironmentApplication, EnvironmentApplicationProps } from '../../lib/gitops/environment-application';
import { PLATFORM_REPOSITORY } from '../../lib/gitops/repository';
import { emptyChart, objectsOf } from '../support/kube';
import { environmentChart, platformProject } from './fixtures';

describe('EnvironmentApplication', () => {
  test('syncs dist/<environment> into its namespace, automated with prune and self-heal, server-side', () => {
    const chart = emptyChart();
    new EnvironmentApplication(chart, 'staging', { environmentName: 'staging', namespace: ENVIRONMENTS.staging.namespace, environmentChart: environmentChart(ENVIRONMENTS.staging), project: platformProject(chart) });
    const application = objectsOf(chart).find((o) => o.kind === 'Application')!;
    expect(application.metadata).toMatchObject({ name: 'generator-platform-staging', namespace: 'argocd' });
    expect((application.metadata as Record<string, unknown>).finalizers).toBeUndefined();
    expect(application.spec).toMatchObject({
      project: 'generator-platform',
      source: { repoURL: PLATFORM_REPOSITORY.url, targetRevision: 'main', path: 'dist/staging' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'generator-platform' },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true', 'CreateNamespace=false', 'PruneLast=true'],
        retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
      },
    });
  });

  test.each(['staging', 'production'] as const)('in %s ignores /spec/replicas of exactly the workloads an HPA or a ScaledObject scales', (env) => {
    const chart = emptyChart();
    const rendered = environmentChart(ENVIRONMENTS[env]);
    new EnvironmentApplication(chart, env, { environmentName: env, namespace: ENVIRONMENTS[env].namespace, environmentChart: rendered, project: platformProject(chart) });
    const application = objectsOf(chart).find((o) => o.kind === 'Application')!;
    const objects = objectsOf(rendered);
    const scaled = objects
      .filter((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject')
      .map((o) => `${o.spec.scaleTargetRef.kind ?? 'Deployment'}/${o.spec.scaleTargetRef.name}`)
      .sort();
    expect(scaled).toEqual(expect.arrayContaining(['api', 'generator', 'web'].map((n) => expect.stringMatching(new RegExp(`/${n}$`)))));
    const ignored = application.spec.ignoreDifferences;
    expect(ignored.map((i: any) => `${i.kind}/${i.name}`).sort()).toEqual(scaled);
    for (const entry of ignored) {
      expect(entry.jsonPointers).toEqual(['/spec/replicas']);
      expect(objects.some((o) => o.kind === entry.kind && o.metadata.name === entry.name && o.metadata.namespace === entry.namespace)).toBe(true);
    }
  });

  test('in development, where nothing autoscales, ignores no difference', () => {
    const chart = emptyChart();
    new EnvironmentApplication(chart, 'development', { environmentName: 'development', namespace: ENVIRONMENTS.development.namespace, environmentChart: environmentChart(ENVIRONMENTS.development), project: platformProject(chart) });
    expect(objectsOf(chart).find((o) => o.kind === 'Application')!.spec.ignoreDifferences).toBeUndefined();
  });

  test('with all props uses the repository, self-heal switch and retry limit given', () => {
    const chart = emptyChart();
    const props: Required<EnvironmentApplicationProps> = {
      environmentName: 'production',
      namespace: ENVIRONMENTS.production.namespace,
      environmentChart: environmentChart(ENVIRONMENTS.production),
      project: platformProject(chart),
      repository: { url: 'https://example.com/fork.git', revision: 'release-1', githubOwner: 'o', githubRepository: 'r' },
      selfHeal: false,
      retryLimit: 2,
    };
    new EnvironmentApplication(chart, 'production', props);
    const application = objectsOf(chart).find((o) => o.kind === 'Application')!;
    expect(application.spec.source).toMatchObject({ repoURL: 'https://example.com/fork.git', targetRevision: 'release-1', path: 'dist/production' });
    expect(application.spec.syncPolicy.automated).toEqual({ prune: true });
    expect(application.spec.syncPolicy.retry.limit).toBe(2);
  });

  test('fails when the project does not allow the namespace', () => {
    const chart = emptyChart();
    expect(
      () => new EnvironmentApplication(chart, 'staging', { environmentName: 'staging', namespace: ENVIRONMENTS.staging.namespace, environmentChart: environmentChart(ENVIRONMENTS.staging), project: platformProject(chart, ['other']) }),
    ).toThrow(/does not allow namespace "generator-platform"/);
  });

  test('fails on a retry limit below 1', () => {
    const chart = emptyChart();
    expect(
      () =>
        new EnvironmentApplication(chart, 'staging', { environmentName: 'staging', namespace: ENVIRONMENTS.staging.namespace, environmentChart: environmentChart(ENVIRONMENTS.staging), project: platformProject(chart), retryLimit: 0 }),
    ).toThrow(/retryLimit = 0/);
  });
});
