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
    new ServiceMonitor(this, 'Resource', {
      metadata: { name, namespace: props.namespace, labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': PLATFORM_NAME } },
      spec: {
        selector: { matchLabels: { ...props.serviceLabels } },
        namespaceSelector: { matchNames: [props.namespace] },
        endpoints: [{ port: props.portName ?? 'metrics', path: '/metrics', scheme: ServiceMonitorSpecEndpointsScheme.HTTP, interval: props.interval ?? '15s' }],
      },
    });
  }
}
