import { PlatformProject } from '../../lib/gitops/platform-project';
import { PreviewNamespaceApplicationSet, PreviewNamespaceApplicationSetProps } from '../../lib/gitops/preview-namespace-application-set';
import { emptyChart, objectsOf } from '../support/kube';
import { previewParts } from './fixtures';

function previewNamespaceProject(scope: ReturnType<typeof emptyChart>, namespaces = ['generator-platform-pr-*']): PlatformProject {
  return new PlatformProject(scope, 'platform-preview-namespaces', { namespaces, clusterResourceKinds: [{ group: '', kind: 'Namespace' }] });
}

function render(extra: Partial<PreviewNamespaceApplicationSetProps> = {}, namespaces?: string[]) {
  const chart = emptyChart();
  const { base, probe } = previewParts();
  const construct = new PreviewNamespaceApplicationSet(chart, 'preview-namespaces', {
    applicationRepository: { owner: 'acme', repo: 'generator-platform' },
    project: previewNamespaceProject(chart, namespaces),
    baseObjects: base.namespace,
    probeObjects: probe.namespace,
    folder: 'argocd/development/preview-namespace',
    ...extra,
  });
  return { construct, applicationSet: objectsOf(chart).find((o) => o.kind === 'ApplicationSet')! };
}

describe('PreviewNamespaceApplicationSet', () => {
  test("makes the namespace of each labelled pull request of the application repository from this repository's tracked branch", () => {
    const { applicationSet } = render();
    expect(applicationSet.spec.generators).toEqual([
      { pullRequest: { github: { owner: 'acme', repo: 'generator-platform', labels: ['preview'] }, requeueAfterSeconds: 180 } },
    ]);
    const { spec, metadata } = applicationSet.spec.template;
    expect(metadata.name).toBe('preview-{{number}}-namespace');
    expect(spec.project).toBe('platform-preview-namespaces');
    expect(spec.source).toMatchObject({ path: 'dist/argocd/development/preview-namespace', targetRevision: 'main' });
    expect(JSON.stringify(spec.source)).not.toContain('head_sha');
    expect(spec.destination.namespace).toBe('generator-platform-pr-{{number}}');
  });

  test('names the namespace after the pull request and keeps its Pod Security and environment labels', () => {
    const { construct } = render();
    const { base } = previewParts();
    expect(construct.patches.map((p) => `${p.target.kind}/${p.target.name}`)).toEqual(['Namespace/generator-platform-preview']);
    expect(JSON.parse(construct.patches[0].patch)).toEqual([
      { op: 'test', path: '/metadata/name', value: 'generator-platform-preview' },
      { op: 'replace', path: '/metadata/name', value: 'generator-platform-pr-{{number}}' },
    ]);
    const namespace = base.namespace.find((o) => o.kind === 'Namespace')!;
    expect(namespace.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'generator-platform.dev/environment': 'preview' });
  });

  test('holds the namespace with its quota, limits and default-deny policies, which the pull request cannot change', () => {
    const { base } = previewParts();
    expect(base.namespace.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'LimitRange/container-limits',
      'Namespace/generator-platform-preview',
      'NetworkPolicy/allow-dns-egress',
      'NetworkPolicy/default-deny-all',
      'ResourceQuota/workload-quota',
    ]);
    expect(base.content.filter((o) => ['Namespace', 'ResourceQuota', 'LimitRange'].includes(o.kind))).toEqual([]);
    expect(base.content.some((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny-all')).toBe(false);
  });

  test('deletes the namespace, and everything in it, when the pull request closes', () => {
    const { applicationSet } = render();
    expect(applicationSet.spec.template.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(applicationSet.spec.template.spec.syncPolicy).toMatchObject({ automated: { prune: true, selfHeal: true }, syncOptions: expect.arrayContaining(['CreateNamespace=false']) });
  });

  test('with all props selects the pull requests the previews select', () => {
    const props: Omit<Required<PreviewNamespaceApplicationSetProps>, 'project' | 'baseObjects' | 'probeObjects' | 'folder'> = {
      applicationRepository: { owner: 'other', repo: 'app' },
      githubToken: { secretName: 'github-pull-requests', key: 'token' },
      pullRequestLabel: 'deploy-preview',
      requeueAfterSeconds: 60,
      repository: { url: 'https://example.com/x.git', revision: 'release', githubOwner: 'other', githubRepository: 'x' },
    };
    const { applicationSet } = render(props);
    expect(applicationSet.spec.generators[0].pullRequest).toEqual({
      github: { owner: 'other', repo: 'app', labels: ['deploy-preview'], tokenRef: { secretName: 'github-pull-requests', key: 'token' } },
      requeueAfterSeconds: 60,
    });
    expect(applicationSet.spec.template.spec.source).toMatchObject({ repoURL: 'https://example.com/x.git', targetRevision: 'release' });
  });

  test('fails without a Namespace to make', () => {
    const { base, probe } = previewParts();
    expect(() => render({ baseObjects: base.namespace.filter((o) => o.kind !== 'Namespace'), probeObjects: probe.namespace.filter((o) => o.kind !== 'Namespace') })).toThrow(/holds no Namespace/);
  });

  test('fails when the project does not allow the preview namespaces', () => {
    expect(() => render({}, ['generator-platform'])).toThrow(/does not allow the preview namespaces "generator-platform-pr-\{\{number\}\}"/);
  });

  test('fails on a requeue interval that would exhaust the GitHub rate limit', () => {
    expect(() => render({ requeueAfterSeconds: 10 })).toThrow(/requeueAfterSeconds = 10/);
  });
});
