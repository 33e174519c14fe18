import { ClusterBaselineApplication, ClusterBaselineApplicationProps } from '../../lib/gitops/cluster-baseline-application';
import { PlatformProject } from '../../lib/gitops/platform-project';
import { emptyChart, objectsOf } from '../support/kube';

function render(extra: Partial<ClusterBaselineApplicationProps> = {}, namespaces = ['argocd']) {
  const chart = emptyChart();
  const project = new PlatformProject(chart, 'platform-cluster-baseline', {
    namespaces,
    clusterResourceKinds: [{ group: '', kind: 'Namespace' }],
    namespaceResourceKinds: [],
  });
  new ClusterBaselineApplication(chart, 'cluster-baseline', { clusterName: 'production', project, ...extra });
  const objects = objectsOf(chart);
  return { application: objects.find((o) => o.kind === 'Application')!, project: objects.find((o) => o.kind === 'AppProject')! };
}

describe('ClusterBaselineApplication', () => {
  test("syncs the cluster's baseline folder from the tracked branch, after the operators and before the environments", () => {
    const { application } = render();
    expect(application.metadata.name).toBe('cluster-baseline');
    expect(application.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
    expect(application.spec.source).toEqual({ repoURL: 'https://github.com/acme/generator-platform-k8s.git', targetRevision: 'main', path: 'dist/argocd/production/cluster-baseline' });
  });

  test('never prunes: a Namespace pruned by mistake would take every object in it along', () => {
    const { application } = render();
    expect(application.spec.syncPolicy.automated).toEqual({ selfHeal: true });
  });

  test('belongs to a project that allows no namespaced kind, written as a blacklist of every kind (an empty whitelist would be dropped and allow all)', () => {
    const { project } = render();
    expect(project.spec.namespaceResourceBlacklist).toEqual([{ group: '*', kind: '*' }]);
    expect(project.spec.namespaceResourceWhitelist).toBeUndefined();
  });

  test('with all props reads the repository given', () => {
    const props: Omit<Required<ClusterBaselineApplicationProps>, 'clusterName' | 'project'> = {
      repository: { url: 'https://example.com/x.git', revision: 'release', githubOwner: 'o', githubRepository: 'x' },
    };
    expect(render(props).application.spec.source).toMatchObject({ repoURL: 'https://example.com/x.git', targetRevision: 'release' });
  });

  test('fails when its project does not allow its nominal destination', () => {
    expect(() => render({}, ['generator-platform'])).toThrow(/does not allow namespace "argocd"/);
  });
});
