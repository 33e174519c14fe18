import { PlatformProject, PlatformProjectProps } from '../../lib/gitops/platform-project';
import { PLATFORM_REPOSITORY } from '../../lib/gitops/repository';
import { emptyChart, objectsOf } from '../support/kube';

describe('PlatformProject', () => {
  test('with minimal props accepts only this repository, the given namespaces of its own cluster and the given cluster-scoped kinds', () => {
    const chart = emptyChart();
    new PlatformProject(chart, 'generator-platform', { namespaces: ['generator-platform'], clusterResourceKinds: [{ group: '', kind: 'Namespace' }] });
    const [project] = objectsOf(chart);
    expect(project).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'generator-platform', namespace: 'argocd' } });
    expect(project.spec.sourceRepos).toEqual([PLATFORM_REPOSITORY.url]);
    expect(project.spec.destinations).toEqual([{ server: 'https://kubernetes.default.svc', namespace: 'generator-platform' }]);
    expect(project.spec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
    expect(project.spec.orphanedResources).toEqual({ warn: true });
  });

  test('blocks Secrets, RBAC and Argo CD kinds inside its namespaces unless a whitelist is given', () => {
    const chart = emptyChart();
    new PlatformProject(chart, 'p', { namespaces: ['a'], clusterResourceKinds: [] });
    const [project] = objectsOf(chart);
    expect(project.spec.namespaceResourceBlacklist.map((gk: any) => gk.kind)).toEqual(
      expect.arrayContaining(['Secret', 'Role', 'RoleBinding', 'Application', 'ApplicationSet', 'AppProject']),
    );
    expect(project.spec.namespaceResourceWhitelist).toBeUndefined();
  });

  test('with all props uses the whitelist, the repository and the description given', () => {
    const chart = emptyChart();
    const props: Required<PlatformProjectProps> = {
      repository: { url: 'https://example.com/other.git', revision: 'release', githubOwner: 'o', githubRepository: 'r' },
      namespaces: ['argocd'],
      clusterResourceKinds: [],
      namespaceResourceKinds: [{ group: 'argoproj.io', kind: 'Application' }],
      renderedRbacKinds: [],
      description: 'bootstrap',
      signatureKeys: ['0000000000000A02', '0000000000000A01', '0000000000000A02'],
    };
    const project = new PlatformProject(chart, 'platform-bootstrap', props);
    const [rendered] = objectsOf(chart);
    expect(project.projectName).toBe('platform-bootstrap');
    expect(rendered.spec).toMatchObject({
      description: 'bootstrap',
      sourceRepos: ['https://example.com/other.git'],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [{ group: 'argoproj.io', kind: 'Application' }],
      signatureKeys: [{ keyID: '0000000000000A01' }, { keyID: '0000000000000A02' }],
    });
    expect(rendered.spec.namespaceResourceBlacklist).toBeUndefined();
  });

  test('requires no signature unless signature keys are given (Argo CD verifies only when the list is not empty)', () => {
    const chart = emptyChart();
    new PlatformProject(chart, 'p', { namespaces: ['a'], clusterResourceKinds: [], signatureKeys: [] });
    expect(objectsOf(chart)[0].spec.signatureKeys).toBeUndefined();
  });

  test.each([
    ['lower case, which Argo CD would never match with what gpg prints', '0000000000000a01'],
    ['a short key ID', '00000A01'],
    ['a fingerprint', '00000000000000000000000000000000000A0001'],
  ])('fails for a signature key that is %s', (_, keyId) => {
    expect(() => new PlatformProject(emptyChart(), 'p', { namespaces: ['a'], clusterResourceKinds: [], signatureKeys: [keyId] }))
      .toThrow(`PlatformProject p: signatureKeys lists "${keyId}", which is not a long key ID as gpg prints it. Fix: use 16 upper-case hex digits (gpg --list-keys --keyid-format long)`);
  });

  test('takes only the rendered RBAC kinds off the blacklist; Secrets and Argo CD kinds stay on it', () => {
    const chart = emptyChart();
    new PlatformProject(chart, 'p', { namespaces: ['a'], clusterResourceKinds: [], renderedRbacKinds: [{ group: 'rbac.authorization.k8s.io', kind: 'Role' }, { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' }] });
    const [project] = objectsOf(chart);
    expect(project.spec.namespaceResourceBlacklist.map((gk: any) => gk.kind)).toEqual(['Secret', 'Application', 'ApplicationSet', 'AppProject']);
  });

  test('fails to take a Secret or an Argo CD kind off the blacklist', () => {
    expect(() => new PlatformProject(emptyChart(), 'p', { namespaces: ['a'], clusterResourceKinds: [], renderedRbacKinds: [{ group: '', kind: 'Secret' }] }))
      .toThrow('PlatformProject p: renderedRbacKinds lists /Secret, which is not a namespaced RBAC kind');
  });

  test('fails without a namespace', () => {
    expect(() => new PlatformProject(emptyChart(), 'p', { namespaces: [], clusterResourceKinds: [] })).toThrow(/namespaces is empty/);
  });
});
