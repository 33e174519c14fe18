import type { Dashboard } from '@grafana/schema';
import { ENVIRONMENTS, previewEnvironment } from '../../../lib/config/environments';
import { GrafanaDashboards, GrafanaDashboardsProps } from '../../../lib/observability/dashboards/grafana-dashboards';
import { stableJson } from '../../../lib/observability/dashboards/stable-json';
import { KubeObject, emptyChart, kinds, objectsOf } from '../../support/kube';

const NAMESPACE = 'generator-platform';

function render(props: GrafanaDashboardsProps): KubeObject[] {
  const chart = emptyChart();
  new GrafanaDashboards(chart, 'dashboards', props);
  return kinds(objectsOf(chart), 'ConfigMap');
}

function dashboardOf(configMap: KubeObject): Dashboard {
  const files = Object.values(configMap.data as Record<string, string>);
  expect(files).toHaveLength(1);
  return JSON.parse(files[0]) as Dashboard;
}

function sortedKeysEverywhere(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(sortedKeysEverywhere);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.join('\0') === [...keys].sort().join('\0') && Object.values(value).every(sortedKeysEverywhere);
  }
  return true;
}

describe('GrafanaDashboards', () => {
  test('with minimal props: one ConfigMap per dashboard in the platform namespace, labelled for the Grafana sidecar and filed in "Generator Platform"', () => {
    const configMaps = render({ namespace: NAMESPACE });
    expect(configMaps.map((c) => c.metadata.name)).toEqual(['grafana-dashboard-platform-overview', 'grafana-dashboard-generator-pipeline', 'grafana-dashboard-data-stores']);
    for (const configMap of configMaps) {
      expect(configMap.metadata.namespace).toBe(NAMESPACE);
      expect(configMap.metadata.labels).toEqual({ grafana_dashboard: '1', 'app.kubernetes.io/part-of': 'generator-platform', 'app.kubernetes.io/component': 'dashboards' });
      expect(configMap.metadata.annotations).toEqual({ grafana_folder: 'Generator Platform' });
    }
    expect(configMaps.map((c) => Object.keys(c.data))).toEqual([
      ['generator-platform-platform-overview.json'],
      ['generator-platform-generator-pipeline.json'],
      ['generator-platform-data-stores.json'],
    ]);
    expect(configMaps.map((c) => dashboardOf(c).title)).toEqual([
      'Generator Platform: overview (generator-platform)',
      'Generator Platform: generator pipeline (generator-platform)',
      'Generator Platform: data stores (generator-platform)',
    ]);
  });

  test('with all props', () => {
    const props: Required<GrafanaDashboardsProps> = { namespace: 'generator-platform-pr-42', folder: 'Previews', labelKey: 'example.com/dashboard', labelValue: 'platform' };
    const configMaps = render(props);
    for (const configMap of configMaps) {
      expect(configMap.metadata).toMatchObject({ namespace: 'generator-platform-pr-42', labels: { 'example.com/dashboard': 'platform' }, annotations: { grafana_folder: 'Previews' } });
      expect(configMap.metadata.labels.grafana_dashboard).toBeUndefined();
      expect(Object.keys(configMap.data)[0]).toMatch(/^generator-platform-pr-42-/);
      expect(dashboardOf(configMap).templating?.list?.[1].current).toEqual({ selected: true, text: 'generator-platform-pr-42', value: 'generator-platform-pr-42' });
    }
  });

  test('renders pretty-printed JSON with sorted keys, byte-identical on every render', () => {
    const first = render({ namespace: NAMESPACE });
    const second = render({ namespace: NAMESPACE });
    expect(second.map((c) => c.data)).toEqual(first.map((c) => c.data));
    for (const configMap of first) {
      const json = Object.values(configMap.data as Record<string, string>)[0];
      const dashboard = JSON.parse(json);
      expect(sortedKeysEverywhere(dashboard)).toBe(true);
      expect(json).toBe(stableJson(dashboard));
      expect(json.split('\n')[1]).toMatch(/^ {2}"annotations": /);
    }
  });

  test('the rendered JSON is the dashboard model the construct exposes', () => {
    const chart = emptyChart();
    const dashboards = new GrafanaDashboards(chart, 'dashboards', { namespace: NAMESPACE });
    const configMaps = kinds(objectsOf(chart), 'ConfigMap');
    expect(dashboards.dashboards.map((d) => d.configMapName)).toEqual(configMaps.map((c) => c.metadata.name));
    dashboards.dashboards.forEach((rendered, index) => {
      expect(configMaps[index].data[rendered.fileName]).toBeDefined();
      expect(JSON.parse(configMaps[index].data[rendered.fileName])).toEqual(JSON.parse(JSON.stringify(rendered.dashboard)));
    });
  });

  test('dashboard uids are unique and stay the same across renders', () => {
    const uids = render({ namespace: NAMESPACE }).map((c) => dashboardOf(c).uid);
    expect(new Set(uids).size).toBe(3);
    expect(render({ namespace: NAMESPACE }).map((c) => dashboardOf(c).uid)).toEqual(uids);
  });

  test('every dashboard stays far below the size Argo CD can apply client-side', () => {
    for (const configMap of render({ namespace: NAMESPACE })) {
      expect(Buffer.byteLength(Object.values(configMap.data as Record<string, string>)[0])).toBeLessThan(100 * 1024);
    }
  });

  test.each([...Object.values(ENVIRONMENTS), previewEnvironment('pr-'.padEnd(32, '9'))].map((config) => [config.name, config.namespace]))(
    'renders for the %s namespace %s, with uids Grafana accepts',
    (_name, namespace) => {
      const configMaps = render({ namespace });
      expect(configMaps.every((c) => c.metadata.namespace === namespace)).toBe(true);
      expect(configMaps.every((c) => /^[a-z0-9-]{1,40}$/.test(dashboardOf(c).uid ?? ''))).toBe(true);
    },
  );

  test.each([
    ['a namespace that is not a DNS label', { namespace: 'Generator_Platform' }, 'GrafanaDashboards dashboards: namespace is "Generator_Platform"; use the platform namespace'],
    ['an empty folder', { namespace: NAMESPACE, folder: ' ' }, 'folder is " "; use a folder name without slashes'],
    ['a folder with a slash', { namespace: NAMESPACE, folder: 'Platform/Dashboards' }, 'folder is "Platform/Dashboards"'],
    ['an invalid label key', { namespace: NAMESPACE, labelKey: 'grafana dashboard' }, 'labelKey is "grafana dashboard"'],
    ['an empty label value', { namespace: NAMESPACE, labelValue: '' }, 'labelValue is ""'],
    ['an invalid label value', { namespace: NAMESPACE, labelValue: 'yes please' }, 'labelValue is "yes please"'],
  ])('fails for %s', (_name, props, message) => {
    expect(() => render(props)).toThrow(message);
  });
});
