import { PodResources } from '../platform/pod-resources';
import { ImageReference } from '../platform/image-reference';
import { Replicas } from '../platform/replicas';
import { DeliveryStrategy } from '../delivery/delivery-strategy';
import { NamespaceBaseline } from '../platform/namespace-baseline';
import { INetworkPeer } from '../platform/network-peer';
import { CertificateLifetime, ICertificateIssuer } from '../security/tls-certificate';

/** What every service of the platform is configured with. */
export interface ApplicationServiceProps {
  /** The namespace to run in; the service counts itself into its quota. */
  readonly namespace: NamespaceBaseline;
  readonly image: ImageReference;
  readonly replicas: Replicas;
  /** Per-pod resources; requests equal limits. */
  readonly resources: PodResources;
  /** Availability zones to run in and spread over. */
  readonly zones: readonly string[];
  /** Prometheus, allowed to scrape the metrics port. */
  readonly metricsScraper: INetworkPeer;
  /**
   * Average CPU utilisation (percent of requests) the autoscaler aims for.
   * @default 70
   */
  readonly targetCpuUtilizationPercent?: number;
  /**
   * Refuse to schedule rather than break the spread over zones and nodes.
   * @default true
   */
  readonly strictTopologySpread?: boolean;
  /**
   * Log level passed to the process as LOG_LEVEL.
   * @default 'info'
   */
  readonly logLevel?: string;
  /**
   * Seconds a pod may take to answer its liveness endpoint after it starts before it is restarted.
   * It bounds how long each batch of new pods can hold up a release.
   * @default - 120 for web and api, 180 for the generator
   */
  readonly startupTimeoutSeconds?: number;
  /**
   * How a new version replaces the running one. Blue-green and canary need a traffic port; the
   * generator (KEDA-scaled) only rolls.
   * @default DeliveryStrategy.rollingUpdate()
   */
  readonly deliveryStrategy?: DeliveryStrategy;
  /**
   * Issuer of the certificate (`<service>-server-tls`) the service serves HTTPS with on its traffic
   * and metrics ports; ingress-nginx, Prometheus and other services verify it against the issuer's
   * CA. Not the public hostname's issuer (`tlsIssuer`).
   * @default CLUSTER_INTERNAL_CA (the cluster's ClusterIssuer `internal-ca`)
   */
  readonly serverTlsIssuer?: ICertificateIssuer;
  /**
   * Lifetime of the server certificate and how early cert-manager renews it (with a new key).
   * @default - 2160 hours (90 days), renewed 720 hours before expiry
   */
  readonly serverTlsCertificateLifetime?: CertificateLifetime;
}

/** A service published at a public hostname through ingress-nginx. */
export interface PublicServiceProps extends ApplicationServiceProps {
  /** Public hostname. */
  readonly hostname: string;
  /** The ingress controller's pods, allowed to reach the traffic port. */
  readonly ingressController: INetworkPeer;
  /** cert-manager issuer of the hostname's certificate (an explicit Certificate, Secret `<service>-tls`). */
  readonly tlsIssuer: ICertificateIssuer;
  /** Lifetime and renewal of the hostname's certificate. */
  readonly tlsCertificateLifetime: CertificateLifetime;
}

/**
 * The ApplicationServiceProps among `props` (a subclass's props), for its `super()` call: a prop
 * added to ApplicationServiceProps then reaches every service without touching each subclass.
 */
export function applicationServiceProps(props: ApplicationServiceProps): ApplicationServiceProps {
  return {
    namespace: props.namespace,
    image: props.image,
    replicas: props.replicas,
    resources: props.resources,
    zones: props.zones,
    metricsScraper: props.metricsScraper,
    targetCpuUtilizationPercent: props.targetCpuUtilizationPercent,
    strictTopologySpread: props.strictTopologySpread,
    logLevel: props.logLevel,
    startupTimeoutSeconds: props.startupTimeoutSeconds,
    deliveryStrategy: props.deliveryStrategy,
    serverTlsIssuer: props.serverTlsIssuer,
    serverTlsCertificateLifetime: props.serverTlsCertificateLifetime,
  };
}
