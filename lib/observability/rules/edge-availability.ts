import { RecordingDefinition, TestSeries } from './rule-types';

/**
 * Availability measured at the edge: what ingress-nginx answered for a public hostname, including
 * the requests that never reach a pod. The pods' own `http_requests_total` cannot count a 503 that
 * ingress-nginx answers because no pod is ready (balancer.lua `rewrite()` at controller-v1.11.5:
 * no endpoints, no balancer, `ngx.exit(503)`), a 500 because the sign-in subrequest to oauth2-proxy
 * failed (nginx `auth_request`: any answer but 2xx, 401 and 403 is an error), or a failed sign-in
 * callback when oauth2-proxy cannot store the session in Redis.
 *
 * `nginx_ingress_controller_requests` is the controller's counter of client requests
 * (internal/ingress/metric/collectors/socket.go at controller-v1.11.5, commit 795b6964: labels
 * `status`, `method`, `path`, `namespace`, `ingress`, `service`, `canary`, and `host` with the
 * default `--metrics-per-host=true`, pkg/flags/flags.go). The location of every Ingress path sets
 * `$namespace` and `$ingress_name` before the balancer runs (rootfs/etc/nginx/template/nginx.tmpl),
 * so a 503 without endpoints carries the Ingress's labels. Scraped by a ServiceMonitor without
 * `honorLabels`, the Ingress's `namespace` arrives as `exported_namespace` (the target's own
 * `namespace` is the controller's); the upstream Grafana dashboard deploy/grafana/dashboards/nginx.json
 * selects it the same way.
 */
export const EDGE_REQUESTS_METRIC = 'nginx_ingress_controller_requests';

/**
 * What counts as a failed request at the edge: any 5xx (502/503/504 from nginx itself, 500 from a
 * failed sign-in subrequest, and whatever 5xx the pods answer). Not 401/403: they are the correct
 * answer to a request without a valid session or group, and counting them would let any anonymous
 * client spend the budget. Not 499 (the client closed the connection first): browsers cancel
 * navigations and Next.js prefetches all the time, so it does not mean the service failed; a slow
 * service is the latency objective's concern. Not 429: a client over its own rate limit
 * (ingress-nginx is configured to answer 429 instead of its default 503 for that).
 */
export const EDGE_ERROR_STATUS = '5..';

/** Share of 5xx answers at ingress-nginx per public hostname (labels `namespace`, `service`, `host`). */
export function edgeErrorRatioRecord(window: string): string {
  return `service:${EDGE_REQUESTS_METRIC}:error_ratio_rate${window}`;
}

/** Where the edge requests of one service are counted: its namespace and public hostname. */
export interface EdgeSelection {
  readonly namespace: string;
  readonly service: string;
  readonly hostname: string;
}

/**
 * The error ratio at the edge of one hostname, labelled like the pods' error ratio (`namespace`,
 * `service`) so that the burn-rate alerts read both the same way. Every Ingress of the hostname
 * counts: the service's own, its public paths, the sign-in paths and a canary's. A hostname without
 * any 5xx series falls back to 0 x the request rate; no traffic at all is 0/0 = NaN, which never alerts.
 */
export function edgeErrorRatioRecording(selection: EdgeSelection, window: string): RecordingDefinition {
  const selector = `exported_namespace="${selection.namespace}",host="${selection.hostname}"`;
  const all = `sum by (host) (rate(${EDGE_REQUESTS_METRIC}{${selector}}[${window}]))`;
  const errors = `sum by (host) (rate(${EDGE_REQUESTS_METRIC}{${selector},status=~"${EDGE_ERROR_STATUS}"}[${window}]))`;
  return {
    record: edgeErrorRatioRecord(window),
    labels: { namespace: selection.namespace, service: selection.service },
    expr: `(\n  ${errors}\n  or\n  ${all} * 0\n)\n/\n${all}`,
  };
}

/**
 * The series ingress-nginx exports for a hostname, as Prometheus stores them after the scrape:
 * the target's `namespace` (the controller's) and the Ingress's as `exported_namespace`.
 */
export function edgeRequestSeries(selection: EdgeSelection, status: string, values: string, ingress: string = selection.service): TestSeries {
  const labels = [
    'namespace="ingress-nginx"',
    'service="ingress-nginx-controller-metrics"',
    `exported_namespace="${selection.namespace}"`,
    `exported_service="${selection.service}"`,
    `ingress="${ingress}"`,
    `host="${selection.hostname}"`,
    `status="${status}"`,
  ];
  return { series: `${EDGE_REQUESTS_METRIC}{${labels.join(',')}}`, values };
}
