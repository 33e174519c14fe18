import type { Dashboard } from '@grafana/schema';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PLATFORM_NAME } from '../../platform/labels';
import { PropError } from '../../platform/prop-error';
import { dataStoresDashboard } from './data-stores';
import { generatorPipelineDashboard } from './generator-pipeline';
import { platformOverviewDashboard } from './platform-overview';
import { stableJson } from './stable-json';
import { DNS_LABEL } from '../../platform/input-patterns';

/** The annotation the Grafana sidecar reads a dashboard's folder from (`sidecar.dashboards.folderAnnotation`). */
export const GRAFANA_FOLDER_ANNOTATION = 'grafana_folder';
/**
 * Largest dashboard JSON accepted: Argo CD's client-side apply copies the whole object into the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation, and annotations are limited to
 * 256 KiB in total.
 */
export const MAX_DASHBOARD_JSON_BYTES = 200 * 1024;

export interface GrafanaDashboardsProps {
  /**
   * Namespace the ConfigMaps are rendered in: the platform namespace. The dashboards open on it,
   * and it is part of their uids, titles and file names, so that the environments sharing a
   * cluster (development and the previews) never overwrite each other's dashboards.
   */
  readonly namespace: string;
  /**
   * Grafana folder the dashboards are filed in, through the `grafana_folder` annotation.
   * @default 'Generator Platform'
   * @see https://github.com/grafana/helm-charts/tree/main/charts/grafana#sidecar-for-dashboards
   */
  readonly folder?: string;
  /**
   * Label the Grafana sidecar selects dashboard ConfigMaps by (kube-prometheus-stack's
   * `grafana.sidecar.dashboards.label`).
   * @default 'grafana_dashboard'
   * @see https://github.com/prometheus-community/helm-charts/blob/main/charts/kube-prometheus-stack/values.yaml
   */
  readonly labelKey?: string;
  /**
   * Value of that label (`grafana.sidecar.dashboards.labelValue`).
   * @default '1'
   */
  readonly labelValue?: string;
}

/** One dashboard as rendered: its ConfigMap, the file name the sidecar writes, and the model. */
export interface RenderedDashboard {
  readonly configMapName: string;
  readonly fileName: string;
  readonly dashboard: Dashboard;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/**
 * The platform's Grafana dashboards (platform overview, generator pipeline, data stores), one
 * ConfigMap each in the platform namespace, labelled for the Grafana sidecar of
 * kube-prometheus-stack, which loads them into Grafana read-only. The JSON is pretty-printed with
 * sorted keys, so a re-render without a change is byte-identical.
 *
 * The sidecar must look in the platform namespace (kube-prometheus-stack's default
 * `searchNamespace: ALL`) and, for the folder, read `sidecar.dashboards.folderAnnotation:
 * grafana_folder` with `provider.foldersFromFilesStructure: true`.
 */
export class GrafanaDashboards extends Construct {
  public readonly dashboards: readonly RenderedDashboard[];

  public constructor(scope: Construct, id: string, props: GrafanaDashboardsProps) {
    super(scope, id);
    const folder = props.folder ?? 'Generator Platform';
    const labelKey = props.labelKey ?? 'grafana_dashboard';
    const labelValue = props.labelValue ?? '1';
    validate(id, props.namespace, folder, labelKey, labelValue);

    const namespace = props.namespace;
    const dashboards: Array<[string, string, Dashboard]> = [
      ['PlatformOverview', 'platform-overview', platformOverviewDashboard({ namespace })],
      ['GeneratorPipeline', 'generator-pipeline', generatorPipelineDashboard({ namespace })],
      ['DataStores', 'data-stores', dataStoresDashboard({ namespace })],
    ];
    this.dashboards = dashboards.map(([constructId, slug, dashboard]) => {
      const configMapName = `grafana-dashboard-${slug}`;
      // The sidecar writes every ConfigMap key as a file into one folder of the Grafana pod.
      const fileName = `${namespace}-${slug}.json`;
      const json = stableJson(dashboard);
      const bytes = Buffer.byteLength(json, 'utf8');
      if (bytes > MAX_DASHBOARD_JSON_BYTES) {
        throw new Error(`GrafanaDashboards ${id}: dashboard ${slug} renders to ${bytes} bytes; keep it under ${MAX_DASHBOARD_JSON_BYTES} (split it into two dashboards)`);
      }
      new k8s.KubeConfigMap(this, constructId, {
        metadata: {
          name: configMapName,
          namespace,
          labels: { [labelKey]: labelValue, 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/component': 'dashboards' },
          annotations: { [GRAFANA_FOLDER_ANNOTATION]: folder },
        },
        data: { [fileName]: json },
      });
      return { configMapName, fileName, dashboard };
    });
  }
}

function validate(id: string, namespace: string, folder: string, labelKey: string, labelValue: string): void {
  const fail = (field: string, value: string, fix: string): never => {
    throw new PropError(id, field, value, fix, `GrafanaDashboards ${id}`);
  };
  if (!DNS_LABEL.test(namespace)) {
    fail('namespace', namespace, 'use the platform namespace: a DNS label of lower-case letters, digits and dashes');
  }
  if (folder.trim() === '' || folder !== folder.trim() || folder.includes('/')) {
    fail('folder', folder, 'use a folder name without slashes or surrounding spaces, such as "Generator Platform"');
  }
  if (!LABEL_KEY.test(labelKey)) {
    fail('labelKey', labelKey, "use the label key the Grafana sidecar selects, such as 'grafana_dashboard'");
  }
  if (!LABEL_VALUE.test(labelValue)) {
    fail('labelValue', labelValue, "use the sidecar's label value, such as '1'");
  }
}
