import { Construct } from 'constructs';
import {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyEncoding,
  CertificateSpecPrivateKeyRotationPolicy,
  CertificateSpecUsages,
} from '../../imports/cert-manager.io';
import { DNS_LABEL } from '../platform/input-patterns';
import { PLATFORM_NAME } from '../platform/labels';

/** A cert-manager issuer a Certificate can name: a namespaced Issuer or a ClusterIssuer. */
export interface ICertificateIssuer {
  readonly issuerName: string;
  readonly issuerKind: 'Issuer' | 'ClusterIssuer';
}

/** Lifetime of a certificate and how early cert-manager renews it. */
export interface CertificateLifetime {
  readonly durationHours: number;
  readonly renewBeforeHours: number;
}

/**
 * 90 days, renewed 30 days before expiry: what Let's Encrypt issues, and what every internal
 * certificate defaults to, so that a failed renewal has a month of warnings before anything breaks.
 */
export const DEFAULT_CERTIFICATE_LIFETIME: CertificateLifetime = { durationHours: 2160, renewBeforeHours: 720 };

export interface TlsCertificateProps extends CertificateLifetime {
  /** Namespace of the Certificate and of the Secret cert-manager writes (`tls.crt`, `tls.key`, `ca.crt`). */
  readonly namespace: string;
  /** Name of the Secret that holds the key pair. */
  readonly secretName: string;
  /** Names the certificate is valid for; the first is also the common name. */
  readonly dnsNames: readonly string[];
  readonly issuer: ICertificateIssuer;
  /**
   * Also valid as a client certificate: for servers that authenticate each other with it (Redis
   * cluster bus, RabbitMQ inter-node links).
   * @default false
   */
  readonly clientAuth?: boolean;
}

const WILDCARD_OR_HOSTNAME = /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/**
 * A cert-manager Certificate: ECDSA P-256, a new private key on every renewal, and a lifetime that
 * the issuer's renewals keep ahead of (the expiry alert watches `certmanager_certificate_expiration_timestamp_seconds`).
 */
export class TlsCertificate extends Construct {
  public readonly secretName: string;
  public readonly dnsNames: readonly string[];
  /** The issuer that signs it. */
  public readonly issuer: ICertificateIssuer;

  public constructor(scope: Construct, id: string, props: TlsCertificateProps) {
    super(scope, id);
    if (!DNS_LABEL.test(props.secretName)) {
      throw new Error(`TlsCertificate ${id}: secretName is ${JSON.stringify(props.secretName)}; use a DNS label such as redis-tls`);
    }
    if (props.dnsNames.length === 0) {
      throw new Error(`TlsCertificate ${props.secretName}: dnsNames is empty; list the names clients connect to`);
    }
    const bad = props.dnsNames.find((name) => !WILDCARD_OR_HOSTNAME.test(name) || name.length > 253);
    if (bad !== undefined) {
      throw new Error(`TlsCertificate ${props.secretName}: ${JSON.stringify(bad)} is not a DNS name; use lower-case names such as redis.generator-platform.svc`);
    }
    if (!Number.isInteger(props.durationHours) || !Number.isInteger(props.renewBeforeHours) || props.renewBeforeHours <= 0 || props.renewBeforeHours * 2 > props.durationHours) {
      throw new Error(`TlsCertificate ${props.secretName}: renewBeforeHours ${props.renewBeforeHours} must be a positive whole number at most half of durationHours ${props.durationHours}`);
    }
    this.secretName = props.secretName;
    this.dnsNames = [...props.dnsNames];
    this.issuer = { issuerName: props.issuer.issuerName, issuerKind: props.issuer.issuerKind };
    new Certificate(this, 'Resource', {
      metadata: {
        name: props.secretName,
        namespace: props.namespace,
        labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/managed-by': 'cdk8s' },
      },
      spec: {
        secretName: props.secretName,
        commonName: props.dnsNames[0].length <= 64 ? props.dnsNames[0] : undefined,
        dnsNames: [...props.dnsNames],
        duration: `${props.durationHours}h`,
        renewBefore: `${props.renewBeforeHours}h`,
        issuerRef: { group: 'cert-manager.io', kind: props.issuer.issuerKind, name: props.issuer.issuerName },
        privateKey: {
          algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          encoding: CertificateSpecPrivateKeyEncoding.PKCS8,
          rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
        usages: [
          CertificateSpecUsages.DIGITAL_SIGNATURE,
          CertificateSpecUsages.KEY_ENCIPHERMENT,
          CertificateSpecUsages.SERVER_AUTH,
          ...(props.clientAuth === true ? [CertificateSpecUsages.CLIENT_AUTH] : []),
        ],
        // Labels the Secret so the gate and operators can tell a cert-manager Secret from a hand-made one.
        secretTemplate: { labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME } },
      },
    });
  }
}
