import { Construct } from 'constructs';
import { ImageReference, PodResources } from '../config/environment-config';
import { Replicas } from '../config/replicas';
import { NamespaceBaseline } from '../platform/namespace-baseline';
import { INetworkPeer } from '../platform/network-peer';
import { ApiService } from './api-service';
import { LongRunningService } from './long-running-service';

/** Port the Next.js standalone server listens on. */
export const WEB_PORT = 3000;

export interface WebServiceProps {
  /** The namespace to run in. */
  readonly namespace: NamespaceBaseline;
  readonly image: ImageReference;
  readonly replicas: Replicas;
  /** Per-pod resources; the specification asks for 2 CPU, 4Gi memory, 20Gi storage. */
  readonly resources: PodResources;
  readonly zones: readonly string[];
  /** Public hostname. */
  readonly hostname: string;
  /** The API that server-side rendering calls; web is allowed to reach it and nothing else. */
  readonly api: ApiService;
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

/** The Next.js web layer, published at its hostname, rendering pages from the API. */
export class WebService extends LongRunningService {
  public constructor(scope: Construct, id: string, props: WebServiceProps) {
    // Next.js writes its image and fetch cache under .next/cache; the rest of the pod's storage goes there.
    const cacheMi = Math.max(512, (props.resources.storageGi - 2) * 1024);
    super(scope, id, {
      namespace: props.namespace,
      component: 'frontend',
      image: props.image,
      replicas: props.replicas,
      resources: props.resources,
      zones: props.zones,
      metricsScraper: props.metricsScraper,
      httpPort: WEB_PORT,
      targetCpuUtilizationPercent: props.targetCpuUtilizationPercent,
      strictTopologySpread: props.strictTopologySpread,
      scratchVolumes: [
        { name: 'tmp', mountPath: '/tmp', sizeLimitMi: 1024 },
        { name: 'next-cache', mountPath: '/app/.next/cache', sizeLimitMi: cacheMi },
      ],
      env: {
        NODE_ENV: 'production',
        // The standalone server binds to $HOSTNAME, which Kubernetes sets to the pod name.
        HOSTNAME: '0.0.0.0',
        NEXT_TELEMETRY_DISABLED: '1',
        LOG_LEVEL: props.logLevel ?? 'info',
        API_INTERNAL_URL: `http://${props.api.serviceHost}:${LongRunningService.SERVICE_HTTP_PORT}`,
        PUBLIC_URL: `https://${props.hostname}`,
      },
    });
    props.api.allowTrafficFrom(this);
    this.exposeViaIngress({
      hostname: props.hostname,
      ingressController: props.ingressController,
      tlsClusterIssuer: props.tlsClusterIssuer,
    });
  }
}
