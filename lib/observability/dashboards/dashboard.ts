import { createHash } from 'node:crypto';
import { DashboardCursorSync, VariableRefresh, VariableSort, defaultDashboard } from '@grafana/schema';
import type { Dashboard, DashboardLink, VariableModel } from '@grafana/schema';
import { DATASOURCE_VARIABLE, DashboardSection, NAMESPACE_VARIABLE, PROMETHEUS_DATASOURCE, layOut } from './panels';

/** Tag every platform dashboard carries; the dashboards link to each other through it. */
export const PLATFORM_DASHBOARD_TAG = 'generator-platform';
/** The data source kube-prometheus-stack provisions (`grafana.sidecar.datasources.uid`). */
export const DEFAULT_PROMETHEUS_DATASOURCE_UID = 'prometheus';
/**
 * The dashboard JSON schema version of Grafana 11.6, taken from @grafana/schema's own default so
 * that it moves with the package: Grafana migrates older versions on load, never newer ones.
 */
export const DASHBOARD_SCHEMA_VERSION = defaultDashboard.schemaVersion;
/** Grafana accepts dashboard uids of at most 40 characters. */
const MAX_UID_LENGTH = 40;

export interface PlatformDashboardOptions {
  /** Short stable name, e.g. `overview`; part of the uid. */
  readonly slug: string;
  readonly title: string;
  readonly description: string;
  /** The platform namespace: the default of the namespace variable, and part of the uid and title. */
  readonly namespace: string;
  readonly sections: readonly DashboardSection[];
  /** Default time range, e.g. `now-6h`. */
  readonly timeFrom: string;
  /** Refresh interval, e.g. `1m`. */
  readonly refresh: string;
}

/**
 * The dashboard uid: the slug and a digest of the namespace. The same namespace always gives the
 * same uid (links and bookmarks survive every re-render), and the environments that share a
 * cluster (development and the pull-request previews) never collide in one Grafana.
 */
export function dashboardUid(slug: string, namespace: string): string {
  const uid = `gp-${slug}-${createHash('sha256').update(namespace).digest('hex').slice(0, 10)}`;
  if (!/^[a-z0-9-]+$/.test(slug) || uid.length > MAX_UID_LENGTH) {
    throw new Error(`dashboard slug ${JSON.stringify(slug)} gives uid ${uid}; use lower-case letters, digits and dashes, at most ${MAX_UID_LENGTH - 14} characters`);
  }
  return uid;
}

function variables(namespace: string): VariableModel[] {
  return [
    {
      type: 'datasource',
      name: DATASOURCE_VARIABLE,
      label: 'Data source',
      query: 'prometheus',
      current: { selected: true, text: 'Prometheus', value: DEFAULT_PROMETHEUS_DATASOURCE_UID },
      refresh: VariableRefresh.onDashboardLoad,
      regex: '',
      multi: false,
      includeAll: false,
    },
    {
      type: 'query',
      name: NAMESPACE_VARIABLE,
      label: 'Namespace',
      description: 'Platform namespace: an environment, or a pull-request preview',
      datasource: PROMETHEUS_DATASOURCE,
      // Every namespace that runs the platform's API: the environments and the previews.
      query: 'label_values(http_requests_total{service="api"}, namespace)',
      current: { selected: true, text: namespace, value: namespace },
      refresh: VariableRefresh.onTimeRangeChanged,
      sort: VariableSort.alphabeticalAsc,
      regex: '',
      multi: false,
      includeAll: false,
    },
  ];
}

/** Links to the other platform dashboards, keeping the time range and the variables. */
const PLATFORM_LINKS: DashboardLink[] = [
  {
    type: 'dashboards',
    title: 'Generator Platform',
    tags: [PLATFORM_DASHBOARD_TAG],
    asDropdown: true,
    includeVars: true,
    keepTime: true,
    targetBlank: false,
    icon: 'external link',
    tooltip: '',
  },
];

/**
 * A platform dashboard: read-only (its source is this repository), with the data source and
 * namespace variables, UTC time, a shared crosshair, and the panels laid out section by section.
 */
export function platformDashboard(options: PlatformDashboardOptions): Dashboard {
  return {
    uid: dashboardUid(options.slug, options.namespace),
    title: `${options.title} (${options.namespace})`,
    description: options.description,
    tags: [PLATFORM_DASHBOARD_TAG],
    editable: false,
    graphTooltip: DashboardCursorSync.Crosshair,
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    version: 1,
    timezone: 'utc',
    time: { from: options.timeFrom, to: 'now' },
    refresh: options.refresh,
    timepicker: { refresh_intervals: ['30s', '1m', '5m', '15m', '1h'] },
    fiscalYearStartMonth: 0,
    liveNow: false,
    links: PLATFORM_LINKS,
    annotations: { list: [] },
    templating: { list: variables(options.namespace) },
    panels: layOut(options.sections),
  };
}
