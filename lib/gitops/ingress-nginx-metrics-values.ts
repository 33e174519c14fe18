/**
 * The ingress-nginx values the edge SLOs depend on (chart 4.11.5, controller v1.11.5): what
 * Prometheus scrapes, and which status a rejected request gets. Kept apart from the controller's
 * other values so that each concern is changed in one place.
 */

/**
 * `controller.metrics`: the controller serves `nginx_ingress_controller_requests` on port 10254
 * (`metrics`) through the Service `<release>-controller-metrics`, and the chart renders a
 * ServiceMonitor for it in the controller's namespace (templates/controller-servicemonitor.yaml).
 * kube-prometheus-stack selects every ServiceMonitor of the cluster (kube-prometheus-stack-values.ts).
 * `honorLabels` stays off (the chart's default), so the target's `namespace` and `service` labels
 * win and the controller's own `namespace` / `service` labels (those of the Ingress and its backend)
 * arrive as `exported_namespace` / `exported_service`, the names the edge rules select on
 * (lib/observability/rules/edge-availability.ts).
 */
export const INGRESS_NGINX_METRICS_VALUES = {
  enabled: true,
  serviceMonitor: { enabled: true },
} as const;

/** The metrics Service the chart names `<fullname>-controller-metrics`, for the release `ingress-nginx`. */
export const INGRESS_NGINX_METRICS_SERVICE = 'ingress-nginx-controller-metrics';

/**
 * `controller.config` keys: a client over its `limit-rps` / `limit-connections` gets 429 instead of
 * the controller's default 503 (`LimitReqStatusCode: 503`, `LimitConnStatusCode: 503` in
 * internal/ingress/controller/config/config.go at controller-v1.11.5, commit 795b6964). At the edge
 * every 5xx counts against the 99.9% objective, and with 503 one client over its limit would burn
 * the budget of everyone, indistinguishable from a service with no ready pod (also 503).
 */
export const INGRESS_NGINX_EDGE_STATUS_CONFIG = {
  'limit-req-status-code': '429',
  'limit-conn-status-code': '429',
} as const;
