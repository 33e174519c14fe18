import { ENVIRONMENTS } from '../../lib/config/environments';
import { PreviewApplicationSet, PreviewApplicationSetProps, globMatches } from '../../lib/gitops/preview-application-set';
import { PREVIEW_PROBE_ID, previewPatches } from '../../lib/gitops/preview-parametrization';
import { emptyChart, objectsOf } from '../support/kube';
import { environmentChart, platformProject, previewParts } from './fixtures';
import { renderedObjectsOf } from '../../lib/gitops/rendered-objects';

/** dist/preview's web, api and generator repositories. */
const imageRepositories = ['web', 'api', 'generator'].map((service) => `ghcr.io/acme/generator-platform-${service}`);
/** The application repository, whose pull requests are previewed. */
const applicationRepository = { owner: 'acme', repo: 'generator-platform' };

function render(extra: Partial<PreviewApplicationSetProps> = {}, namespaces?: string[]) {
  const chart = emptyChart();
  const { base, probe } = previewParts();
  const construct = new PreviewApplicationSet(chart, 'previews', { applicationRepository, project: platformProject(chart, namespaces), imageRepositories, baseObjects: base.content, probeObjects: probe.content, ...extra });
  return { construct, applicationSet: objectsOf(chart).find((o) => o.kind === 'ApplicationSet')! };
}

describe('PreviewApplicationSet', () => {
  test("creates one Application per open pull request of the application repository labelled \"preview\", from this repository's main", () => {
    const { applicationSet } = render();
    expect(applicationSet.spec.generators).toEqual([
      { pullRequest: { github: { owner: 'acme', repo: 'generator-platform', labels: ['preview'] }, requeueAfterSeconds: 180 } },
    ]);
    const template = applicationSet.spec.template;
    expect(template.metadata.name).toBe('preview-{{number}}');
    expect(template.spec.source).toMatchObject({ repoURL: 'https://github.com/acme/generator-platform-k8s.git', path: 'dist/preview', targetRevision: 'main' });
    expect(template.spec.destination.namespace).toBe('generator-platform-pr-{{number}}');
  });

  test('removes the preview when the pull request closes, and never makes its namespace', () => {
    const { applicationSet } = render();
    expect(applicationSet.spec.template.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(applicationSet.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: false });
    expect(applicationSet.spec.template.spec.syncPolicy).toMatchObject({ automated: { prune: true }, syncOptions: expect.arrayContaining(['CreateNamespace=false']) });
  });

  test('sets the namespace, the image tag of web, api and generator, and patches every value that names the preview', () => {
    const { construct } = render();
    expect(construct.kustomize.namespace).toBe('generator-platform-pr-{{number}}');
    expect(construct.kustomize.images).toEqual(['web', 'api', 'generator'].map((s) => `ghcr.io/acme/generator-platform-${s}:pr-{{head_sha}}`));
    const patched = construct.kustomize.patches.map((p) => `${p.target.kind}/${p.target.name}`);
    expect(patched).toEqual(expect.arrayContaining(['Ingress/web', 'Ingress/api', 'Deployment/web']));
    expect(patched.filter((target) => target.startsWith('Namespace/'))).toEqual([]);
    for (const patch of construct.kustomize.patches) {
      const operations = JSON.parse(patch.patch);
      expect(operations.filter((o: any) => o.op === 'replace').every((o: any) => o.value.includes('pr-{{number}}'))).toBe(true);
    }
  });

  test('with all props uses the label, requeue interval, folder, repository and image tag given', () => {
    const props: Omit<Required<PreviewApplicationSetProps>, 'project' | 'imageRepositories' | 'baseObjects' | 'probeObjects'> = {
      applicationRepository: { owner: 'other', repo: 'app' },
      githubToken: { secretName: 'github-pull-requests', key: 'github-pull-requests-token' },
      folder: 'preview',
      pullRequestLabel: 'deploy-preview',
      requeueAfterSeconds: 60,
      repository: { url: 'https://example.com/x.git', revision: 'release', githubOwner: 'other', githubRepository: 'x' },
      imageTag: 'build-{{number}}-{{head_sha}}',
    };
    const { applicationSet, construct } = render(props);
    expect(applicationSet.spec.generators[0].pullRequest).toEqual({
      github: { owner: 'other', repo: 'app', labels: ['deploy-preview'], tokenRef: { secretName: 'github-pull-requests', key: 'github-pull-requests-token' } },
      requeueAfterSeconds: 60,
    });
    expect(applicationSet.spec.template.spec.source).toMatchObject({ repoURL: 'https://example.com/x.git', targetRevision: 'release' });
    expect(construct.kustomize.images[0]).toBe('ghcr.io/acme/generator-platform-web:build-{{number}}-{{head_sha}}');
  });

  test('fails when the project does not allow the preview namespaces', () => {
    expect(() => render({}, ['generator-platform'])).toThrow(/does not allow the preview namespaces/);
  });

  test('fails on an image tag that does not follow the pull request head', () => {
    expect(() => render({ imageTag: 'pr-{{number}}' })).toThrow('PreviewApplicationSet previews: imageTag is "pr-{{number}}"; it must name the pull request head\'s build with {{head_sha}}');
  });

  test('fails when a Vault path would depend on the pull request (no Vault entry exists per pull request)', () => {
    const { base, probe } = previewParts();
    const perPullRequest = (objects: readonly any[], id: string) =>
      objects.map((o) => (o.kind === 'ExternalSecret' && o.metadata.name === 'registry-pull-secret' ? { ...o, spec: { ...o.spec, data: o.spec.data.map((d: any) => ({ ...d, remoteRef: { ...d.remoteRef, key: `generator-platform/preview/${id}/registry` } })) } } : o));
    expect(() => render({ baseObjects: perPullRequest(base.content, 'preview'), probeObjects: perPullRequest(probe.content, PREVIEW_PROBE_ID) })).toThrow(
      'PreviewApplicationSet previews: the Vault path of ExternalSecret registry-pull-secret depends on the pull request',
    );
  });

  test('fails on a requeue interval that would exhaust the GitHub rate limit', () => {
    expect(() => render({ requeueAfterSeconds: 5 })).toThrow(/requeueAfterSeconds = 5/);
  });

  test('fails when the probe is not the same preview', () => {
    const chart = emptyChart();
    const { base } = previewParts();
    const production = renderedObjectsOf(environmentChart(ENVIRONMENTS.production)).filter((o) => o.metadata.namespace !== undefined);
    expect(
      () => new PreviewApplicationSet(chart, 'previews', { applicationRepository, project: platformProject(chart), imageRepositories, baseObjects: base.content, probeObjects: production }),
    ).toThrow(/preview/);
  });

  test('fails when the pull request content would hold a cluster-scoped object', () => {
    const chart = emptyChart();
    const { base, probe } = previewParts();
    expect(
      () => new PreviewApplicationSet(chart, 'previews', { applicationRepository, project: platformProject(chart), imageRepositories, baseObjects: [...base.content, ...base.namespace], probeObjects: [...probe.content, ...probe.namespace] }),
    ).toThrow(/holds the cluster-scoped Namespace generator-platform-preview; a preview may hold namespaced objects only/);
  });
});

describe('previewPatches', () => {
  const obj = (env: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: `ns-${env}` }, data: { url: `http://x.ns-${env}.svc`, same: 'a' } });

  test('tests then replaces every changed string, leaving metadata.namespace to kustomize', () => {
    expect(previewPatches([obj('preview')], [obj(PREVIEW_PROBE_ID)])).toEqual([
      {
        group: '',
        version: 'v1',
        kind: 'ConfigMap',
        name: 'c',
        operations: [
          { op: 'test', path: '/data/url', value: 'http://x.ns-preview.svc' },
          { op: 'replace', path: '/data/url', value: 'http://x.ns-pr-{{number}}.svc' },
        ],
      },
    ]);
  });

  test('escapes keys with slashes as JSON pointers', () => {
    const withLabel = (env: string) => ({ ...obj('same'), data: { 'kubernetes.io/metadata.name': `ns-${env}` } });
    expect(previewPatches([withLabel('preview')], [withLabel(PREVIEW_PROBE_ID)])[0].operations[1].path).toBe('/data/kubernetes.io~1metadata.name');
  });

  test('fails when a value depends on the preview id without containing it', () => {
    const hashed = (n: number) => ({ ...obj('same'), data: { size: `${n}` } });
    expect(() => previewPatches([hashed(1)], [hashed(2)])).toThrow(/does not contain it/);
  });

  test('fails when the preview id changes the structure', () => {
    const shaped = (keys: string[]) => ({ ...obj('same'), data: Object.fromEntries(keys.map((k) => [k, 'v'])) });
    expect(() => previewPatches([shaped(['a'])], [shaped(['b'])])).toThrow(/fields at \/data depend on the preview id/);
    expect(() => previewPatches([obj('preview')], [])).toThrow(/renders 1 objects/);
  });
});

describe('globMatches', () => {
  test.each([
    ['generator-platform-pr-*', 'generator-platform-pr-42', true],
    ['generator-platform-pr-*', 'generator-platform', false],
    ['generator-platform', 'generator-platform', true],
  ])('%s matches %s: %s', (pattern, value, expected) => {
    expect(globMatches(pattern, value)).toBe(expected);
  });
});
