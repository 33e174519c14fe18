import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { ArgoCdChart } from '../../charts/argocd-chart';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { ADDONS, addonsInstalling } from '../../lib/gitops/addon-catalog';
import { CLUSTERS } from '../../lib/gitops/clusters';
import { globMatches } from '../../lib/gitops/preview-application-set';
import { renderAllEnvironments } from '../../lib/synth/render';
import { environmentChart } from './fixtures';

type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: any };

const files = renderAllEnvironments();
const docsIn = (prefix: string): Doc[] =>
  [...files].filter(([file]) => file.startsWith(prefix) && file.endsWith('.yaml')).flatMap(([, content]) => parseAllDocuments(content).map((d) => d.toJS() as Doc));
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
const wave = (doc: Doc) => Number(doc.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
const ARGO_CD_KINDS = ['Application', 'ApplicationSet', 'AppProject'];

describe.each(CLUSTERS.map((c) => [c.name, c] as const))('dist/argocd/%s', (clusterName, cluster) => {
  const argo = docsIn(`argocd/${clusterName}/`);
  const applications = argo.filter((d) => d.kind === 'Application');
  const projects = new Map(argo.filter((d) => d.kind === 'AppProject').map((p) => [p.metadata.name, p]));
  const fromThisRepository = [
    ...applications.filter((a) => a.spec.source.repoURL === 'https://github.com/acme/generator-platform-k8s.git').map((a) => a.spec.source.path as string),
    ...argo.filter((d) => d.kind === 'ApplicationSet').map((s) => s.spec.template.spec.source.path as string),
  ];

  test('has a root Application that syncs this very folder', () => {
    const root = applications.find((a) => a.metadata.name === `root-${clusterName}`)!;
    expect(root.spec.source.path).toBe(`dist/argocd/${clusterName}`);
  });

  test('points every Application and ApplicationSet of this repository at a folder that exists in dist/', () => {
    expect(fromThisRepository.length).toBeGreaterThanOrEqual(2);
    for (const sourcePath of fromThisRepository) {
      const folder = sourcePath.replace(/^dist\//, '');
      expect({ sourcePath, exists: [...files.keys()].some((file) => file.startsWith(`${folder}/`)) }).toEqual({ sourcePath, exists: true });
    }
  });

  test('has one environment Application per environment of the cluster', () => {
    expect(applications.filter((a) => a.metadata.name.startsWith('generator-platform-')).map((a) => a.spec.source.path)).toEqual(cluster.environments.map((e) => `dist/${e}`));
    expect(argo.some((d) => d.kind === 'ApplicationSet')).toBe(cluster.runsPreviews);
  });

  test('puts every Application in a project of this cluster that allows its repository and destination namespace', () => {
    for (const application of applications) {
      const project = projects.get(application.spec.project);
      expect({ app: application.metadata.name, project: project?.metadata.name }).toEqual({ app: application.metadata.name, project: application.spec.project });
      expect(project!.spec.sourceRepos).toContain(application.spec.source.repoURL);
      expect(project!.spec.destinations.some((d: any) => globMatches(d.namespace, application.spec.destination.namespace))).toBe(true);
    }
  });

  test('lets the platform project create every kind its folders contain, and no cluster-scoped kind they do not', () => {
    const project = projects.get('generator-platform')!;
    const synced = [...cluster.environments, ...(cluster.runsPreviews ? ['preview'] : [])].flatMap((env) => docsIn(`${env}/`));
    const clusterScoped = [...new Set(synced.filter((d) => d.metadata.namespace === undefined).map((d) => `${groupOf(d.apiVersion)}/${d.kind}`))].sort();
    expect(project.spec.clusterResourceWhitelist.map((gk: any) => `${gk.group}/${gk.kind}`).sort()).toEqual(clusterScoped);
    const blocked = new Set(project.spec.namespaceResourceBlacklist.map((gk: any) => `${gk.group}/${gk.kind}`));
    expect(synced.filter((d) => blocked.has(`${groupOf(d.apiVersion)}/${d.kind}`)).map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([]);
    // A preview is deployed into its pull request's namespace (kustomize), never into dist/preview's own.
    const previewNamespaces = argo.filter((d) => d.kind === 'ApplicationSet').map((s) => s.spec.template.spec.destination.namespace.replace('{{number}}', '42'));
    const environmentNamespaces = cluster.environments.flatMap((env) => docsIn(`${env}/`)).flatMap((d) => (d.metadata.namespace ? [d.metadata.namespace] : []));
    for (const namespace of new Set([...environmentNamespaces, ...previewNamespaces])) {
      expect({ namespace, allowed: project.spec.destinations.some((d: any) => globMatches(d.namespace, namespace)) }).toEqual({ namespace, allowed: true });
    }
  });

  test('syncs the projects first, then cert-manager and the Prometheus CRDs, then the other operators, then the environments', () => {
    const waveOfApp = (name: string) => wave(applications.find((a) => a.metadata.name === name)!);
    const projectWaves = [...projects.values()].map(wave);
    const foundation = ['cert-manager', 'kube-prometheus-stack'].map(waveOfApp);
    const operators = ADDONS.filter((a) => !['cert-manager', 'kube-prometheus-stack'].includes(a.name)).map((a) => waveOfApp(a.name));
    const environments = cluster.environments.map((e) => waveOfApp(`generator-platform-${e}`));
    expect(Math.max(...projectWaves)).toBeLessThan(Math.min(...foundation));
    expect(Math.max(...foundation)).toBeLessThan(Math.min(...operators));
    expect(Math.max(...operators)).toBeLessThan(Math.min(...environments));
  });

  test('installs every add-on', () => {
    expect(applications.filter((a) => a.spec.project === 'platform-addons').map((a) => a.metadata.name).sort()).toEqual(ADDONS.map((a) => a.name).sort());
  });
});

describe('the add-ons', () => {
  test('install every CRD group used anywhere in dist/ (Argo CD installs its own kinds at bootstrap)', () => {
    const used = [...new Set(docsIn('').filter((d) => groupOf(d.apiVersion).includes('.') && !groupOf(d.apiVersion).endsWith('k8s.io') && !ARGO_CD_KINDS.includes(d.kind)).map((d) => groupOf(d.apiVersion)))];
    expect(used).toEqual(expect.arrayContaining(['postgresql.cnpg.io', 'rabbitmq.com', 'external-secrets.io', 'keda.sh']));
    expect(used.filter((group) => addonsInstalling(group).length === 0)).toEqual([]);
  });
});

describe('ArgoCdChart', () => {
  test('fails for a cluster that runs previews without a rendered preview', () => {
    const development = CLUSTERS.find((c) => c.runsPreviews)!;
    expect(
      () => new ArgoCdChart(new App(), 'argocd', { cluster: development, environments: [{ config: ENVIRONMENTS.development, chart: environmentChart(ENVIRONMENTS.development) }] }),
    ).toThrow(/runs previews, but no rendered preview was given/);
  });
});
