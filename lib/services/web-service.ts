import { Construct } from 'constructs';
import { applicationServiceProps, PublicServiceProps } from './application-service-props';
import { ApiService } from './api-service';
import { LongRunningService } from './long-running-service';
import { SERVICE_HTTP_PORT } from '../workloads/workload-conventions';

/** Port the Next.js standalone server listens on. */
export const WEB_PORT = 3000;

export interface WebServiceProps extends PublicServiceProps {
  /** The API that server-side rendering calls; web is allowed to reach it and nothing else. */
  readonly api: ApiService;
}

/** The Next.js web layer, published at its hostname, rendering pages from the API. */
export class WebService extends LongRunningService {
  public constructor(scope: Construct, id: string, props: WebServiceProps) {
    // Next.js writes its image and fetch cache under .next/cache; the rest of the pod's storage goes there.
    const cacheMi = Math.max(512, (props.resources.storageGi - 2) * 1024);
    super(scope, id, {
      ...applicationServiceProps(props),
      component: 'frontend',
      httpPort: WEB_PORT,
      scratchVolumes: [
        { name: 'tmp', mountPath: '/tmp', sizeLimitMi: 1024 },
        { name: 'next-cache', mountPath: '/app/.next/cache', sizeLimitMi: cacheMi },
      ],
      env: {
        NODE_ENV: 'production',
        // The standalone server binds to $HOSTNAME, which Kubernetes sets to the pod name.
        HOSTNAME: '0.0.0.0',
        NEXT_TELEMETRY_DISABLED: '1',
        // HTTPS, verified against API_CA_FILE (the CA of the api's server certificate).
        API_INTERNAL_URL: `https://${props.api.serviceHost}:${SERVICE_HTTP_PORT}`,
        PUBLIC_URL: `https://${props.hostname}`,
      },
    });
    this.addEnvironment({ name: 'API_CA_FILE', value: this.trustCertificateAuthority(props.api.serverTlsSecretName) });
    props.api.allowTrafficFrom(this);
    this.exposeViaIngress({
      hostname: props.hostname,
      ingressController: props.ingressController,
      tlsIssuer: props.tlsIssuer,
      tlsCertificateLifetime: props.tlsCertificateLifetime,
    });
  }
}
