import { AlertDefinition, counterValues, flat, Severity } from './rule-types';

/** Alerts on the platform's pods and certificates, in its namespace. */
export function platformAlerts(namespace: string): AlertDefinition[] {
  const ns = `namespace="${namespace}"`;
  const restarts = (perMinute: number) => [{ series: `kube_pod_container_status_restarts_total{${ns},pod="api-0",container="api"}`, values: counterValues([{ perStep: perMinute, steps: 40 }]) }];
  const certificate = (expiresAt: number) => [{ series: `certmanager_certificate_expiration_timestamp_seconds{${ns},name="api-tls"}`, values: flat(expiresAt, 90) }];
  const notReady = (value: number) => [{ series: `certmanager_certificate_ready_status{${ns},name="redis-tls",condition="False"}`, values: flat(value, 40) }];
  const secretSync = (value: number) => [{ series: `externalsecret_status_condition{${ns},name="redis-password",condition="Ready",status="False"}`, values: flat(value, 60) }];
  return [
    {
      name: 'PodCrashLooping',
      expr: `increase(kube_pod_container_status_restarts_total{${ns}}[15m]) > 3`,
      for: '5m',
      severity: Severity.TICKET,
      summary: 'A container restarted more than 3 times in 15 minutes.',
      runbook: 'pod-crash-looping',
      threshold: 'more than 3 restarts in 15m',
      tests: {
        firing: [{ series: restarts(0.21), evalTime: '30m', alertLabels: { namespace, pod: 'api-0', container: 'api' } }],
        quiet: [{ series: restarts(0.19), evalTime: '30m' }],
      },
    },
    {
      name: 'CertificateExpiringSoon',
      expr: `certmanager_certificate_expiration_timestamp_seconds{${ns}} - time() < 14 * 86400`,
      for: '1h',
      severity: Severity.TICKET,
      summary: 'A certificate expires in less than 14 days and cert-manager has not renewed it.',
      runbook: 'certificate-expiring-soon',
      threshold: 'expires in < 14 days',
      // time() is the seconds since the first sample. Firing: 14 days (1209600 s) remain from 10m on,
      // 13.95 days at 80m. Quiet: 14.0012 days remain at 80m (4800 s).
      tests: {
        firing: [{ series: certificate(1210200), evalTime: '80m', alertLabels: { namespace, name: 'api-tls' } }],
        quiet: [{ series: certificate(1214500), evalTime: '80m' }],
      },
    },
    {
      name: 'CertificateNotReady',
      expr: `certmanager_certificate_ready_status{${ns},condition="False"} == 1`,
      for: '30m',
      severity: Severity.TICKET,
      summary: 'A certificate has not been Ready for 30 minutes: issuance or renewal keeps failing.',
      runbook: 'certificate-not-ready',
      threshold: 'Ready condition False for 30m',
      tests: {
        firing: [{ series: notReady(1), evalTime: '35m', alertLabels: { namespace, name: 'redis-tls', condition: 'False' } }],
        quiet: [{ series: notReady(0), evalTime: '35m' }],
      },
    },
    {
      // A rotated value in Vault reaches the pods only through a synced ExternalSecret; a failing
      // sync keeps the old value and, once Vault revokes it, breaks the consumer.
      name: 'ExternalSecretSyncFailing',
      expr: `externalsecret_status_condition{${ns},condition="Ready",status="False"} == 1`,
      for: '30m',
      severity: Severity.TICKET,
      summary: 'An ExternalSecret has not synced from Vault for 30 minutes: rotated values do not reach the pods.',
      runbook: 'external-secret-sync-failing',
      threshold: 'Ready condition False for 30m',
      tests: {
        firing: [{ series: secretSync(1), evalTime: '35m', alertLabels: { namespace, name: 'redis-password', condition: 'Ready', status: 'False' } }],
        quiet: [{ series: secretSync(0), evalTime: '35m' }],
      },
    },
  ];
}

/**
 * The ingress controller's metrics endpoint as Prometheus labels its targets: a ServiceMonitor's
 * scrape configuration sets `namespace` and `service` from the endpoint's namespace and Service
 * (prometheus-operator v0.72.0, commit 95e0561f, pkg/prometheus/promcfg.go).
 */
export interface MonitoredIngressController {
  /** The controller's namespace (the target's `namespace` label). */
  readonly namespace: string;
  /** The Service the ServiceMonitor scrapes (the target's `service` label). */
  readonly metricsServiceName: string;
}

/**
 * Cluster-wide alerts: rendered once per cluster, not per preview namespace. With an ingress
 * controller, also the alert that no controller pod is scraped.
 */
export function clusterAlerts(ingressController?: MonitoredIngressController): AlertDefinition[] {
  const ready = (value: number) => [{ series: 'kube_node_status_condition{node="node-a",condition="Ready",status="true"}', values: flat(value, 30) }];
  return [
    ...(ingressController ? [ingressControllerDown(ingressController)] : []),
    {
      name: 'NodeNotReady',
      expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
      for: '15m',
      severity: Severity.TICKET,
      summary: 'A node has not been Ready for 15 minutes.',
      runbook: 'node-not-ready',
      threshold: 'Ready condition not true for 15m',
      tests: {
        firing: [{ series: ready(0), evalTime: '20m', alertLabels: { node: 'node-a', condition: 'Ready', status: 'true' } }],
        quiet: [{ series: ready(1), evalTime: '20m' }],
      },
    },
  ];
}

/**
 * No controller pod answers Prometheus. The edge objectives count what ingress-nginx answered; with
 * every controller pod gone (or never scraped) nothing is answered and nothing is counted, so their
 * ratios go empty instead of rising, and only this alert sees the outage. kube-prometheus-stack's
 * TargetDown needs a target that is down; a Service without endpoints has none.
 */
function ingressControllerDown(controller: MonitoredIngressController): AlertDefinition {
  const target = `namespace="${controller.namespace}",service="${controller.metricsServiceName}"`;
  const up = (pod: string, value: number) => ({ series: `up{${target},pod="${pod}"}`, values: flat(value, 15) });
  return {
    name: 'IngressControllerDown',
    expr: `absent(up{${target}} == 1)`,
    for: '2m',
    severity: Severity.PAGE,
    summary: 'No ingress-nginx controller pod is scraped: none runs (the public hostnames are unreachable) or Prometheus cannot reach them, and the edge objectives measure nothing.',
    runbook: 'ingress-controller-down',
    threshold: 'no ingress-nginx controller metrics target up',
    tests: {
      firing: [
        { series: [up('controller-a', 0), up('controller-b', 0)], evalTime: '10m', alertLabels: {} },
        // No target at all: the controller's Service has no endpoints, or the ServiceMonitor selects nothing.
        { series: [{ series: 'up{namespace="monitoring",service="prometheus"}', values: flat(1, 15) }], evalTime: '10m', alertLabels: {} },
      ],
      quiet: [{ series: [up('controller-a', 0), up('controller-b', 1)], evalTime: '10m' }],
    },
  };
}
