import { Construct } from 'constructs';
import { applicationServiceProps, PublicServiceProps } from './application-service-props';
import { LongRunningService } from './long-running-service';

/** Port the Express server listens on. */
export const API_PORT = 8080;

export type ApiServiceProps = PublicServiceProps;

/** The Express API, published at its hostname and called by the web layer. */
export class ApiService extends LongRunningService {
  public constructor(scope: Construct, id: string, props: ApiServiceProps) {
    super(scope, id, {
      ...applicationServiceProps(props),
      component: 'backend',
      httpPort: API_PORT,
      // Uploads and request bodies spill to /tmp, so it gets the pod's storage.
      scratchVolumes: [{ name: 'tmp', mountPath: '/tmp', sizeLimitMi: Math.max(512, (props.resources.storageGi - 1) * 1024) }],
      env: {
        NODE_ENV: 'production',
        // Client addresses come from ingress-nginx's X-Forwarded-For; trust exactly one proxy hop.
        TRUST_PROXY_HOPS: '1',
        PUBLIC_URL: `https://${props.hostname}`,
      },
    });
    this.exposeViaIngress({
      hostname: props.hostname,
      ingressController: props.ingressController,
      tlsIssuer: props.tlsIssuer,
      tlsCertificateLifetime: props.tlsCertificateLifetime,
    });
  }
}
