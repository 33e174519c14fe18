import { parse } from 'yaml';
import { CLUSTERS } from '../../lib/config/clusters';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { loggingEnvironmentOf } from '../../lib/config/logging';
import { KUBE_PROMETHEUS } from '../../lib/gitops/addon-catalog';
import { LOKI_HTTP_PORT } from '../../lib/gitops/logging-network-policies';
import { LOGGING_NAMESPACE, LOKI_TENANT } from '../../lib/gitops/logging-settings';
import { labelSelectorMatches } from '../../tools/validation/label-selector';
import { AddressEndpoint, NetworkPolicyObject, PodEndpoint, flowAllowed, workloadPods } from './support/network-policy-evaluator';
import { RenderedAddonObjects, renderAddonsNamed } from './support/rendered-addons';

/**
 * The logging namespace as the add-on Applications really render it (helm template of the pinned
 * Loki, Fluent Bit, Grafana and kube-prometheus-stack charts with our values), judged by evaluating the
 * rendered NetworkPolicies' selectors against the rendered pods, not by reading strings.
 */
const ADDONS = ['loki', 'fluent-bit', 'fluent-bit-events', 'grafana', 'kube-prometheus-stack'];
let rendered: RenderedAddonObjects[] = [];
beforeAll(async () => {
  rendered = await renderAddonsNamed(ADDONS);
}, 300_000);

const objectsOf = (cluster: string, name: string): any[] => {
  const addon = rendered.find((r) => r.application.cluster === cluster && r.application.name === name);
  if (!addon) {
    throw new Error(`add-on ${name} of cluster ${cluster} was not rendered`);
  }
  return [...addon.objects];
};
const podsOf = (cluster: string, name: string): PodEndpoint[] => workloadPods(objectsOf(cluster, name), ['grafana', 'kube-prometheus-stack'].includes(name) ? 'monitoring' : LOGGING_NAMESPACE);
const names = (pods: readonly PodEndpoint[]) => pods.map((pod) => pod.name).sort();
const pod = (name: string, namespace: string, labels: Record<string, string>, ports: PodEndpoint['ports'] = []): PodEndpoint => ({ name: `${namespace}/${name}`, namespace, labels, ports });
const address = (name: string, ip: string): AddressEndpoint => ({ name, ip });
/** The address `offset` into a CIDR, e.g. 52.218.0.10 in 52.218.0.0/17. */
const inside = (cidr: string, offset = 10) => cidr.split('/')[0].replace(/\d+$/, (last) => String(Number(last) + offset));

describe.each(CLUSTERS.map((c) => [c.name, c] as const))('the logging namespace of the %s cluster', (clusterName, cluster) => {
  const config = ENVIRONMENTS[loggingEnvironmentOf(cluster)];
  const lokiObjects = () => objectsOf(clusterName, 'loki');
  const policies = (): NetworkPolicyObject[] => lokiObjects().filter((o) => o.kind === 'NetworkPolicy');
  const lokiPods = () => podsOf(clusterName, 'loki');
  const members = () => lokiPods().filter((p) => p.labels['app.kubernetes.io/part-of'] === 'memberlist');
  const component = (...components: string[]) => lokiPods().filter((p) => components.includes(p.labels['app.kubernetes.io/component']));
  const fluentBit = () => [...podsOf(clusterName, 'fluent-bit'), ...podsOf(clusterName, 'fluent-bit-events')];
  const grafana = () => podsOf(clusterName, 'grafana').filter((p) => p.labels['app.kubernetes.io/name'] === 'grafana');
  const singleBinary = () => component('single-binary').length > 0;
  const writePath = () => (singleBinary() ? component('single-binary') : component('write'));
  const readPath = () => (singleBinary() ? component('single-binary') : component('read'));
  /** Every pod that might try: the log pipeline, the monitoring stack, the platform, and a pull request's pods wearing their labels. */
  const everyone = (): PodEndpoint[] => [
    ...lokiPods(),
    ...fluentBit(),
    ...podsOf(clusterName, 'kube-prometheus-stack'),
    ...podsOf(clusterName, 'grafana'),
    pod('prometheus', KUBE_PROMETHEUS.namespace, { ...KUBE_PROMETHEUS.podLabels }),
    pod('api', config.namespace, { 'app.kubernetes.io/name': 'api' }),
    pod('fake-grafana', 'generator-platform-pr-7', { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'grafana' }),
    pod('fake-fluent-bit', 'generator-platform-pr-7', { 'app.kubernetes.io/name': 'fluent-bit', 'app.kubernetes.io/instance': 'fluent-bit' }),
    pod('fake-loki', 'generator-platform-pr-7', { ...members()[0].labels }),
  ];
  const reaching = (target: PodEndpoint, port: number, under: readonly NetworkPolicyObject[] = policies()) =>
    everyone().filter((source) => flowAllowed(under, source, target, port)).map((source) => source.name).sort();

  test('the renders hold what the test reasons about: Loki components, both Fluent Bit releases, Grafana', () => {
    expect(members().length).toBeGreaterThan(0);
    expect(fluentBit().map((p) => p.labels['app.kubernetes.io/instance']).sort()).toEqual(['fluent-bit', 'fluent-bit-events']);
    expect(grafana()).toHaveLength(1);
    expect(policies().length).toBeGreaterThan(0);
    expect(lokiObjects().filter((o) => o.metadata.name.endsWith('-gateway'))).toEqual([]);
  });

  test('without these NetworkPolicies a pull request pod reaches Loki (so the checks below can fail)', () => {
    expect(reaching(writePath()[0], LOKI_HTTP_PORT, [])).toContain('generator-platform-pr-7/fake-fluent-bit');
  });

  test("Loki's HTTP port admits only Fluent Bit on the write path, only Grafana on the read path, and Loki's own components", () => {
    for (const target of lokiPods().filter((p) => p.labels['app.kubernetes.io/part-of'] === 'memberlist')) {
      const expected = [
        ...names(members()),
        ...(names(writePath()).includes(target.name) ? names(fluentBit()) : []),
        ...(names(readPath()).includes(target.name) ? names(grafana()) : []),
      ].sort();
      expect([target.name, reaching(target, LOKI_HTTP_PORT)]).toEqual([target.name, expected]);
    }
  });

  test('gRPC and memberlist ports admit only Loki components; the caches admit only Loki; nothing reaches a metrics-only port', () => {
    for (const target of members()) {
      for (const port of target.ports.map((p) => p.containerPort).filter((p) => p !== LOKI_HTTP_PORT)) {
        expect([target.name, port, reaching(target, port)]).toEqual([target.name, port, names(members())]);
      }
    }
    for (const cache of component('memcached-chunks-cache', 'memcached-results-cache')) {
      expect(reaching(cache, 11211)).toEqual(names(members()));
      expect(reaching(cache, 9150)).toEqual([]);
    }
    expect(component('memcached-chunks-cache', 'memcached-results-cache').length).toBe(singleBinary() ? 0 : 2);
    for (const agent of fluentBit()) {
      for (const port of agent.ports.map((p) => p.containerPort)) {
        expect([agent.name, port, reaching(agent, port)]).toEqual([agent.name, port, []]);
      }
    }
  });

  test('Loki reaches the bucket by its configured CIDRs on HTTPS only; only the rules sidecar reaches the API server', () => {
    const api = address('kubernetes-api', inside(config.kubernetesApiCidr, 1));
    for (const member of members()) {
      for (const cidr of config.egress.objectStorageCidrs) {
        expect([member.name, cidr, flowAllowed(policies(), member, address('s3', inside(cidr)), 443)]).toEqual([member.name, cidr, true]);
        expect(flowAllowed(policies(), member, address('s3', inside(cidr)), 80)).toBe(false);
      }
      expect(flowAllowed(policies(), member, address('internet', '1.1.1.1'), 443)).toBe(false);
      const hasRulesSidecar = member.labels['app.kubernetes.io/component'] === 'backend';
      expect([member.name, flowAllowed(policies(), member, api, 443)]).toEqual([member.name, hasRulesSidecar]);
    }
  });

  test('Fluent Bit reaches the write path and the API server, nothing else', () => {
    const api = address('kubernetes-api', inside(config.kubernetesApiCidr, 1));
    for (const agent of fluentBit()) {
      expect(writePath().every((target) => flowAllowed(policies(), agent, target, LOKI_HTTP_PORT))).toBe(true);
      expect(readPath().filter((target) => !names(writePath()).includes(target.name)).some((target) => flowAllowed(policies(), agent, target, LOKI_HTTP_PORT))).toBe(false);
      expect([443, 6443].map((port) => flowAllowed(policies(), agent, api, port))).toEqual([true, true]);
      expect(flowAllowed(policies(), agent, address('s3', inside(config.egress.objectStorageCidrs[0])), 443)).toBe(false);
      expect(flowAllowed(policies(), agent, grafana()[0], 3000)).toBe(false);
    }
  });

  test('every pod of the namespace resolves names through the cluster DNS, and only there', () => {
    const dns = pod('coredns', 'kube-system', { 'k8s-app': 'kube-dns' });
    for (const source of [...lokiPods(), ...fluentBit()]) {
      expect([source.name, flowAllowed(policies(), source, dns, 53, 'UDP'), flowAllowed(policies(), source, dns, 53, 'TCP'), flowAllowed(policies(), source, dns, 8080)]).toEqual([source.name, true, true, false]);
    }
  });

  test('the only writer and the only reader send the one tenant, to Services that select the write and the read path', () => {
    const lokiConfig = parse(lokiObjects().find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'loki').data['config.yaml']);
    expect(lokiConfig.auth_enabled).toBe(true);
    const serviceSelecting = (host: string, port: number): PodEndpoint[] => {
      const [serviceName, namespace] = host.split('.');
      const service = lokiObjects().find((o) => o.kind === 'Service' && o.metadata.name === serviceName);
      expect([host, namespace, service?.spec.ports.some((p: any) => p.port === port)]).toEqual([host, LOGGING_NAMESPACE, true]);
      return lokiPods().filter((p) => labelSelectorMatches({ matchLabels: service.spec.selector }, { ...p.labels }));
    };
    for (const release of ['fluent-bit', 'fluent-bit-events']) {
      const configMap = objectsOf(clusterName, release).find((o) => o.kind === 'ConfigMap' && o.data?.['fluent-bit.conf']);
      const outputs = configMap.data['fluent-bit.conf'].split('[OUTPUT]').slice(1).map((section: string) => Object.fromEntries(section.split('\n').map((l) => l.trim().split(/\s+/)).filter((kv) => kv.length >= 2).map(([k, ...v]) => [k, v.join(' ')])));
      const lokiOutputs = outputs.filter((o: Record<string, string>) => o.Name === 'loki');
      expect(lokiOutputs.length).toBeGreaterThan(0);
      for (const output of lokiOutputs) {
        expect([release, output.Tenant_ID]).toEqual([release, LOKI_TENANT]);
        expect(names(serviceSelecting(output.Host, Number(output.Port)))).toEqual(names(writePath()));
      }
    }
    const datasources = parse(objectsOf(clusterName, 'kube-prometheus-stack').find((o) => o.kind === 'ConfigMap' && o.data?.['datasource.yaml']).data['datasource.yaml']).datasources;
    const lokiSources = datasources.filter((d: any) => d.type === 'loki');
    expect(lokiSources).toHaveLength(1);
    const [source] = lokiSources;
    expect([source.jsonData.httpHeaderName1, source.secureJsonData.httpHeaderValue1]).toEqual(['X-Scope-OrgID', LOKI_TENANT]);
    const url = new URL(source.url);
    expect(names(serviceSelecting(url.hostname, Number(url.port)))).toEqual(names(readPath()));
  });
});
