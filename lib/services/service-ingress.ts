import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HOSTNAME } from '../platform/input-patterns';
import { INetworkPeer } from '../platform/network-peer';
import { PropError } from '../platform/prop-error';
import { CertificateLifetime, ICertificateIssuer, TlsCertificate } from '../security/tls-certificate';

export interface IngressOptions {
  /** Public hostname. */
  readonly hostname: string;
  /** The ingress controller's pods, allowed to reach the traffic port. */
  readonly ingressController: INetworkPeer;
  /** cert-manager issuer of the hostname's certificate. */
  readonly tlsIssuer: ICertificateIssuer;
  /** Lifetime and renewal of the hostname's certificate. */
  readonly tlsCertificateLifetime: CertificateLifetime;
  /**
   * IngressClass of ingress-nginx.
   * @default 'nginx'
   */
  readonly ingressClassName?: string;
  /**
   * Secret that holds the TLS certificate.
   * @default '<service name>-tls'
   */
  readonly tlsSecretName?: string;
  /**
   * Requests per second one client address may send (ingress-nginx `limit-rps`); bursts of five
   * times this are queued, the rest answered 503.
   * @default 20
   */
  readonly rateLimitPerSecond?: number;
  /**
   * Concurrent connections one client address may hold (`limit-connections`).
   * @default 20
   */
  readonly connectionLimit?: number;
  /**
   * Largest request body accepted, in MiB (`proxy-body-size`).
   * @default 10
   */
  readonly maxBodySizeMi?: number;
  /**
   * Seconds ingress-nginx waits for the service to answer or accept data (`proxy-read-timeout`, `proxy-send-timeout`).
   * @default 60
   */
  readonly upstreamTimeoutSeconds?: number;
}

/** The per-client limits of an Ingress, after defaults. */
export interface IngressLimits {
  readonly rateLimitPerSecond: number;
  readonly connectionLimit: number;
  readonly maxBodySizeMi: number;
  readonly upstreamTimeoutSeconds: number;
}

/** The limits of `options` with their defaults; rejects a hostname or a limit out of range. */
export function ingressLimits(serviceName: string, options: IngressOptions): IngressLimits {
  if (!HOSTNAME.test(options.hostname)) {
    throw new PropError(serviceName, 'hostname', options.hostname, 'use a fully qualified lower-case DNS name such as app.example.com');
  }
  const limits: IngressLimits = {
    rateLimitPerSecond: options.rateLimitPerSecond ?? 20,
    connectionLimit: options.connectionLimit ?? 20,
    maxBodySizeMi: options.maxBodySizeMi ?? 10,
    upstreamTimeoutSeconds: options.upstreamTimeoutSeconds ?? 60,
  };
  for (const [field, value, max] of [
    ['rateLimitPerSecond', limits.rateLimitPerSecond, 10000],
    ['connectionLimit', limits.connectionLimit, 10000],
    ['maxBodySizeMi', limits.maxBodySizeMi, 1024],
    ['upstreamTimeoutSeconds', limits.upstreamTimeoutSeconds, 3600],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new PropError(serviceName, field, value, `use a whole number from 1 to ${max}: every Ingress is limited`);
    }
  }
  return limits;
}

export interface ServiceIngressProps extends IngressOptions {
  /** The Service the Ingress routes to (its `http` port); also the Ingress's name. */
  readonly serviceName: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** ingress-nginx annotations for the service as an HTTPS backend. */
  readonly backendTlsAnnotations: Readonly<Record<string, string>>;
}

/**
 * A service's public hostname: a cert-manager Certificate for it and an ingress-nginx Ingress that
 * redirects to HTTPS and limits every client address.
 */
export class ServiceIngress extends Construct {
  /** The Ingress, which a sign-in proxy can be put in front of. */
  public readonly ingress: k8s.KubeIngress;

  public constructor(scope: Construct, id: string, props: ServiceIngressProps) {
    const limits = ingressLimits(props.serviceName, props);
    super(scope, id);
    // An explicit Certificate rather than ingress-shim's annotation: its issuer, lifetime and key
    // are reviewed in dist/, and it is applied (and issued) in an earlier sync wave than the Ingress.
    const tlsSecretName = props.tlsSecretName ?? `${props.serviceName}-tls`;
    new TlsCertificate(this, 'Certificate', {
      namespace: props.namespace,
      secretName: tlsSecretName,
      dnsNames: [props.hostname],
      issuer: props.tlsIssuer,
      durationHours: props.tlsCertificateLifetime.durationHours,
      renewBeforeHours: props.tlsCertificateLifetime.renewBeforeHours,
    });
    this.ingress = new k8s.KubeIngress(this, 'Resource', {
      metadata: {
        name: props.serviceName,
        namespace: props.namespace,
        labels: { ...props.labels },
        annotations: {
          ...props.backendTlsAnnotations,
          'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
          // Per client address, so one abusive client cannot exhaust the service for the others.
          'nginx.ingress.kubernetes.io/limit-rps': String(limits.rateLimitPerSecond),
          'nginx.ingress.kubernetes.io/limit-burst-multiplier': '5',
          'nginx.ingress.kubernetes.io/limit-connections': String(limits.connectionLimit),
          'nginx.ingress.kubernetes.io/proxy-body-size': `${limits.maxBodySizeMi}m`,
          'nginx.ingress.kubernetes.io/proxy-connect-timeout': '5',
          'nginx.ingress.kubernetes.io/proxy-read-timeout': String(limits.upstreamTimeoutSeconds),
          'nginx.ingress.kubernetes.io/proxy-send-timeout': String(limits.upstreamTimeoutSeconds),
        },
      },
      spec: {
        ingressClassName: props.ingressClassName ?? 'nginx',
        tls: [{ hosts: [props.hostname], secretName: tlsSecretName }],
        rules: [
          {
            host: props.hostname,
            http: {
              paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: props.serviceName, port: { name: 'http' } } } }],
            },
          },
        ],
      },
    });
  }
}
