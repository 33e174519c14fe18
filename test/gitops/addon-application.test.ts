import * as fs from 'fs';
import * as path from 'path';
import { CLUSTERS } from '../../lib/config/clusters';
import { Addon, AddonSourceType } from '../../lib/gitops/addon-catalog';
import { AddonApplication, AddonApplicationProps, PINNED_REVISION } from '../../lib/gitops/addon-application';
import { AddonProject } from '../../lib/gitops/addon-project';
import { emptyChart, objectsOf } from '../support/kube';
import { clusterAddons } from './fixtures';

const ADDONS = clusterAddons(CLUSTERS.find((c) => c.name === 'staging')!);
const byName = (name: string) => ADDONS.find((a) => a.name === name)!;
/** An add-on as the catalog writes it: development adds no replicas, budgets or spread (addon-availability.test.ts covers those). */
const catalogEntry = (name: string) => clusterAddons(CLUSTERS.find((c) => c.name === 'development')!).find((a) => a.name === name)!;

function render(addon: Addon) {
  const chart = emptyChart();
  const project = new AddonProject(chart, 'platform-addons', { addons: [addon] });
  const props: Required<AddonApplicationProps> = { addon, project };
  new AddonApplication(chart, addon.name, props);
  return objectsOf(chart).find((o) => o.kind === 'Application')!;
}

describe('AddonApplication', () => {
  test('installs a Helm chart at its pinned version into its namespace, server-side, with self-heal and without prune', () => {
    const application = render(byName('keda'));
    expect(application.metadata).toMatchObject({ name: 'keda', namespace: 'argocd', annotations: { 'argocd.argoproj.io/sync-wave': '-2' } });
    expect(application.spec).toMatchObject({
      project: 'platform-addons',
      source: { repoURL: 'https://kedacore.github.io/charts', chart: 'keda', targetRevision: '2.13.2', helm: { releaseName: 'keda' } },
      destination: { namespace: 'keda' },
      syncPolicy: { automated: { selfHeal: true }, syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'] },
    });
  });

  test('runs the Argo Rollouts controller at its release tag, not the :latest its manifests name', () => {
    const application = render(catalogEntry('argo-rollouts'));
    expect(application.spec.source).toEqual({
      repoURL: 'https://github.com/argoproj/argo-rollouts.git',
      targetRevision: 'v1.6.6',
      path: 'manifests/cluster-install',
      kustomize: { images: ['quay.io/argoproj/argo-rollouts:v1.6.6'] },
    });
  });

  test('pins the KEDA chart that installs the KEDA of the pinned CRDs (chart 2.13.2 installs KEDA 2.13.1)', () => {
    expect(byName('keda')).toMatchObject({ targetRevision: '2.13.2', appVersion: '2.13.1', crdVersion: '2.13.1' });
  });

  test("passes the minimal secure values of the catalog: no snippets, HSTS for a year, TLS 1.2+, real client addresses, backend TLS per Ingress, no ExternalName backends, no other namespace's Secrets", () => {
    expect(render(catalogEntry('ingress-nginx')).spec.source.helm.valuesObject).toEqual({
      controller: {
        allowSnippetAnnotations: false,
        // Scraped by Prometheus for the edge objectives (lib/gitops/ingress-nginx-metrics-values.ts).
        metrics: { enabled: true, serviceMonitor: { enabled: true } },
        config: {
          'hsts': 'true',
          'hsts-max-age': '31536000',
          'hsts-include-subdomains': 'true',
          'ssl-protocols': 'TLSv1.2 TLSv1.3',
          'use-forwarded-headers': 'false',
          'proxy-ssl-location-only': 'true',
          'allow-cross-namespace-resources': 'false',
          // A rejected rate limit is 429, never a 503 the edge objective would count.
          'limit-req-status-code': '429',
          'limit-conn-status-code': '429',
        },
        service: { externalTrafficPolicy: 'Local' },
        extraArgs: { 'disable-svc-external-name': 'true' },
      },
    });
  });

  test('installs a release manifest from the pinned tag with a directory source', () => {
    expect(render(byName('cloudnative-pg')).spec.source).toEqual({
      repoURL: 'https://github.com/cloudnative-pg/cloudnative-pg.git',
      targetRevision: 'v1.22.5',
      path: 'releases',
      directory: { include: 'cnpg-1.22.5.yaml' },
    });
  });

  test('installs an upstream kustomization with its operator image pinned, replacing its own -dev image entry', () => {
    expect(render(byName('rabbitmq-cluster-operator')).spec.source).toMatchObject({
      path: 'config/installation',
      targetRevision: 'v2.7.0',
      kustomize: { images: ['rabbitmqoperator/cluster-operator-dev=rabbitmqoperator/cluster-operator:2.7.0'] },
    });
  });

  test('applies the catalog\'s kustomize patches to their named targets, and only kustomize add-ons have them', () => {
    const topology = byName('rabbitmq-messaging-topology-operator');
    const { patches } = render(topology).spec.source.kustomize;
    expect(patches).toEqual(topology.kustomizePatches!.map((p) => ({ target: p.target, patch: p.patch })));
    expect(render(catalogEntry('rabbitmq-cluster-operator')).spec.source.kustomize.patches).toBeUndefined();
    expect(ADDONS.filter((a) => a.kustomizePatches?.length && a.sourceType !== AddonSourceType.KUSTOMIZE)).toEqual([]);
  });

  test('fails on kustomize patches for a Helm add-on', () => {
    const patches = byName('rabbitmq-messaging-topology-operator').kustomizePatches;
    expect(() => render({ ...byName('keda'), kustomizePatches: patches })).toThrow(/kustomizePatches apply to kustomize add-ons only/);
  });

  test.each(['*', '1.x', 'latest', 'HEAD', 'main', '^1.2.0', ''])('fails on the floating revision "%s"', (targetRevision) => {
    expect(() => render({ ...byName('keda'), targetRevision })).toThrow(/is not an exact version/);
  });

  test('fails on a Helm add-on without a chart', () => {
    expect(() => render({ ...byName('keda'), chart: undefined })).toThrow(/needs chart/);
  });

  test('fails on a kustomize add-on without pinned images', () => {
    expect(() => render({ ...byName('rabbitmq-cluster-operator'), images: [] })).toThrow(/needs path and images/);
  });

  test('fails when the project does not allow its namespace', () => {
    const chart = emptyChart();
    const project = new AddonProject(chart, 'platform-addons', { addons: [byName('keda')] });
    expect(() => new AddonApplication(chart, 'cert-manager', { addon: byName('cert-manager'), project })).toThrow(/does not allow namespace "cert-manager"/);
  });
});

describe('AddonProject', () => {
  test('allows exactly the add-ons repositories, namespaces and cluster-scoped kinds', () => {
    const chart = emptyChart();
    new AddonProject(chart, 'platform-addons', { addons: ADDONS });
    const [project] = objectsOf(chart);
    expect(project.spec.sourceRepos).toEqual([...new Set(ADDONS.map((a) => a.repoUrl))].sort());
    expect(project.spec.destinations.map((d: any) => d.namespace)).toEqual([...new Set(ADDONS.flatMap((a) => [a.namespace, ...(a.otherNamespaces ?? [])]))].sort());
    const kinds = project.spec.clusterResourceWhitelist.map((gk: any) => `${gk.group}/${gk.kind}`);
    expect(kinds).toEqual(expect.arrayContaining(['apiextensions.k8s.io/CustomResourceDefinition', 'rbac.authorization.k8s.io/ClusterRole']));
    expect(kinds).not.toContain('/Node');
  });

  test('fails without add-ons', () => {
    expect(() => new AddonProject(emptyChart(), 'platform-addons', { addons: [] })).toThrow(/addons is empty/);
  });
});

describe('the add-on catalog', () => {
  test.each(ADDONS.map((a) => [a.name, a] as const))('pins %s to an exact version in a named namespace, matching its CRDs, and says where that was checked', (_name, addon) => {
    expect(addon.targetRevision).toMatch(PINNED_REVISION);
    expect(addon.namespace).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(addon.verifiedAt.length).toBeGreaterThan(20);
    if (addon.crdGroups.length > 0) {
      expect(addon.appVersion.replace(/^v/, '')).toBe(addon.crdVersion);
    }
    if (addon.sourceType !== AddonSourceType.HELM) {
      expect(addon.targetRevision).toBe(`v${addon.crdVersion}`);
    }
  });

  test('covers the operators of every pinned CRD project in ../shared/crds (schemas.lock.json)', () => {
    const text = fs.readFileSync(path.join(__dirname, '..', '..', 'schemas.lock.json'), 'utf8');
    const pinned: [string, string][] = [
      ['cloudnative-pg', '1.22.5'],
      ['rabbitmq-cluster-operator', '2.7.0'],
      ['rabbitmq-messaging-topology-operator', '1.13.0'],
      ['argo-rollouts', '1.6.6'],
      ['cert-manager', '1.14.7'],
      ['external-secrets', '0.9.20'],
      ['kube-prometheus-stack', '0.72.0'],
      ['keda', '2.13.1'],
      ['kyverno', '1.11.5'],
    ];
    for (const [name, version] of pinned) {
      expect(text).toContain(version);
      expect({ name, crdVersion: byName(name)?.crdVersion }).toEqual({ name, crdVersion: version });
    }
  });
});
