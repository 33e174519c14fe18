import { Construct } from 'constructs';
import { DNS_LABEL } from '../platform/input-patterns';
import { CertificateLifetime, ICertificateIssuer, TlsCertificate } from './tls-certificate';

/** The Secret whose `ca.crt` an operator mounts to trust the cluster's internal CA. */
export const INTERNAL_CA_TRUST_SECRET = 'internal-ca-trust';

export interface CertificateAuthorityTrustProps extends CertificateLifetime {
  /** Namespace of the consumer, which can mount Secrets of its own namespace only. */
  readonly namespace: string;
  /** Name of the consumer's Service (or Deployment); the certificate is issued for `<consumer>.<namespace>.svc`. */
  readonly consumer: string;
  /** The cluster's internal CA. */
  readonly issuer: ICertificateIssuer;
  /**
   * Name of the Certificate and its Secret.
   * @default INTERNAL_CA_TRUST_SECRET
   */
  readonly secretName?: string;
}

/**
 * The internal CA's certificate, delivered into a namespace of a consumer that must trust it but
 * cannot read it elsewhere (the Messaging Topology Operator, which verifies RabbitMQ's HTTPS
 * management API against its system trust store). cert-manager writes the issuing CA into every
 * Secret it issues as `ca.crt`, and renews it before the CA changes: a leaf issued for the consumer
 * carries the CA there without copying a Secret across namespaces, which cert-manager alone cannot
 * do. Only `ca.crt` is mounted; the leaf's key is never used.
 */
export class CertificateAuthorityTrust extends Construct {
  public readonly secretName: string;
  public readonly namespace: string;

  public constructor(scope: Construct, id: string, props: CertificateAuthorityTrustProps) {
    super(scope, id);
    for (const [field, value] of [['namespace', props.namespace], ['consumer', props.consumer]] as const) {
      if (!DNS_LABEL.test(value)) {
        throw new Error(`CertificateAuthorityTrust ${id}: ${field} is ${JSON.stringify(value)}; use a DNS label such as rabbitmq-system`);
      }
    }
    this.secretName = props.secretName ?? INTERNAL_CA_TRUST_SECRET;
    this.namespace = props.namespace;
    new TlsCertificate(this, 'Certificate', {
      namespace: props.namespace,
      secretName: this.secretName,
      dnsNames: [`${props.consumer}.${props.namespace}.svc`],
      issuer: props.issuer,
      durationHours: props.durationHours,
      renewBeforeHours: props.renewBeforeHours,
    });
  }
}
