import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyEncoding, CertificateSpecPrivateKeyRotationPolicy, Issuer, IssuerSpec } from '../../imports/cert-manager.io';
import { DNS_LABEL, HTTPS_ENDPOINT } from '../platform/input-patterns';
import { PLATFORM_NAME } from '../platform/labels';
import { ICertificateIssuer } from './tls-certificate';

/** Vault's PKI engine signs, and cert-manager logs in to Vault with a bound token of a dedicated ServiceAccount. */
export interface VaultPkiSignerOptions {
  /** HTTPS address of Vault, e.g. `https://vault.example.com:8200`. */
  readonly server: string;
  /** Sign path of the PKI role, e.g. `pki_int/sign/generator-platform-production`. */
  readonly signPath: string;
  /**
   * Vault Kubernetes-auth role cert-manager logs in with. Bind it to the ServiceAccount below and
   * to the audience cert-manager requests, `vault://<namespace>/<issuer name>`; its policy may only call signPath.
   */
  readonly role: string;
  /**
   * Vault API path of the Kubernetes auth method for this cluster.
   * @default '/v1/auth/kubernetes'
   */
  readonly kubernetesAuthMountPath?: string;
  /**
   * The ServiceAccount whose bound tokens cert-manager presents to Vault; it runs no pod.
   * @default 'cert-manager-vault-issuer'
   */
  readonly serviceAccountName?: string;
  /**
   * Namespace of cert-manager's controller, which requests the tokens.
   * @default 'cert-manager'
   */
  readonly certManagerNamespace?: string;
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

/** What signs the internal CA's certificates: a self-signed root in the namespace, or Vault PKI. */
export class CertificateAuthoritySigner {
  /** A root made by cert-manager in the namespace: development and previews, where no Vault PKI role exists. */
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
  /** Namespace of the Issuer (and of the root or the Vault ServiceAccount); only Certificates there can use it. */
  readonly namespace: string;
  readonly signer: CertificateAuthoritySigner;
  /**
   * Name of the Issuer that Certificates name.
   * @default 'internal-ca'
   */
  readonly issuerName?: string;
}

const SELF_SIGNED_ROOT_ISSUER = 'selfsigned-root';
const VAULT_PATH_SEGMENTS = /^[a-z0-9_-]+(\/[a-z0-9_.-]+)+$/;

/**
 * The CA that signs in-cluster certificates (and, in development and previews, the public
 * hostnames): a namespaced Issuer, so that previews, which share the development cluster, render
 * nothing cluster-scoped. Self-signed: Issuer `selfsigned-root` -> CA Certificate -> Issuer (ca).
 * Vault PKI: an Issuer that signs through Vault, authenticated with short-lived bound tokens of a
 * dedicated ServiceAccount that only cert-manager's controller may request (a Role on
 * `serviceaccounts/token` for that one ServiceAccount); no static token exists.
 */
export class InternalCertificateAuthority extends Construct implements ICertificateIssuer {
  public readonly issuerName: string;
  public readonly issuerKind = 'Issuer' as const;
  /** Namespace of the Issuer. */
  public readonly namespace: string;

  public constructor(scope: Construct, id: string, props: InternalCertificateAuthorityProps) {
    super(scope, id);
    const fail = (field: string, value: unknown, fix: string): never => {
      throw new Error(`InternalCertificateAuthority ${id}: ${field} is ${JSON.stringify(value)}; ${fix}`);
    };
    this.issuerName = props.issuerName ?? 'internal-ca';
    this.namespace = props.namespace;
    for (const [field, value] of [['namespace', props.namespace], ['issuerName', this.issuerName]] as const) {
      if (!DNS_LABEL.test(value)) {
        fail(field, value, 'use a DNS label such as internal-ca');
      }
    }
    if (this.issuerName === SELF_SIGNED_ROOT_ISSUER) {
      fail('issuerName', this.issuerName, `choose another name: ${SELF_SIGNED_ROOT_ISSUER} is the self-signed root's Issuer`);
    }
    const labels = { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/managed-by': 'cdk8s' };
    const metadata = (name: string) => ({ name, namespace: props.namespace, labels });
    const vault = props.signer.vaultOptions;
    const spec: IssuerSpec = vault ? this.vaultIssuerSpec(vault, metadata, fail) : this.selfSignedIssuerSpec(props.signer.selfSignedOptions ?? {}, metadata, fail);
    new Issuer(this, 'Resource', { metadata: metadata(this.issuerName), spec });
  }

  /** The root and the Issuer that signs with it: the root's Secret is named after the Issuer. */
  private selfSignedIssuerSpec(options: SelfSignedSignerOptions, metadata: (name: string) => object, fail: (field: string, value: unknown, fix: string) => never): IssuerSpec {
    const durationHours = options.rootDurationHours ?? 8760;
    if (!Number.isInteger(durationHours) || durationHours < 720 || durationHours % 3 !== 0) {
      fail('rootDurationHours', durationHours, 'use a whole number of hours, at least 720 and divisible by 3 (renewal starts a third of it before expiry)');
    }
    new Issuer(this, 'SelfSignedRoot', { metadata: metadata(SELF_SIGNED_ROOT_ISSUER), spec: { selfSigned: {} } });
    new Certificate(this, 'RootCertificate', {
      metadata: metadata(this.issuerName),
      spec: {
        isCa: true,
        // Not namespace-specific, so a preview's root needs no kustomize patch (docs/gitops.md, Previews).
        commonName: `${PLATFORM_NAME} internal CA`,
        secretName: this.issuerName,
        duration: `${durationHours}h`,
        renewBefore: `${durationHours / 3}h`,
        issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: SELF_SIGNED_ROOT_ISSUER },
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

  private vaultIssuerSpec(options: VaultPkiSignerOptions, metadata: (name: string) => object, fail: (field: string, value: unknown, fix: string) => never): IssuerSpec {
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
    const certManagerNamespace = options.certManagerNamespace ?? 'cert-manager';
    const certManagerServiceAccountName = options.certManagerServiceAccountName ?? 'cert-manager';
    for (const [field, value] of [
      ['serviceAccountName', serviceAccountName],
      ['certManagerNamespace', certManagerNamespace],
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
      subjects: [{ kind: 'ServiceAccount', name: certManagerServiceAccountName, namespace: certManagerNamespace }],
    });
    return {
      vault: {
        server: options.server,
        path: options.signPath,
        auth: { kubernetes: { role: options.role, mountPath, serviceAccountRef: { name: serviceAccountName } } },
      },
    };
  }
}
