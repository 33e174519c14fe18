import { Construct } from 'constructs';
import { ServiceMonitor, ServiceMonitorSpecEndpointsScheme } from '../../imports/monitoring.coreos.com';
import { PLATFORM_NAME } from '../platform/labels';

export interface MetricsServiceMonitorProps {
  readonly namespace: string;
  /** Labels of the Services to scrape; every Service of a workload (stable, preview, canary) carries them. */
  readonly serviceLabels: Readonly<Record<string, string>>;
  /**
   * Name of the Service port that serves `/metrics`.
   * @default 'metrics'
   */
  readonly portName?: string;
  /**
   * Scrape interval; release analysis windows are a few multiples of it.
   * @default '15s'
   */
  readonly interval?: string;
  /**
   * Secret in `namespace` whose `ca.crt` verifies the metrics port's certificate: the port is
   * scraped over HTTPS. The prometheus-operator reads it from the ServiceMonitor's namespace.
   * @default - scraped over plain HTTP
   */
  readonly tlsCaSecretName?: string;
  /**
   * Name the metrics port's certificate is verified against, e.g. `web.apps.svc`; required with `tlsCaSecretName`.
   * @default - none: plain HTTP
   */
  readonly tlsServerName?: string;
}

/**
 * A prometheus-operator ServiceMonitor for a workload's metrics port. Each Service it selects is
 * scraped on its own, so series carry `service` (e.g. `web` and `web-preview`), which release
 * analysis uses to tell the new version from the old.
 */
export class MetricsServiceMonitor extends Construct {
  public constructor(scope: Construct, id: string, props: MetricsServiceMonitorProps) {
    super(scope, id);
    const name = props.serviceLabels['app.kubernetes.io/name'];
    if (name === undefined) {
      throw new Error(`MetricsServiceMonitor ${id}: serviceLabels has no app.kubernetes.io/name; select the workload's Services by name`);
    }
    if ((props.tlsCaSecretName === undefined) !== (props.tlsServerName === undefined)) {
      throw new Error(`MetricsServiceMonitor ${id}: tlsCaSecretName is ${JSON.stringify(props.tlsCaSecretName)} and tlsServerName ${JSON.stringify(props.tlsServerName)}; set both to scrape over HTTPS (the CA and the name to verify), or neither`);
    }
    const scrape = props.tlsCaSecretName !== undefined
      ? {
        scheme: ServiceMonitorSpecEndpointsScheme.HTTPS,
        tlsConfig: { ca: { secret: { name: props.tlsCaSecretName, key: 'ca.crt' } }, serverName: props.tlsServerName },
      }
      : { scheme: ServiceMonitorSpecEndpointsScheme.HTTP };
    new ServiceMonitor(this, 'Resource', {
      metadata: { name, namespace: props.namespace, labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': PLATFORM_NAME } },
      spec: {
        selector: { matchLabels: { ...props.serviceLabels } },
        namespaceSelector: { matchNames: [props.namespace] },
        endpoints: [{ port: props.portName ?? 'metrics', path: '/metrics', ...scrape, interval: props.interval ?? '15s' }],
      },
    });
  }
}
