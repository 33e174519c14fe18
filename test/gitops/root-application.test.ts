import { PlatformProject } from '../../lib/gitops/platform-project';
import { ROOT_APPLICATION_LABEL, RootApplication, RootApplicationProps } from '../../lib/gitops/root-application';
import { emptyChart, objectsOf } from '../support/kube';

function bootstrapProject(scope = emptyChart(), namespaces = ['argocd']) {
  return new PlatformProject(scope, 'platform-bootstrap', { namespaces, clusterResourceKinds: [], namespaceResourceKinds: [{ group: 'argoproj.io', kind: 'Application' }] });
}

describe('RootApplication', () => {
  test('syncs dist/argocd/<cluster> into the Argo CD namespace, automated, so the cluster follows Git after bootstrap', () => {
    const chart = emptyChart();
    new RootApplication(chart, 'root', { clusterName: 'production', project: bootstrapProject(chart) });
    const root = objectsOf(chart).find((o) => o.kind === 'Application')!;
    expect(root.metadata).toMatchObject({ name: 'root-production', namespace: 'argocd', labels: { [ROOT_APPLICATION_LABEL]: 'true' } });
    expect(root.spec).toMatchObject({
      project: 'platform-bootstrap',
      source: { path: 'dist/argocd/production', targetRevision: 'main' },
      destination: { namespace: 'argocd', server: 'https://kubernetes.default.svc' },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    });
  });

  test('with all props reads the repository given', () => {
    const chart = emptyChart();
    const props: Required<RootApplicationProps> = {
      clusterName: 'staging',
      project: bootstrapProject(chart),
      repository: { url: 'https://example.com/x.git', revision: 'v2', githubOwner: 'o', githubRepository: 'x' },
    };
    new RootApplication(chart, 'root', props);
    expect(objectsOf(chart).find((o) => o.kind === 'Application')!.spec.source).toMatchObject({ repoURL: 'https://example.com/x.git', targetRevision: 'v2' });
  });

  test('fails on a cluster name that cannot name a folder', () => {
    const chart = emptyChart();
    expect(() => new RootApplication(chart, 'root', { clusterName: 'Prod/EU', project: bootstrapProject(chart) })).toThrow(/clusterName "Prod\/EU"/);
  });

  test('fails with a project that does not allow the Argo CD namespace', () => {
    const chart = emptyChart();
    expect(() => new RootApplication(chart, 'root', { clusterName: 'staging', project: bootstrapProject(chart, ['generator-platform']) })).toThrow(/does not allow namespace "argocd"/);
  });
});
