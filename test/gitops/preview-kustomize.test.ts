import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { KUSTOMIZATION_FILE, renderAllEnvironments, renderPreviews } from '../../synth/render';
import { tempDirsRemovedAfterAll } from '../support/files';
import { kustomizeBuild } from '../support/kubectl';
import { fillInPullRequest, withArgoCdKustomizeSettings } from '../../tools/cluster/deployment-units';

/** Pull request 42 of the application repository, and its head commit (whose images its CI pushed). */
const PULL_REQUEST = '42';
const HEAD_SHA = '0123456789abcdef0123456789abcdef01234567';
/** The one Vault path a preview may read: preview-only, shared by every pull request, holding only what is issued outside the platform. */
const SHARED_PREVIEW_VAULT_PATH = 'generator-platform/preview/shared/';
const PREVIEW_NAMESPACE = `generator-platform-pr-${PULL_REQUEST}`;
const BASE_NAMESPACE = 'generator-platform-preview';

type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: any };

/** What the pull-request generator fills in for pull request 42. */
function fillIn(value: unknown): any {
  return fillInPullRequest(value, PULL_REQUEST, HEAD_SHA);
}

const makeTempDir = tempDirsRemovedAfterAll();

/**
 * Builds a folder of dist/ the way Argo CD 2.10 builds a kustomize source with `kustomize.namespace`,
 * `kustomize.images` (kustomize edit set namespace / set image) and `kustomize.patches` (added to
 * the kustomization's `patches`), with the settings of the rendered ApplicationSet for PR 42.
 */
function buildFromApplicationSet(rendered: Map<string, string>, folder: string, applicationSetFile: string, changeFolder: (dir: string) => void = () => undefined): { docs: Doc[]; applicationSpec: any } {
  const dir = makeTempDir('preview-kustomize-');
  for (const [file, content] of rendered) {
    if (file.startsWith(`${folder}/`) && !file.slice(folder.length + 1).includes('/')) {
      fs.writeFileSync(path.join(dir, file.slice(folder.length + 1)), content);
    }
  }
  changeFolder(dir);
  const applicationSet = parse(rendered.get(applicationSetFile)!);
  const applicationSpec = fillIn(applicationSet.spec.template.spec);
  expect(applicationSpec.source.path).toBe(`dist/${folder}`);
  const settings = applicationSpec.source.kustomize;
  const kustomization = parse(fs.readFileSync(path.join(dir, KUSTOMIZATION_FILE), 'utf8'));
  fs.writeFileSync(path.join(dir, KUSTOMIZATION_FILE), stringify(withArgoCdKustomizeSettings(kustomization, settings)));
  const docs = parseAllDocuments(kustomizeBuild(dir)).map((d) => d.toJS() as Doc);
  return { docs, applicationSpec };
}

/** Pull request 42's preview: its content from dist/preview and its namespace from the cluster's preview-namespace folder. */
function buildPullRequestPreview(changePreview: (dir: string) => void = () => undefined): { docs: Doc[]; applicationSpec: any; namespaceDocs: Doc[]; namespaceApplicationSpec: any } {
  const rendered = renderAllEnvironments();
  const content = buildFromApplicationSet(rendered, 'preview', 'argocd/development/previews.yaml', changePreview);
  const namespace = buildFromApplicationSet(rendered, 'argocd/development/preview-namespace', 'argocd/development/preview-namespaces.yaml');
  return { docs: [...namespace.docs, ...content.docs], applicationSpec: content.applicationSpec, namespaceDocs: namespace.docs, namespaceApplicationSpec: namespace.applicationSpec };
}

function allStrings(value: unknown, at = ''): { at: string; value: string }[] {
  if (typeof value === 'string') {
    return [{ at, value }];
  }
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => allStrings(v, `${at}/${i}`));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => allStrings(v, `${at}/${k}`));
  }
  return [];
}

function images(docs: readonly Doc[]): string[] {
  return docs.flatMap((d) => {
    const pod = d.spec?.template?.spec;
    // Operator pod templates (e.g. the PgBouncer Pooler's) may leave the image to the operator.
    return pod ? [...(pod.initContainers ?? []), ...pod.containers].flatMap((c: any) => (typeof c.image === 'string' ? [c.image] : [])) : [];
  });
}

describe('dist/preview built by kustomize for pull request 42 with the ApplicationSet settings (kubectl 1.27)', () => {
  let docs: Doc[];
  let applicationSpec: any;
  let namespaceDocs: Doc[];
  let namespaceApplicationSpec: any;
  beforeAll(() => {
    ({ docs, applicationSpec, namespaceDocs, namespaceApplicationSpec } = buildPullRequestPreview());
  });

  test("deploys into the pull request namespace, which both Applications target; the manifests, the namespace and its guard rails come from this repository's main", () => {
    expect(applicationSpec.destination.namespace).toBe(PREVIEW_NAMESPACE);
    expect(namespaceApplicationSpec.destination.namespace).toBe(PREVIEW_NAMESPACE);
    expect(namespaceApplicationSpec.source).toMatchObject({ repoURL: 'https://github.com/acme/generator-platform-k8s.git', targetRevision: 'main' });
    expect(applicationSpec.source).toMatchObject({ repoURL: 'https://github.com/acme/generator-platform-k8s.git', targetRevision: 'main', path: 'dist/preview' });
    expect(namespaceDocs.map((d) => `${d.kind}/${d.metadata.name}`).sort()).toEqual([
      'LimitRange/container-limits',
      `Namespace/${PREVIEW_NAMESPACE}`,
      'NetworkPolicy/allow-dns-egress',
      'NetworkPolicy/default-deny-all',
      'ResourceQuota/workload-quota',
    ]);
    expect(namespaceDocs.find((d) => d.kind === 'Namespace')!.metadata).toMatchObject({
      labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'generator-platform.dev/environment': 'preview' },
    });
    expect(docs.filter((d) => d.kind === 'Namespace').map((d) => d.metadata.name)).toEqual([PREVIEW_NAMESPACE]);
    const namespaced = docs.filter((d) => d.kind !== 'Namespace');
    expect(namespaced.length).toBeGreaterThan(50);
    expect(namespaced.filter((d) => d.metadata.namespace !== PREVIEW_NAMESPACE).map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([]);
  });

  test('serves the pull request hostnames', () => {
    const ingresses = docs.filter((d) => d.kind === 'Ingress');
    const hosts = ingresses.flatMap((i) => [...i.spec.rules.map((r: any) => r.host), ...i.spec.tls.flatMap((t: any) => t.hosts)]);
    expect([...new Set(hosts)].sort()).toEqual([`api-pr-42.preview.generator-platform.example.com`, `app-pr-42.preview.generator-platform.example.com`]);
  });

  test("runs web, api and generator from the images the application repository's CI built for the pull request head", () => {
    const platformImages = images(docs).filter((image) => image.startsWith('ghcr.io/acme/generator-platform-'));
    expect(new Set(platformImages.map((image) => image.split(':')[0]))).toEqual(
      new Set(['web', 'api', 'generator'].map((service) => `ghcr.io/acme/generator-platform-${service}`)),
    );
    for (const image of platformImages) {
      expect(image).toMatch(new RegExp(`^ghcr\\.io/acme/generator-platform-(web|api|generator):pr-${HEAD_SHA}$`));
    }
  });

  test('has only preview-local secrets (generated in the namespace) or preview-only ones (the shared preview Vault path), none per pull request in Vault', () => {
    const externalSecrets = docs.filter((d) => d.kind === 'ExternalSecret');
    const passwordGenerators = new Set(docs.filter((d) => d.kind === 'Password').map((d) => `${d.metadata.namespace}/${d.metadata.name}`));
    expect(externalSecrets.length).toBeGreaterThan(10);
    const sources = externalSecrets.map((d) => {
      const remoteKeys: string[] = (d.spec.data ?? []).map((entry: any) => entry.remoteRef.key);
      const generators: string[] = (d.spec.dataFrom ?? []).map((entry: any) => entry.sourceRef?.generatorRef?.kind === 'Password' ? `${d.metadata.namespace}/${entry.sourceRef.generatorRef.name}` : 'not a generator');
      return { name: d.metadata.name, remoteKeys, generators, refreshInterval: d.spec.refreshInterval, store: d.spec.secretStoreRef?.name };
    });
    for (const source of sources) {
      expect({ secret: source.name, outsideSharedPath: source.remoteKeys.filter((key) => !key.startsWith(SHARED_PREVIEW_VAULT_PATH)) }).toEqual({ secret: source.name, outsideSharedPath: [] });
      expect({ secret: source.name, generators: source.generators.filter((g) => !passwordGenerators.has(g)) }).toEqual({ secret: source.name, generators: [] });
      expect(source.remoteKeys.length + source.generators.length).toBeGreaterThan(0);
      // Generated once: a refresh would make new passwords on every interval.
      if (source.generators.length > 0) {
        expect({ secret: source.name, refreshInterval: source.refreshInterval }).toEqual({ secret: source.name, refreshInterval: '0' });
      }
      if (source.remoteKeys.length > 0) {
        expect({ secret: source.name, store: source.store }).toEqual({ secret: source.name, store: 'vault-preview' });
      }
    }
    const vaultPaths = sources.flatMap((source) => source.remoteKeys);
    expect(vaultPaths.filter((key) => /pr-|\{\{/.test(key))).toEqual([]);
    // What is issued outside the platform, and nothing else, comes from Vault.
    expect(sources.filter((source) => source.remoteKeys.length > 0).map((source) => source.name).sort()).toEqual(['oauth2-proxy', 'postgres-backup-credentials', 'registry-pull-secret']);
    expect(sources.find((source) => source.name === 'oauth2-proxy')).toMatchObject({ remoteKeys: [`${SHARED_PREVIEW_VAULT_PATH}oauth2-proxy`], generators: [`${PREVIEW_NAMESPACE}/platform-password`] });
  });

  test('leaves no value naming the base preview namespace (service DNS names, Redis pod FQDNs, selectors)', () => {
    const leftovers = docs.flatMap((d) => allStrings(d).filter((s) => s.value.includes(BASE_NAMESPACE)).map((s) => `${d.kind}/${d.metadata.name}${s.at} = ${s.value}`));
    expect(leftovers).toEqual([]);
  });

  test('gives exactly what `npm run synth -- --preview pr-42` renders, apart from the image tags and the shared secret store', () => {
    // The preview's own secret store is cluster-scoped: the cluster baseline holds it, once for every pull request.
    const synthesized = [...renderPreviews(['pr-42']).entries()]
      .filter(([file]) => file.endsWith('.yaml'))
      .flatMap(([, content]) => parseAllDocuments(content).map((d) => d.toJS() as Doc))
      .filter((d) => d.kind !== 'ClusterSecretStore');
    const withoutPlatformTags = (d: Doc) => JSON.parse(JSON.stringify(d).replace(/(ghcr\.io\/acme\/generator-platform-(?:web|api|generator)):[^"@]+/g, '$1:TAG'));
    const key = (d: Doc) => `${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`;
    const byKey = (list: Doc[]) => new Map(list.map((d) => [key(d), withoutPlatformTags(d)]));
    const built = byKey(docs);
    const expected = byKey(synthesized);
    expect([...built.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [k, doc] of expected) {
      expect({ object: k, doc: built.get(k) }).toEqual({ object: k, doc });
    }
  });

  test("fails the build, instead of setting the wrong field, when main's dist/preview moved a value the ApplicationSet's patches set", () => {
    const moveApiEnvironment = (dir: string) => {
      const file = path.join(dir, 'api.yaml');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/postgres-pooler\.generator-platform-preview\.svc\.cluster\.local/g, 'moved'));
    };
    expect(() => buildPullRequestPreview(moveApiEnvironment)).toThrow(/kubectl kustomize .* failed: .*test/is);
  });
});
