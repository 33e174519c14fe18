import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyEncoding,
  CertificateSpecPrivateKeyRotationPolicy,
  ClusterIssuer,
  ClusterIssuerSpec,
} from '../../imports/cert-manager.io';
import { DNS_LABEL, HTTPS_ENDPOINT } from '../platform/input-patterns';
import { PLATFORM_NAME } from '../platform/labels';
import { CaBundle } from './ca-bundle';
import { ICertificateIssuer } from './tls-certificate';

/** Vault's PKI engine signs, and cert-manager logs in to Vault with a bound token of a dedicated ServiceAccount. */
export interface VaultPkiSignerOptions {
  /** HTTPS address of Vault, e.g. `https://vault.example.com:8200`. */
  readonly server: string;
  /** Sign path of the PKI role, e.g. `pki_int/sign/generator-platform-production`. */
  readonly signPath: string;
  /**
   * The CA certificate(s) that sign Vault's server certificate, rendered as the ClusterIssuer's
   * `spec.vault.caBundle`: cert-manager then verifies Vault against these, not against the
   * public roots of its image.
   * @default - no caBundle: only for a Vault whose certificate a public CA signs (the validation gate refuses it for any other)
   * @see https://cert-manager.io/v1.14-docs/configuration/vault/
   */
  readonly caBundle?: CaBundle;
  /**
   * Vault Kubernetes-auth role cert-manager logs in with. Bind it to the ServiceAccount below and
   * to the audience cert-manager 1.14 requests for a ClusterIssuer, `vault://<issuer name>`; its
   * policy may only call signPath.
   */
  readonly role: string;
  /**
   * Vault API path of the Kubernetes auth method for this cluster.
   * @default '/v1/auth/kubernetes'
   */
  readonly kubernetesAuthMountPath?: string;
  /**
   * The ServiceAccount (in the cluster resource namespace) whose bound tokens cert-manager
   * presents to Vault; it runs no pod.
   * @default 'cert-manager-vault-issuer'
   */
  readonly serviceAccountName?: string;
  /**
   * ServiceAccount of cert-manager's controller.
   * @default 'cert-manager'
   */
  readonly certManagerServiceAccountName?: string;
}

/** Lifetime of the self-signed root. */
export interface SelfSignedSignerOptions {
  /**
   * Lifetime of the root certificate, in hours; it is renewed (same key) a third of it before expiry.
   * @default 8760 (one year)
   */
  readonly rootDurationHours?: number;
}

/** What signs the internal CA's certificates: a self-signed root made by cert-manager, or Vault PKI. */
export class CertificateAuthoritySigner {
  /** A root made by cert-manager in the cluster resource namespace: the development cluster, where no Vault PKI role exists. */
  public static selfSigned(options: SelfSignedSignerOptions = {}): CertificateAuthoritySigner {
    return new CertificateAuthoritySigner(options, undefined);
  }

  /** Vault's PKI secrets engine: staging and production, whose CA chain Vault holds. */
  public static vaultPki(options: VaultPkiSignerOptions): CertificateAuthoritySigner {
    return new CertificateAuthoritySigner(undefined, options);
  }

  private constructor(
    public readonly selfSignedOptions: SelfSignedSignerOptions | undefined,
    public readonly vaultOptions: VaultPkiSignerOptions | undefined,
  ) {}
}

export interface InternalCertificateAuthorityProps {
  readonly signer: CertificateAuthoritySigner;
  /**
   * cert-manager's cluster resource namespace (its `--cluster-resource-namespace`), where a
   * ClusterIssuer's Secrets and ServiceAccounts must live: the root's key pair, or the Vault
   * ServiceAccount; also the namespace of cert-manager's controller, which requests the tokens.
   * @default 'cert-manager'
   */
  readonly clusterResourceNamespace?: string;
  /**
   * Name of the ClusterIssuer that Certificates name.
   * @default INTERNAL_CA_ISSUER_NAME
   */
  readonly issuerName?: string;
}

/** The ClusterIssuer every environment (and preview) of a cluster names for in-cluster certificates. */
export const INTERNAL_CA_ISSUER_NAME = 'internal-ca';
/** How an environment refers to the internal CA of the cluster it runs on, which it does not render. */
export const CLUSTER_INTERNAL_CA: ICertificateIssuer = { issuerName: INTERNAL_CA_ISSUER_NAME, issuerKind: 'ClusterIssuer' };

const SELF_SIGNED_ROOT_ISSUER = 'selfsigned-root';
const VAULT_PATH_SEGMENTS = /^[a-z0-9_-]+(\/[a-z0-9_.-]+)+$/;

/**
 * The CA of one cluster, which signs in-cluster certificates of every environment and preview on
 * it (and, in development and previews, their public hostnames): a ClusterIssuer, because the
 * operators that call the stores (the Messaging Topology Operator in rabbitmq-system) must trust
 * one CA, not one per namespace. Self-signed: ClusterIssuer `selfsigned-root` -> CA Certificate
 * (its Secret in the cluster resource namespace) -> ClusterIssuer (ca). Vault PKI: a
 * ClusterIssuer that signs through Vault, authenticated with short-lived bound tokens of a
 * dedicated ServiceAccount that only cert-manager's controller may request (a Role on
 * `serviceaccounts/token` for that one ServiceAccount); no static token exists.
 */
export class InternalCertificateAuthority extends Construct implements ICertificateIssuer {
  public readonly issuerName: string;
  public readonly issuerKind = 'ClusterIssuer' as const;
  /** Where the root's Secret or the Vault ServiceAccount lives. */
  public readonly clusterResourceNamespace: string;

  public constructor(scope: Construct, id: string, props: InternalCertificateAuthorityProps) {
    super(scope, id);
    const fail = (field: string, value: unknown, fix: string): never => {
      throw new Error(`InternalCertificateAuthority ${id}: ${field} is ${JSON.stringify(value)}; ${fix}`);
    };
    this.issuerName = props.issuerName ?? INTERNAL_CA_ISSUER_NAME;
    this.clusterResourceNamespace = props.clusterResourceNamespace ?? 'cert-manager';
    for (const [field, value] of [['clusterResourceNamespace', this.clusterResourceNamespace], ['issuerName', this.issuerName]] as const) {
      if (!DNS_LABEL.test(value)) {
        fail(field, value, 'use a DNS label such as internal-ca');
      }
    }
    if (this.issuerName === SELF_SIGNED_ROOT_ISSUER) {
      fail('issuerName', this.issuerName, `choose another name: ${SELF_SIGNED_ROOT_ISSUER} is the self-signed root's ClusterIssuer`);
    }
    const labels = { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/managed-by': 'cdk8s' };
    const metadata = (name: string) => ({ name, namespace: this.clusterResourceNamespace, labels });
    const vault = props.signer.vaultOptions;
    const spec: ClusterIssuerSpec = vault ? this.vaultIssuerSpec(vault, metadata, fail) : this.selfSignedIssuerSpec(props.signer.selfSignedOptions ?? {}, metadata, labels, fail);
    new ClusterIssuer(this, 'Resource', { metadata: { name: this.issuerName, labels }, spec });
  }

  /** The root and the ClusterIssuer that signs with it: the root's Secret is named after the ClusterIssuer. */
  private selfSignedIssuerSpec(
    options: SelfSignedSignerOptions,
    metadata: (name: string) => object,
    labels: Record<string, string>,
    fail: (field: string, value: unknown, fix: string) => never,
  ): ClusterIssuerSpec {
    const durationHours = options.rootDurationHours ?? 8760;
    if (!Number.isInteger(durationHours) || durationHours < 720 || durationHours % 3 !== 0) {
      fail('rootDurationHours', durationHours, 'use a whole number of hours, at least 720 and divisible by 3 (renewal starts a third of it before expiry)');
    }
    new ClusterIssuer(this, 'SelfSignedRoot', { metadata: { name: SELF_SIGNED_ROOT_ISSUER, labels }, spec: { selfSigned: {} } });
    new Certificate(this, 'RootCertificate', {
      metadata: metadata(this.issuerName),
      spec: {
        isCa: true,
        commonName: `${PLATFORM_NAME} internal CA`,
        secretName: this.issuerName,
        duration: `${durationHours}h`,
        renewBefore: `${durationHours / 3}h`,
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: SELF_SIGNED_ROOT_ISSUER },
        privateKey: {
          algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          encoding: CertificateSpecPrivateKeyEncoding.PKCS8,
          // The renewed root keeps its key, so leaves signed before a renewal still verify against it.
          rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.NEVER,
        },
        secretTemplate: { labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME } },
      },
    });
    return { ca: { secretName: this.issuerName } };
  }

  private vaultIssuerSpec(options: VaultPkiSignerOptions, metadata: (name: string) => object, fail: (field: string, value: unknown, fix: string) => never): ClusterIssuerSpec {
    if (!HTTPS_ENDPOINT.test(options.server)) {
      fail('server', options.server, "use Vault's https:// address (certificates are signed over TLS only)");
    }
    if (!VAULT_PATH_SEGMENTS.test(options.signPath) || !options.signPath.includes('/sign/')) {
      fail('signPath', options.signPath, 'use the sign path of the PKI role, e.g. pki_int/sign/generator-platform-production');
    }
    if (!/^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/.test(options.role)) {
      fail('role', options.role, 'name the Vault Kubernetes-auth role, e.g. cert-manager-generator-platform-production');
    }
    const mountPath = options.kubernetesAuthMountPath ?? '/v1/auth/kubernetes';
    if (!/^\/v1\/auth\/[a-z0-9_-]+(\/[a-z0-9_-]+)*$/.test(mountPath)) {
      fail('kubernetesAuthMountPath', mountPath, 'use the API path of the auth method, e.g. /v1/auth/kubernetes');
    }
    const serviceAccountName = options.serviceAccountName ?? 'cert-manager-vault-issuer';
    const certManagerServiceAccountName = options.certManagerServiceAccountName ?? 'cert-manager';
    for (const [field, value] of [
      ['serviceAccountName', serviceAccountName],
      ['certManagerServiceAccountName', certManagerServiceAccountName],
    ] as const) {
      if (!DNS_LABEL.test(value)) {
        fail(field, value, 'use a DNS label such as cert-manager');
      }
    }
    new k8s.KubeServiceAccount(this, 'VaultServiceAccount', {
      metadata: metadata(serviceAccountName),
      // No pod runs as it: cert-manager requests its tokens through the TokenRequest API.
      automountServiceAccountToken: false,
    });
    const roleName = `${serviceAccountName}-token`;
    new k8s.KubeRole(this, 'TokenRequestRole', {
      metadata: metadata(roleName),
      rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [serviceAccountName], verbs: ['create'] }],
    });
    new k8s.KubeRoleBinding(this, 'TokenRequestRoleBinding', {
      metadata: metadata(roleName),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: certManagerServiceAccountName, namespace: this.clusterResourceNamespace }],
    });
    return {
      vault: {
        server: options.server,
        caBundle: options.caBundle?.base64,
        path: options.signPath,
        auth: { kubernetes: { role: options.role, mountPath, serviceAccountRef: { name: serviceAccountName } } },
      },
    };
  }
}
