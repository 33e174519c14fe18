import { App, Chart } from 'cdk8s';
import { ClusterPeer } from '../platform/network-peer';
import { PLATFORM_NAME } from '../platform/labels';
import { VaultSecret } from '../security/vault-secret';
import { MONITORING_NAMESPACE, MONITORING_SECRET_STORE } from './monitoring-secret-store';

/** The Helm release (and Application) name of Grafana; its Deployment and Service are `grafana`. */
export const GRAFANA_RELEASE = 'grafana';

/** The Secret (made by External Secrets from Vault) Grafana reads its admin user and password from. */
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';

/** Grafana's admin login name: no secret, so written here rather than kept in Vault. */
export const GRAFANA_ADMIN_USER = 'admin';

/** Grafana's pods as the grafana chart labels them: its selector labels are the chart name and the release name. */
export const GRAFANA_PODS = new ClusterPeer('grafana', MONITORING_NAMESPACE, {
  'app.kubernetes.io/name': 'grafana',
  'app.kubernetes.io/instance': GRAFANA_RELEASE,
});

/** What Grafana of one cluster is rendered from. */
export interface ClusterMonitoring {
  /** Vault KV path of Grafana's admin password (property `password`), e.g. `generator-platform/production/grafana-admin`. */
  readonly grafanaAdminVaultPath: string;
}

/**
 * The grafana chart's values: the Grafana kube-prometheus-stack bundled before (the same chart
 * and version, the settings kube-prometheus-stack gave it), with the admin credentials from Vault
 * instead of kube-prometheus-stack's default password `prom-operator`.
 *
 * `admin.existingSecret` names the Secret of an ExternalSecret the release creates itself
 * (`extraObjects`), so the chart renders no Secret of its own and no password is in the values.
 * The release syncs after the cluster baseline, which brings the `vault-monitoring` store: the
 * Grafana pod cannot start before the Secret exists, and only an Application of a later wave than
 * the store can wait for it without holding the root Application for ever (docs/observability.md,
 * Grafana's admin credentials).
 */
export function grafanaHelmValues(monitoring: ClusterMonitoring): Record<string, unknown> {
  return {
    admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: 'username', passwordKey: 'password' },
    sidecar: {
      // Dashboards arrive as ConfigMaps labelled grafana_dashboard in any namespace (kube-prometheus-stack's
      // and the environments'); their folder comes from an annotation.
      dashboards: {
        enabled: true,
        label: 'grafana_dashboard',
        labelValue: '1',
        searchNamespace: 'ALL',
        enableNewTablePanelSyntax: false,
        folderAnnotation: 'grafana_folder',
        provider: { allowUiUpdates: false, foldersFromFilesStructure: true },
      },
      // Data sources come from kube-prometheus-stack's ConfigMap (Prometheus, Alertmanager, Loki).
      datasources: { enabled: true, label: 'grafana_datasource', labelValue: '1' },
    },
    service: { portName: 'http-web' },
    // Scraped at Prometheus's own interval, as kube-prometheus-stack configured it.
    serviceMonitor: { enabled: true, interval: '' },
    extraObjects: [adminCredentials(monitoring)],
  };
}

/** The ExternalSecret of the admin credentials, rendered by the typed construct the platform uses for every Vault secret. */
function adminCredentials(monitoring: ClusterMonitoring): unknown {
  const chart = new Chart(new App(), 'grafana-admin');
  VaultSecret.basicAuth(chart, GRAFANA_ADMIN_SECRET, {
    namespace: MONITORING_NAMESPACE,
    secretName: GRAFANA_ADMIN_SECRET,
    vaultPath: monitoring.grafanaAdminVaultPath,
    username: GRAFANA_ADMIN_USER,
  }).readFrom(MONITORING_SECRET_STORE.storeName);
  const [externalSecret] = chart.toJson() as { metadata: Record<string, unknown> }[];
  // Helm, not cdk8s, applies it: keep the platform label, drop cdk8s' managed-by.
  return { ...externalSecret, metadata: { ...externalSecret.metadata, labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME } } };
}
