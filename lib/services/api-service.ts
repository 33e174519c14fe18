import { Construct } from 'constructs';
import { ImageReference, PodResources } from '../config/environment-config';
import { Replicas } from '../config/replicas';
import { NamespaceBaseline } from '../platform/namespace-baseline';
import { INetworkPeer } from '../platform/network-peer';
import { LongRunningService } from './long-running-service';

/** Port the Express server listens on. */
export const API_PORT = 8080;

export interface ApiServiceProps {
  /** The namespace to run in. */
  readonly namespace: NamespaceBaseline;
  readonly image: ImageReference;
  readonly replicas: Replicas;
  /** Per-pod resources; the specification asks for 2 CPU, 4Gi memory, 20Gi storage. */
  readonly resources: PodResources;
  readonly zones: readonly string[];
  /** Public hostname. */
  readonly hostname: string;
  readonly ingressController: INetworkPeer;
  readonly metricsScraper: INetworkPeer;
  /** cert-manager ClusterIssuer for the public certificate. */
  readonly tlsClusterIssuer: string;
  /**
   * @default 70
   */
  readonly targetCpuUtilizationPercent?: number;
  /**
   * @default true
   */
  readonly strictTopologySpread?: boolean;
  /**
   * @default 'info'
   */
  readonly logLevel?: string;
}

/** The Express API, published at its hostname and called by the web layer. */
export class ApiService extends LongRunningService {
  public constructor(scope: Construct, id: string, props: ApiServiceProps) {
    super(scope, id, {
      namespace: props.namespace,
      component: 'backend',
      image: props.image,
      replicas: props.replicas,
      resources: props.resources,
      zones: props.zones,
      metricsScraper: props.metricsScraper,
      httpPort: API_PORT,
      targetCpuUtilizationPercent: props.targetCpuUtilizationPercent,
      strictTopologySpread: props.strictTopologySpread,
      // Uploads and request bodies spill to /tmp, so it gets the pod's storage.
      scratchVolumes: [{ name: 'tmp', mountPath: '/tmp', sizeLimitMi: Math.max(512, (props.resources.storageGi - 1) * 1024) }],
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: props.logLevel ?? 'info',
        // Client addresses come from ingress-nginx's X-Forwarded-For; trust exactly one proxy hop.
        TRUST_PROXY_HOPS: '1',
        PUBLIC_URL: `https://${props.hostname}`,
      },
    });
    this.exposeViaIngress({
      hostname: props.hostname,
      ingressController: props.ingressController,
      tlsClusterIssuer: props.tlsClusterIssuer,
    });
  }
}
