import { ClusterLogging } from './logging-settings';
import { lokiGrafanaDataSource } from './loki-grafana-datasource';

/**
 * kube-prometheus-stack's values: Prometheus selects every ServiceMonitor, PodMonitor and
 * PrometheusRule of the cluster, not only the release's.
 *
 * Grafana is not part of this release: kube-prometheus-stack syncs in the first wave (its CRDs
 * are what later add-ons' ServiceMonitors need), before External Secrets and the secret store that
 * Grafana's admin credentials come through, so Grafana is its own add-on of a later wave
 * (grafana-values.ts). The release still renders the data sources (Prometheus, Alertmanager and
 * Loki) and its dashboards as ConfigMaps, which that Grafana's sidecars load.
 */
export function kubePrometheusStackHelmValues(logging: Pick<ClusterLogging, 'deploymentMode'>): Record<string, unknown> {
  return {
    prometheus: {
      prometheusSpec: {
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
      },
    },
    grafana: {
      enabled: false,
      forceDeployDatasources: true,
      forceDeployDashboards: true,
      // The only reader of Loki, which only it may reach (the logging namespace's NetworkPolicies), with the one tenant.
      additionalDataSources: [lokiGrafanaDataSource(logging)],
    },
  };
}
