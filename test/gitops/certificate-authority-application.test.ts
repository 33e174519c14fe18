import { CertificateAuthorityApplication, CertificateAuthorityApplicationProps } from '../../lib/gitops/certificate-authority-application';
import { PlatformProject } from '../../lib/gitops/platform-project';
import { emptyChart, objectsOf } from '../support/kube';

function project(chart: ReturnType<typeof emptyChart>, namespaces = ['cert-manager', 'rabbitmq-system']): PlatformProject {
  return new PlatformProject(chart, 'platform-certificate-authority', { namespaces, clusterResourceKinds: [{ group: 'cert-manager.io', kind: 'ClusterIssuer' }] });
}

describe('CertificateAuthorityApplication', () => {
  test("with minimal props: syncs the cluster's certificate-authority folder from main, without recursing or pruning, in the cluster-baseline wave", () => {
    const chart = emptyChart();
    const app = new CertificateAuthorityApplication(chart, 'ca', { clusterName: 'staging', project: project(chart), clusterResourceNamespace: 'cert-manager' });
    const application = objectsOf(chart).find((o) => o.kind === 'Application')!;
    expect(application.metadata).toMatchObject({ name: 'certificate-authority', namespace: 'argocd', annotations: { 'argocd.argoproj.io/sync-wave': '-1' } });
    expect(application.spec).toMatchObject({
      project: 'platform-certificate-authority',
      source: { repoURL: 'https://github.com/acme/generator-platform-k8s.git', targetRevision: 'main', path: 'dist/argocd/staging/certificate-authority' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'cert-manager' },
      syncPolicy: { automated: { selfHeal: true } },
    });
    expect(application.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    expect(app.path).toBe('dist/argocd/staging/certificate-authority');
  });

  test('with all props', () => {
    const chart = emptyChart();
    const props: Required<CertificateAuthorityApplicationProps> = {
      clusterName: 'production',
      project: project(chart, ['security', 'rabbitmq-system']),
      clusterResourceNamespace: 'security',
      repository: { url: 'https://git.example.com/platform.git', revision: 'release', githubOwner: 'acme', githubRepository: 'platform' },
    };
    new CertificateAuthorityApplication(chart, 'ca', props);
    const application = objectsOf(chart).find((o) => o.kind === 'Application')!;
    expect(application.spec.source).toMatchObject({ repoURL: 'https://git.example.com/platform.git', targetRevision: 'release', path: 'dist/argocd/production/certificate-authority' });
    expect(application.spec.destination.namespace).toBe('security');
  });

  test('fails when the project does not allow the cluster resource namespace', () => {
    const chart = emptyChart();
    expect(() => new CertificateAuthorityApplication(chart, 'ca', { clusterName: 'staging', project: project(chart, ['rabbitmq-system']), clusterResourceNamespace: 'cert-manager' })).toThrow(
      /does not allow namespace "cert-manager"/,
    );
  });
});
