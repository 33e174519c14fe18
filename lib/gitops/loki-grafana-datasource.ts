import { ClusterPeer } from '../platform/network-peer';
import { lokiQueryUrl } from './logging-network-policies';
import { ClusterLogging, LOKI_RELEASE, LOKI_TENANT } from './logging-settings';

/**
 * Grafana's pods as kube-prometheus-stack's grafana chart (7.3.x) labels them: its selector labels
 * are the chart name and the release name, and the release is kube-prometheus-stack's, in `monitoring`.
 */
export const KUBE_PROMETHEUS_GRAFANA = new ClusterPeer('grafana', 'monitoring', {
  'app.kubernetes.io/name': 'grafana',
  'app.kubernetes.io/instance': 'kube-prometheus-stack',
});

/**
 * The Loki data source of Grafana (kube-prometheus-stack's `grafana.additionalDataSources`): the
 * query Service, and the one tenant as `X-Scope-OrgID`, written as Grafana's provisioning writes
 * custom headers (`jsonData.httpHeaderName1` + `secureJsonData.httpHeaderValue1`, see
 * https://grafana.com/docs/grafana/latest/administration/provisioning/#custom-http-headers-for-data-sources).
 * The tenant is no secret: secureJsonData is only where Grafana keeps header values.
 */
export function lokiGrafanaDataSource(logging: Pick<ClusterLogging, 'deploymentMode'>): Record<string, unknown> {
  return {
    name: 'Loki',
    type: 'loki',
    uid: 'loki',
    access: 'proxy',
    url: lokiQueryUrl(logging.deploymentMode, LOKI_RELEASE),
    jsonData: { httpHeaderName1: 'X-Scope-OrgID' },
    secureJsonData: { httpHeaderValue1: LOKI_TENANT },
  };
}
