import { CLUSTERS } from '../../lib/config/clusters';
import { Addon } from '../../lib/gitops/addon-catalog';
import { INGRESS_NGINX_METRICS_SERVICE } from '../../lib/gitops/ingress-nginx-metrics-values';
import { AddonApplication, AddonSourceKind } from '../../tools/addons/addon-applications';
import { lockEntryFor, readAddonLock } from '../../tools/addons/addon-lock';
import { builtInApiVersions } from '../../tools/addons/cluster-api-versions';
import { renderAddon } from '../../tools/addons/render-addon';
import { objectsOf } from '../../tools/addons/render-addons';
import { JsonObject } from '../../tools/validation/manifest';
import { clusterAddons } from '../gitops/fixtures';
import { tempDirsRemovedAfterAll } from '../support/files';

/**
 * The scrape path the edge objectives depend on, checked on what the pinned charts really render
 * (`helm template`, as Argo CD 2.10 does) with the values of lib/gitops, not on the values alone.
 */
const makeTempDir = tempDirsRemovedAfterAll();
const production = CLUSTERS.find((cluster) => cluster.name === 'production')!;
const addons = clusterAddons(production);

/** The add-on as the Application Argo CD renders: its chart, version, namespace and values from the catalog. */
function applicationOf(addon: Addon): AddonApplication {
  const source = { repoURL: addon.repoUrl, chart: addon.chart!, targetRevision: addon.targetRevision };
  return {
    cluster: production.name,
    file: `argocd/${production.name}/addons.yaml`,
    name: addon.name,
    project: 'platform-addons',
    destinationNamespace: addon.namespace,
    kind: AddonSourceKind.HELM,
    source: { ...source, helm: { releaseName: addon.name, valuesObject: addon.helmValues as JsonObject } },
    lockedSource: source,
  };
}

async function render(name: string): Promise<any[]> {
  const addon = addons.find((candidate) => candidate.name === name)!;
  const application = applicationOf(addon);
  const yaml = await renderAddon({ application, entry: lockEntryFor(readAddonLock(), application.lockedSource), apiVersions: builtInApiVersions(), workDir: makeTempDir('edge-render-') });
  return objectsOf(yaml);
}

let ingressNginx: any[];
let kubePrometheusStack: any[];

beforeAll(async () => {
  [ingressNginx, kubePrometheusStack] = await Promise.all([render('ingress-nginx'), render('kube-prometheus-stack')]);
}, 300_000);

const ofKind = (objects: readonly any[], kind: string) => objects.filter((object) => object.kind === kind);

describe('Prometheus scrapes ingress-nginx (chart 4.11.5 rendered with the add-on values)', () => {
  test('the chart renders a ServiceMonitor in ingress-nginx that selects the metrics Service by its port, with the target labels winning', () => {
    const [monitor] = ofKind(ingressNginx, 'ServiceMonitor');
    expect(monitor.metadata).toMatchObject({ name: 'ingress-nginx-controller', namespace: 'ingress-nginx' });
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['ingress-nginx'] });
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', interval: '30s' }]);
    // No honorLabels: the Ingress's namespace arrives as exported_namespace, which the edge rules select on.
    expect(monitor.spec.endpoints[0].honorLabels).toBeUndefined();
    const selected = ofKind(ingressNginx, 'Service').filter((service) =>
      Object.entries(monitor.spec.selector.matchLabels).every(([key, value]) => service.metadata.labels[key] === value),
    );
    const scraped = selected.filter((service) => service.spec.ports.some((port: any) => port.name === 'metrics'));
    // The Service the IngressControllerDown alert names (its target's `service` label).
    expect(scraped.map((service) => `${service.metadata.name}:${service.spec.ports.find((port: any) => port.name === 'metrics').port}`)).toEqual([
      `${INGRESS_NGINX_METRICS_SERVICE}:10254`,
    ]);
    const container = ofKind(ingressNginx, 'Deployment')[0].spec.template.spec.containers[0];
    expect(container.ports).toContainEqual({ name: 'metrics', containerPort: 10254, protocol: 'TCP' });
  });

  test('kube-prometheus-stack\'s Prometheus selects every ServiceMonitor in every namespace', () => {
    const [prometheus] = ofKind(kubePrometheusStack, 'Prometheus');
    expect(prometheus.spec.serviceMonitorSelector).toEqual({});
    expect(prometheus.spec.serviceMonitorNamespaceSelector).toEqual({});
  });

  test('no NetworkPolicy stands between Prometheus and the controller: neither chart renders one, and no add-on adds one to either namespace', () => {
    expect(ofKind(ingressNginx, 'NetworkPolicy')).toEqual([]);
    expect(ofKind(kubePrometheusStack, 'NetworkPolicy')).toEqual([]);
    const policies: any[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) {
        value.forEach(collect);
      } else if (value !== null && typeof value === 'object') {
        const object = value as Record<string, any>;
        if (object.kind === 'NetworkPolicy') {
          policies.push(object);
        }
        Object.values(object).forEach(collect);
      }
    };
    addons.forEach((addon) => collect(addon.helmValues));
    expect(policies.length).toBeGreaterThan(0);
    expect(policies.filter((policy) => ['ingress-nginx', 'monitoring'].includes(policy.metadata?.namespace))).toEqual([]);
  });

  test('a client over its rate or connection limit gets 429, not the 503 the edge objective counts as a failure', () => {
    const configMap = ofKind(ingressNginx, 'ConfigMap').find((map) => map.metadata.name === 'ingress-nginx-controller');
    expect(configMap.data).toMatchObject({ 'limit-req-status-code': '429', 'limit-conn-status-code': '429' });
  });
});
