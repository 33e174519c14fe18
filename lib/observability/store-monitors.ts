import { Construct } from 'constructs';
import { ServiceMonitor, ServiceMonitorSpecEndpointsScheme } from '../../imports/monitoring.coreos.com';
import { PLATFORM_NAME, selectorLabels } from '../platform/labels';
import { MetricsServiceMonitor } from './metrics-service-monitor';
import { PROMETHEUS_TLS_PORT_NAME } from '../stores/message-broker';

/** A Redis cluster whose exporter sidecars to scrape (a RedisCluster). */
export interface IMonitoredRedis {
  readonly name: string;
  readonly namespaceName: string;
  /** Secret of the nodes' certificate, which the exporters serve; Prometheus trusts its `ca.crt`. */
  readonly caSecretName: string;
  /** The name the certificate carries and Prometheus verifies (the headless Service's). */
  readonly metricsServerName: string;
}

/** A RabbitMQ cluster run by the Cluster Operator (a MessageBroker). */
export interface IMonitoredRabbitmq {
  readonly name: string;
  readonly namespaceName: string;
  /** The vhost whose queues are scraped one by one (`/metrics/detailed`). */
  readonly vhostName: string;
  /** DNS name of the client Service, which the broker's certificate carries: the name Prometheus verifies. */
  readonly serviceHost: string;
  /** Secret of the broker's certificate in its namespace; Prometheus trusts its `ca.crt`. */
  readonly tlsSecretName: string;
}

export interface RedisExporterMonitorProps {
  readonly redis: IMonitoredRedis;
  /**
   * Scrape interval.
   * @default '15s'
   */
  readonly interval?: string;
}

/**
 * A ServiceMonitor for the redis_exporter sidecars of a RedisCluster: the headless Service's
 * `metrics` port (9121) has one endpoint per pod, so every node is scraped (`redis_up`,
 * `redis_cluster_state`, ...). The client Service carries the same labels but no `metrics` port,
 * so it contributes no target. The exporters serve HTTPS only with the nodes' certificate:
 * Prometheus scrapes each pod by address and verifies the certificate against the cluster's CA by
 * the headless Service's name, which every node's certificate carries.
 */
export class RedisExporterMonitor extends Construct {
  public constructor(scope: Construct, id: string, props: RedisExporterMonitorProps) {
    super(scope, id);
    const { redis } = props;
    new MetricsServiceMonitor(this, 'Resource', {
      namespace: redis.namespaceName,
      serviceLabels: selectorLabels(redis.name),
      interval: props.interval,
      tlsCaSecretName: redis.caSecretName,
      tlsServerName: redis.metricsServerName,
    });
  }
}

export interface RabbitmqMonitorProps {
  readonly broker: IMonitoredRabbitmq;
  /**
   * Scrape interval of both endpoints.
   * @default '15s'
   */
  readonly interval?: string;
}

/** The labels the RabbitMQ Cluster Operator puts on the Services it creates for a cluster. */
function operatorServiceLabels(clusterName: string): Record<string, string> {
  return { 'app.kubernetes.io/name': clusterName, 'app.kubernetes.io/component': 'rabbitmq' };
}

/**
 * A ServiceMonitor for the rabbitmq_prometheus plugin of a RabbitmqCluster, through the client
 * Service the operator creates (named after the cluster, port `prometheus-tls`, 15691: the broker
 * serves metrics over HTTPS only). Prometheus scrapes each pod by address, so it verifies the
 * certificate against the broker's CA by the client Service's name, which every node's
 * certificate carries. `/metrics` for
 * the node-level aggregates (alarms, Erlang distribution, identity), and `/metrics/detailed` with
 * the `queue_coarse_metrics` and `queue_consumer_count` families for the per-queue counts of the broker's vhost
 * (`rabbitmq_detailed_queue_messages_ready{vhost,queue}`), which the aggregated endpoint does not
 * break down by queue.
 */
export class RabbitmqMonitor extends Construct {
  public constructor(scope: Construct, id: string, props: RabbitmqMonitorProps) {
    super(scope, id);
    const { broker } = props;
    const interval = props.interval ?? '15s';
    const https = {
      scheme: ServiceMonitorSpecEndpointsScheme.HTTPS,
      tlsConfig: { ca: { secret: { name: broker.tlsSecretName, key: 'ca.crt' } }, serverName: broker.serviceHost },
    };
    new ServiceMonitor(this, 'Resource', {
      metadata: { name: broker.name, namespace: broker.namespaceName, labels: { 'app.kubernetes.io/name': broker.name, 'app.kubernetes.io/part-of': PLATFORM_NAME } },
      spec: {
        selector: { matchLabels: operatorServiceLabels(broker.name) },
        namespaceSelector: { matchNames: [broker.namespaceName] },
        endpoints: [
          { port: PROMETHEUS_TLS_PORT_NAME, path: '/metrics', ...https, interval },
          {
            port: PROMETHEUS_TLS_PORT_NAME,
            path: '/metrics/detailed',
            params: { family: ['queue_coarse_metrics', 'queue_consumer_count'], vhost: [broker.vhostName] },
            ...https,
            interval,
          },
        ],
      },
    });
  }
}
