import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { ArgoCdChart } from '../../charts/argocd-chart';
import { ClusterCertificateAuthorityChart } from '../../charts/cluster-certificate-authority-chart';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { CLUSTERS } from '../../lib/config/clusters';
import { MESSAGING_TOPOLOGY_OPERATOR, addonsInstalling } from '../../lib/gitops/addon-catalog';
import { globMatches } from '../../lib/gitops/preview-application-set';
import { INTERNAL_CA_TRUST_SECRET } from '../../lib/security/certificate-authority-trust';
import { renderAllEnvironments, renderEnvironments } from '../../synth/render';
import { clusterAddons, environmentChart } from './fixtures';

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

  test("makes every project of this repository's Applications require the cluster's commit signers (lib/config/commit-signers.yaml); the add-ons' none", () => {
    const keysOf = (name: string) => (projects.get(name)?.spec.signatureKeys ?? []).map((key: { keyID: string }) => key.keyID);
    const ofThisRepository = new Set([
      ...applications.filter((a) => a.spec.source.repoURL === 'https://github.com/acme/generator-platform-k8s.git').map((a) => a.spec.project as string),
      ...argo.filter((d) => d.kind === 'ApplicationSet').map((s) => s.spec.template.spec.project as string),
    ]);
    expect([...ofThisRepository].sort().map((name) => [name, keysOf(name)])).toEqual([...ofThisRepository].sort().map((name) => [name, cluster.signatureKeys]));
    expect(keysOf('platform-addons')).toEqual([]);
    expect(cluster.signatureKeys!.length > 0).toBe(clusterName === 'production');
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

  test.each(cluster.environments.map((e) => [e]))('confines the %s environment to its namespace: its project allows exactly the namespaced kinds of its folder, and no cluster-scoped kind', (environment) => {
    const application = applications.find((a) => a.metadata.name === `generator-platform-${environment}`)!;
    const project = projects.get(application.spec.project)!;
    expect(project.metadata.name).toBe(`generator-platform-${environment}`);
    const synced = docsIn(`${environment}/`);
    expect(synced.filter((d) => d.metadata.namespace === undefined)).toEqual([]);
    expect(project.spec.clusterResourceWhitelist).toEqual([]);
    expect(project.spec.destinations).toEqual([{ namespace: application.spec.destination.namespace, server: 'https://kubernetes.default.svc' }]);
    const kinds = [...new Set(synced.map((d) => `${groupOf(d.apiVersion)}/${d.kind}`))].sort();
    expect(project.spec.namespaceResourceWhitelist.map((gk: any) => `${gk.group}/${gk.kind}`).sort()).toEqual(kinds);
    expect(kinds.filter((k) => k === '/Secret' || ARGO_CD_KINDS.some((kind) => k === `argoproj.io/${kind}`))).toEqual([]);
  });

  test('keeps every cluster-scoped object in the cluster baseline, whose project allows exactly those kinds and no namespaced kind', () => {
    const baseline = docsIn(`argocd/${clusterName}/cluster-baseline/`);
    const application = applications.find((a) => a.metadata.name === 'cluster-baseline')!;
    const project = projects.get(application.spec.project)!;
    expect(baseline.filter((d) => d.metadata.namespace !== undefined)).toEqual([]);
    const environmentNamespaces = cluster.environments.map((e) => ENVIRONMENTS[e].namespace);
    expect(baseline.filter((d) => d.kind === 'Namespace').map((d) => d.metadata.name).sort()).toEqual([...new Set(environmentNamespaces)].sort());
    const kinds = [...new Set(baseline.map((d) => `${groupOf(d.apiVersion)}/${d.kind}`))].sort();
    expect(project.spec.clusterResourceWhitelist.map((gk: any) => `${gk.group}/${gk.kind}`).sort()).toEqual(kinds);
    expect(project.spec.namespaceResourceBlacklist).toEqual([{ group: '*', kind: '*' }]);
  });

  test('gives each environment, the previews, the logging and the monitoring stack and Argo CD a Vault store of their own, which serves only their namespaces', () => {
    const stores = docsIn(`argocd/${clusterName}/cluster-baseline/`).filter((d) => d.kind === 'ClusterSecretStore');
    const expected = [
      ...cluster.environments.map((e) => ({ name: `vault-${e}`, role: `generator-platform-${e}`, conditions: [{ namespaces: [ENVIRONMENTS[e].namespace] }] })),
      ...(cluster.runsPreviews ? [{ name: 'vault-preview', role: 'generator-platform-preview', conditions: [{ namespaceRegexes: ['^generator-platform-pr-[0-9]+$'] }] }] : []),
      { name: 'vault-logging', role: 'generator-platform-logging', conditions: [{ namespaces: ['logging'] }] },
      { name: 'vault-monitoring', role: 'generator-platform-monitoring', conditions: [{ namespaces: ['monitoring'] }] },
      { name: 'vault-argocd', role: 'generator-platform-argocd', conditions: [{ namespaces: ['argocd'] }] },
    ];
    expect(stores.map((s) => ({ name: s.metadata.name, role: s.spec.provider.vault.auth.kubernetes.role, conditions: s.spec.conditions })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      expected.sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  test('syncs the projects first, then cert-manager and the Prometheus CRDs, then the other operators, then the cluster baseline, then Loki and Grafana, then the environments', () => {
    const waveOfApp = (name: string) => wave(applications.find((a) => a.metadata.name === name)!);
    const projectWaves = [...projects.values()].map(wave);
    const foundation = ['cert-manager', 'kube-prometheus-stack'].map(waveOfApp);
    const laterAddons = ['cert-manager', 'kube-prometheus-stack', 'rabbitmq-messaging-topology-operator', 'loki', 'grafana'];
    const operators = clusterAddons(cluster).filter((a) => !laterAddons.includes(a.name)).map((a) => waveOfApp(a.name));
    const baseline = ['cluster-baseline', 'certificate-authority', 'rabbitmq-messaging-topology-operator'].map(waveOfApp);
    const environments = cluster.environments.map((e) => waveOfApp(`generator-platform-${e}`));
    expect(Math.max(...projectWaves)).toBeLessThan(Math.min(...foundation));
    expect(Math.max(...foundation)).toBeLessThan(Math.min(...operators));
    expect(Math.max(...operators)).toBeLessThan(Math.min(...baseline));
    expect(Math.max(...baseline)).toBeLessThan(Math.min(waveOfApp('loki'), waveOfApp('grafana')));
    expect(Math.max(waveOfApp('loki'), waveOfApp('grafana'))).toBeLessThan(Math.min(...environments));
  });

  test('tells Argo CD about merges by a GitHub webhook whose secret the root merges from Vault into argocd-secret, after the store', () => {
    const secret = argo.find((d) => d.kind === 'ExternalSecret' && d.metadata.name === 'argocd-secret')!;
    expect(secret.metadata.namespace).toBe('argocd');
    expect((secret.spec.data as any[]).map((d) => d.remoteRef.key)).toEqual([`${ENVIRONMENTS[cluster.environments[0]].vaultPathPrefix}/argocd`]);
    expect(wave(secret)).toBeGreaterThan(wave(applications.find((a) => a.metadata.name === 'cluster-baseline')!));
    expect(projects.get('platform-bootstrap')!.spec.namespaceResourceWhitelist).toContainEqual({ group: 'external-secrets.io', kind: 'ExternalSecret' });
  });

  test('installs every add-on', () => {
    expect(applications.filter((a) => a.spec.project === 'platform-addons').map((a) => a.metadata.name).sort()).toEqual(clusterAddons(cluster).map((a) => a.name).sort());
  });
});

describe('the add-ons', () => {
  test('install every CRD group used anywhere in dist/ (Argo CD installs its own kinds at bootstrap)', () => {
    const used = [...new Set(docsIn('').filter((d) => groupOf(d.apiVersion).includes('.') && !groupOf(d.apiVersion).endsWith('k8s.io') && !ARGO_CD_KINDS.includes(d.kind)).map((d) => groupOf(d.apiVersion)))];
    expect(used).toEqual(expect.arrayContaining(['postgresql.cnpg.io', 'rabbitmq.com', 'external-secrets.io', 'keda.sh']));
    for (const cluster of CLUSTERS) {
      expect(used.filter((group) => addonsInstalling(clusterAddons(cluster), group).length === 0)).toEqual([]);
    }
  });
});

describe('ArgoCdChart', () => {
  test('fails for a cluster that runs previews without a rendered preview', () => {
    const development = CLUSTERS.find((c) => c.runsPreviews)!;
    expect(
      () =>
        new ArgoCdChart(new App(), 'argocd', {
          cluster: development,
          environments: [{ config: ENVIRONMENTS.development, chart: environmentChart(ENVIRONMENTS.development), content: [], clusterScoped: [] }],
          clusterBaseline: [],
          certificateAuthority: new ClusterCertificateAuthorityChart(new App(), 'ca', { certificates: ENVIRONMENTS.development.certificates, vaultAddress: ENVIRONMENTS.development.vaultAddress, vaultCaBundlePem: ENVIRONMENTS.development.vaultCaBundlePem, environmentNamespaces: [ENVIRONMENTS.development.namespace] }),
          addons: clusterAddons(development),
        }),
    ).toThrow(/runs previews, but no rendered preview was given/);
  });

  test('fails when environments of one cluster declare different internal CAs (the development environment and its previews)', () => {
    const development = { ...ENVIRONMENTS.development, certificates: { ...ENVIRONMENTS.development.certificates, internalCa: ENVIRONMENTS.staging.certificates.internalCa } };
    expect(() => renderEnvironments(undefined, { ...ENVIRONMENTS, development })).toThrow(
      /cluster development: environments development and preview declare different certificates\.internalCa .*one cluster has one internal CA\. Fix: give every environment on the cluster the same certificates\.internalCa/,
    );
  });
});

describe.each(CLUSTERS.map((c) => [c.name, c] as const))('the internal CA of cluster %s', (clusterName, cluster) => {
  const argo = docsIn(`argocd/${clusterName}/`);
  const caDocs = docsIn(`argocd/${clusterName}/certificate-authority/`);
  const application = argo.find((d) => d.kind === 'Application' && d.metadata.name === 'certificate-authority')!;
  const project = argo.find((d) => d.kind === 'AppProject' && d.metadata.name === application.spec.project)!;
  const environmentFolders = [...cluster.environments, ...(cluster.runsPreviews ? ['preview'] : [])];
  const config = ENVIRONMENTS[cluster.environments[0]];

  test('is one ClusterIssuer internal-ca, rendered in its own folder that only its Application syncs (the root does not recurse into it)', () => {
    expect(caDocs.filter((d) => d.kind === 'ClusterIssuer' && d.metadata.name === 'internal-ca')).toHaveLength(1);
    expect(application.spec.source).toEqual({ repoURL: expect.any(String), targetRevision: expect.any(String), path: `dist/argocd/${clusterName}/certificate-authority` });
    const root = argo.find((d) => d.kind === 'Application' && d.metadata.name === `root-${clusterName}`)!;
    // A directory source without `recurse` reads only the folder itself (false is its default, and Argo CD drops a written false).
    expect(root.spec.source.directory).toBeUndefined();
    // No environment renders an internal CA of its own any more.
    expect(environmentFolders.flatMap((env) => docsIn(`${env}/`)).filter((d) => d.kind === 'Issuer' || (d.kind === 'ClusterIssuer' && d.metadata.name === 'internal-ca'))).toEqual([]);
  });

  test('signs as the environments of the cluster say: self-signed on development, Vault PKI on staging and production', () => {
    const issuer = caDocs.find((d) => d.kind === 'ClusterIssuer' && d.metadata.name === 'internal-ca')!;
    const { internalCa } = config.certificates;
    if (internalCa.kind === 'vault-pki') {
      expect(issuer.spec.vault).toMatchObject({ server: config.vaultAddress, path: internalCa.signPath, auth: { kubernetes: { role: internalCa.role, serviceAccountRef: { name: 'cert-manager-vault-issuer' } } } });
    } else {
      expect(issuer.spec).toEqual({ ca: { secretName: 'internal-ca' } });
      expect(caDocs.find((d) => d.kind === 'Certificate' && d.metadata.name === 'internal-ca')!.metadata.namespace).toBe('cert-manager');
    }
  });

  test('is what every Certificate of every environment (and preview) on the cluster names, unless it names the ACME ClusterIssuer', () => {
    const certificates = environmentFolders.flatMap((env) => docsIn(`${env}/`)).filter((d) => d.kind === 'Certificate');
    expect(certificates.length).toBeGreaterThan(3);
    const issuers = new Set(certificates.map((c) => `${c.spec.issuerRef.kind}/${c.spec.issuerRef.name}`));
    expect([...issuers].filter((i) => i !== 'ClusterIssuer/internal-ca' && i !== 'ClusterIssuer/letsencrypt-production')).toEqual([]);
    expect(issuers.has('ClusterIssuer/internal-ca')).toBe(true);
  });

  test("is synced in the cluster-baseline wave, after cert-manager and the RabbitMQ operator (whose namespaces it writes into) and before the environments, beside the topology operator that waits for its trust Secret", () => {
    const waveOf = (name: string) => wave(argo.find((d) => d.kind === 'Application' && d.metadata.name === name)!);
    expect(wave(application)).toBeGreaterThan(waveOf('cert-manager'));
    expect(wave(application)).toBeGreaterThan(waveOf('rabbitmq-cluster-operator'));
    expect(wave(application)).toBe(waveOf('rabbitmq-messaging-topology-operator'));
    for (const environment of cluster.environments) {
      expect(wave(application)).toBeLessThan(waveOf(`generator-platform-${environment}`));
    }
    // Pruning could delete the CA; the Application never prunes.
    expect(application.spec.syncPolicy.automated).toEqual({ selfHeal: true });
  });

  test("has a project of its own: only the CA's namespaces, only the ClusterIssuer kind and its admission policy, only this repository", () => {
    expect(project.metadata.name).toBe('platform-certificate-authority');
    expect(project.spec.destinations.map((d: any) => d.namespace).sort()).toEqual(['cert-manager', 'rabbitmq-system']);
    // The ClusterIssuer, and the admission policy that confines it to the platform's namespaces.
    expect(project.spec.clusterResourceWhitelist).toEqual([{ group: 'cert-manager.io', kind: 'ClusterIssuer' }, { group: 'kyverno.io', kind: 'ClusterPolicy' }]);
    expect(project.spec.sourceRepos).toEqual(['https://github.com/acme/generator-platform-k8s.git']);
    const namespacesUsed = [...new Set(caDocs.flatMap((d) => (d.metadata.namespace ? [d.metadata.namespace] : [])))].sort();
    expect(namespacesUsed.every((n) => project.spec.destinations.some((d: any) => d.namespace === n))).toBe(true);
  });

  test("leaves the Namespace rabbitmq-system to the cluster operator's Application: the topology operator's render deletes its own copy (two owners re-sync for ever)", () => {
    const operator = argo.find((d) => d.kind === 'Application' && d.metadata.name === 'rabbitmq-messaging-topology-operator')!;
    const deletion = operator.spec.source.kustomize.patches.find((candidate: { target: { kind: string } }) => candidate.target.kind === 'Namespace');
    expect(deletion.target).toEqual({ group: '', kind: 'Namespace', name: MESSAGING_TOPOLOGY_OPERATOR.namespace });
    expect(parseAllDocuments(deletion.patch)[0].toJS()).toEqual({ $patch: 'delete', apiVersion: 'v1', kind: 'Namespace', metadata: { name: MESSAGING_TOPOLOGY_OPERATOR.namespace } });
  });

  test("reaches the Messaging Topology Operator's trust store: a Certificate from the CA in its namespace, whose ca.crt alone the patched Deployment mounts", () => {
    const trust = caDocs.find((d) => d.kind === 'Certificate' && d.metadata.name === INTERNAL_CA_TRUST_SECRET)!;
    expect(trust.metadata.namespace).toBe(MESSAGING_TOPOLOGY_OPERATOR.namespace);
    expect(trust.spec).toMatchObject({ secretName: INTERNAL_CA_TRUST_SECRET, issuerRef: { kind: 'ClusterIssuer', name: 'internal-ca' } });
    const operator = argo.find((d) => d.kind === 'Application' && d.metadata.name === 'rabbitmq-messaging-topology-operator')!;
    const patch = operator.spec.source.kustomize.patches.find((candidate: { target: { kind: string } }) => candidate.target.kind === 'Deployment');
    expect(patch.target).toEqual({ group: 'apps', kind: 'Deployment', name: 'messaging-topology-operator', namespace: 'rabbitmq-system' });
    const body = parseAllDocuments(patch.patch)[0].toJS();
    expect(body.spec.template.spec.volumes).toEqual([{ name: INTERNAL_CA_TRUST_SECRET, secret: { secretName: INTERNAL_CA_TRUST_SECRET, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }]);
    expect(body.spec.template.spec.containers).toEqual([
      { name: 'manager', volumeMounts: [{ name: INTERNAL_CA_TRUST_SECRET, mountPath: '/etc/ssl/certs/internal-ca.crt', subPath: 'ca.crt', readOnly: true }] },
    ]);
  });
});
