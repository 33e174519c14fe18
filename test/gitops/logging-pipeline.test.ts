import { parseAllDocuments } from 'yaml';
import { CLUSTERS } from '../../lib/config/clusters';
import { LOGGING_SETTINGS } from '../../lib/config/logging';
import { addonsOf } from '../../lib/gitops/addon-catalog';
import { ApplicationWave } from '../../lib/gitops/application-waves';
import { LOGGING_SECRET_STORE } from '../../lib/gitops/logging-secret-store';
import { ClusterLogging } from '../../lib/gitops/logging-settings';
import { renderAllEnvironments } from '../../synth/render';
import { clusterAddons } from './fixtures';

type Doc = { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec: any };

/** Fluent Bit's classic configuration as sections of key/values (a key given twice, like Rule, keeps every value). */
type Section = { name: string; entries: Record<string, string[]> };
function sectionsOf(config: string): Section[] {
  const sections: Section[] = [];
  for (const line of config.split('\n').map((l) => l.trim()).filter((l) => l.length > 0)) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      sections.push({ name: header[1], entries: {} });
      continue;
    }
    const [key, ...rest] = line.split(/\s+/);
    const entries = sections[sections.length - 1].entries;
    (entries[key] ??= []).push(rest.join(' '));
  }
  return sections;
}
const one = (section: Section, key: string) => section.entries[key]?.[0];
/** The stream label each Loki output gives the records it matches: `Match` -> `stream`. */
function streamOfOutputs(outputs: string): Record<string, string> {
  return Object.fromEntries(
    sectionsOf(outputs)
      .filter((s) => one(s, 'Name') === 'loki')
      .map((s) => [one(s, 'Match')!, /(?:^|, )stream=(\w+)/.exec(one(s, 'Labels')!)![1]]),
  );
}

const files = renderAllEnvironments();
const argoDocs = (cluster: string, file: string): Doc[] => parseAllDocuments(files.get(`argocd/${cluster}/${file}`)!).map((d) => d.toJS() as Doc);
const LOGGING_ADDONS = ['loki', 'fluent-bit', 'fluent-bit-events'];

describe.each(CLUSTERS.map((c) => [c.name] as const))('the log pipeline on the %s cluster', (clusterName) => {
  const applications = new Map(argoDocs(clusterName, 'addons.yaml').map((a) => [a.metadata.name, a]));
  const valuesOf = (name: string) => applications.get(name)!.spec.source.helm.valuesObject;
  const agent = valuesOf('fluent-bit');
  const events = valuesOf('fluent-bit-events');

  test('installs Loki and Fluent Bit at exact chart versions into the logging namespace: the agents with the operators, Loki after its secret store', () => {
    const operatorWave = applications.get('keda')!.metadata.annotations!['argocd.argoproj.io/sync-wave'];
    expect(LOGGING_ADDONS.map((name) => [name, applications.get(name)?.spec.source.repoURL, applications.get(name)?.spec.source.chart, applications.get(name)?.spec.source.targetRevision])).toEqual([
      ['loki', 'https://grafana.github.io/helm-charts', 'loki', '6.12.0'],
      ['fluent-bit', 'https://fluent.github.io/helm-charts', 'fluent-bit', '0.47.0'],
      ['fluent-bit-events', 'https://fluent.github.io/helm-charts', 'fluent-bit', '0.47.0'],
    ]);
    for (const name of LOGGING_ADDONS) {
      expect(applications.get(name)!.spec.destination.namespace).toBe('logging');
      // Loki waits for the logging secret store of the cluster baseline; the agents buffer until it answers.
      expect(applications.get(name)!.metadata.annotations!['argocd.argoproj.io/sync-wave']).toBe(name === 'loki' ? String(ApplicationWave.LOGGING) : operatorWave);
    }
  });

  test('lets the add-ons project deploy into logging from the Grafana and Fluent chart repositories, with cluster RBAC', () => {
    const project = argoDocs(clusterName, 'projects.yaml').find((p) => p.kind === 'AppProject' && p.metadata.name === 'platform-addons')!;
    expect(project.spec.destinations.map((d: { namespace: string }) => d.namespace)).toContain('logging');
    expect(project.spec.sourceRepos).toEqual(expect.arrayContaining(['https://grafana.github.io/helm-charts', 'https://fluent.github.io/helm-charts']));
    expect(project.spec.clusterResourceWhitelist).toEqual(
      expect.arrayContaining([
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
      ]),
    );
  });

  test('stores Loki in the environment bucket, with credentials from Vault by Secret name only', () => {
    const loki = valuesOf('loki');
    expect(loki.loki.storage).toMatchObject({ type: 's3', bucketNames: { chunks: LOGGING_SETTINGS[clusterName as keyof typeof LOGGING_SETTINGS]!.bucket } });
    expect(loki.loki.storage.bucketNames.chunks).toContain(clusterName);
    expect(Object.keys(loki.loki.storage.s3)).not.toEqual(expect.arrayContaining([expect.stringMatching(/accessKeyId|secretAccessKey/)]));
    expect(JSON.stringify(loki)).not.toMatch(/AKIA[0-9A-Z]{16}/);
    const [externalSecret] = loki.extraObjects;
    expect(externalSecret).toMatchObject({ kind: 'ExternalSecret', metadata: { name: 'loki-object-storage', namespace: 'logging' }, spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: LOGGING_SECRET_STORE.storeName } } });
    expect(externalSecret.spec.data.map((d: any) => d.remoteRef.key)).toEqual([`generator-platform/${clusterName}/loki-object-storage`, `generator-platform/${clusterName}/loki-object-storage`]);
    for (const component of ['singleBinary', 'write', 'read', 'backend']) {
      expect(loki[component].extraEnvFrom).toEqual([{ secretRef: { name: 'loki-object-storage' } }]);
    }
  });

  test('runs Loki with one named tenant that the agents write to', () => {
    expect(valuesOf('loki').loki.auth_enabled).toBe(true);
    for (const output of sectionsOf(agent.config.outputs + events.config.outputs)) {
      expect(one(output, 'Tenant_ID')).toBe('generator-platform');
    }
  });

  test('collects container logs with the CRI parser and the API server audit log on every node', () => {
    expect(agent.kind).toBe('DaemonSet');
    expect(agent.tolerations).toEqual([{ operator: 'Exists' }]);
    const inputs = sectionsOf(agent.config.inputs);
    expect(inputs.map((s) => [one(s, 'Name'), one(s, 'Path'), one(s, 'Tag')])).toEqual([
      ['tail', '/var/log/containers/*.log', 'kube.*'],
      ['tail', '/var/log/kubernetes/audit/audit.log', 'audit.kube-apiserver'],
    ]);
    expect(one(inputs[0], 'multiline.parser')).toBe('cri');
    expect(agent.daemonSetVolumeMounts).toContainEqual({ name: 'varlog', mountPath: '/var/log', readOnly: true });
  });

  test("parses the services' JSON lines with a JSON parser", () => {
    const [parser] = sectionsOf(agent.config.customParsers);
    expect([one(parser, 'Name'), one(parser, 'Format')]).toEqual(['service_json', 'json']);
    const kubernetes = sectionsOf(agent.config.filters).find((s) => one(s, 'Name') === 'kubernetes')!;
    expect([one(kubernetes, 'Merge_Log'), one(kubernetes, 'Merge_Parser'), one(kubernetes, 'Keep_Log')]).toEqual(['On', 'service_json', 'Off']);
  });

  test('files the platform namespaces under application and every other namespace under system', () => {
    const router = sectionsOf(agent.config.filters).find((s) => one(s, 'Name') === 'rewrite_tag' && one(s, 'Match') === 'kube.*')!;
    expect(router.entries.Rule).toEqual([
      "$kubernetes['namespace_name'] ^generator-platform(-pr-[a-z0-9-]+)?$ application.$TAG false",
      "$kubernetes['namespace_name'] .+ system.$TAG false",
    ]);
    const pattern = new RegExp(router.entries.Rule[0].split(' ')[1]);
    expect(['generator-platform', 'generator-platform-pr-42'].every((ns) => pattern.test(ns))).toBe(true);
    expect(['kube-system', 'logging', 'generator-platform-tools'].some((ns) => pattern.test(ns))).toBe(false);
  });

  test('sends audit and security records to streams of their own, apart from application and system', () => {
    expect(streamOfOutputs(agent.config.outputs)).toEqual({ 'application.*': 'application', 'system.*': 'system', 'audit.*': 'audit', 'security.*': 'security' });
    expect(streamOfOutputs(events.config.outputs)).toEqual({ 'security.*': 'security', 'system.*': 'system' });
    const copyToSecurity = sectionsOf(agent.config.filters).find((s) => one(s, 'Match') === 'audit.*')!;
    expect(copyToSecurity.entries.Rule).toEqual(["$annotations['pod-security.kubernetes.io/audit-violations'] .+ security.pod-security-audit true"]);
  });

  test('labels every line with environment and stream, and container lines with namespace and app', () => {
    for (const output of sectionsOf(agent.config.outputs + events.config.outputs)) {
      const labels = one(output, 'Labels')!.split(', ');
      expect(labels).toEqual(expect.arrayContaining([`environment=${clusterName}`, expect.stringMatching(/^stream=(application|system|audit|security)$/)]));
    }
    const agentLabels = sectionsOf(agent.config.outputs).filter((s) => ['application.*', 'system.*'].includes(one(s, 'Match')!)).map((s) => one(s, 'Labels'));
    for (const labels of agentLabels) {
      expect(labels).toContain("namespace=$kubernetes['namespace_name']");
      expect(labels).toContain("app=$kubernetes['labels']['app.kubernetes.io/name']");
    }
  });

  test('collects Kubernetes Events once (one replica), Kyverno and Pod Security ones as security', () => {
    expect(events).toMatchObject({ kind: 'Deployment', replicaCount: 1, rbac: { eventsAccess: true } });
    expect(one(sectionsOf(events.config.inputs)[0], 'Name')).toBe('kubernetes_events');
    expect(sectionsOf(events.config.filters)[0].entries.Rule).toEqual([
      '$reason ^PolicyViolation$ security.kyverno false',
      '$message violates\\sPodSecurity security.pod-security false',
      '$reason .* system.events false',
    ]);
  });

  test('drops debug and trace application lines in production only', () => {
    const dropsDebug = sectionsOf(agent.config.filters).some((s) => one(s, 'Name') === 'grep' && one(s, 'Match') === 'application.*' && one(s, 'Exclude') === 'level ^(debug|trace)$');
    expect(dropsDebug).toBe(clusterName === 'production');
  });
});

describe('the add-ons of a cluster', () => {
  test.each(CLUSTERS.map((c) => [c.name, c] as const))('on %s carry the log pipeline values of that cluster in helmValues', (clusterName, cluster) => {
    const loki = clusterAddons(cluster).find((a) => a.name === 'loki')!;
    expect((loki.helmValues as any).loki.storage.bucketNames.chunks).toBe(`acme-generator-platform-logs-${clusterName}`);
  });

  const logging: ClusterLogging = { ...LOGGING_SETTINGS.staging!, clusterName: 'qa', environment: 'staging', credentialsVaultPath: 'x/loki-object-storage', retentionDays: { application: 1, system: 1, audit: 1, security: 1 }, objectStorageCidrs: ['52.218.0.0/17'], kubernetesApiCidrs: ['10.0.0.0/28'] };

  const monitoring = { grafanaAdminVaultPath: 'x/grafana-admin' };

  test('fails for a cluster with no Loki replica', () => {
    expect(() => addonsOf({ ...logging, lokiReplicas: 0 }, monitoring)).toThrow(/cluster qa: lokiReplicas = 0; must be a whole number of at least 1/);
  });

  test('fails for an audit log outside /var/log, which Fluent Bit cannot read', () => {
    expect(() => addonsOf({ ...logging, auditLogPath: '/etc/audit.log' }, monitoring)).toThrow(/cluster qa: auditLogPath = \/etc\/audit.log; Fluent Bit mounts only \/var\/log/);
  });

  test('fails for a retention that is not whole days', () => {
    expect(() => addonsOf({ ...logging, retentionDays: { ...logging.retentionDays, audit: 0.5 } }, monitoring)).toThrow(/cluster qa: audit retention = 0.5 days/);
  });
});
