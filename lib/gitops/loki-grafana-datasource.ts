import { lokiQueryUrl } from './logging-network-policies';
import { ClusterLogging, LOKI_RELEASE, LOKI_TENANT } from './logging-settings';

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
