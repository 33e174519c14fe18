import { Construct } from 'constructs';
import { ClusterSecretStoreV1Beta1, ClusterSecretStoreV1Beta1SpecProviderVaultVersion } from '../../imports/external-secrets.io';
import { PLATFORM_NAME } from '../platform/labels';
import { HTTPS_ENDPOINT } from '../platform/input-patterns';
import { CaBundle } from './ca-bundle';

export interface VaultSecretStoreProps {
  /** HTTPS address of Vault, e.g. `https://vault.example.com:8200`. */
  readonly server: string;
  /** Vault role bound to the External Secrets service account; its policy reads only this environment's path. */
  readonly role: string;
  /**
   * The CA certificate(s) that sign Vault's server certificate, rendered as the provider's
   * `caBundle`: External Secrets then trusts these and not the public roots of its image, which
   * never sign a private Vault's certificate (e.g. `vault.acme.internal`).
   * @default - no caBundle: only for a Vault whose certificate a public CA signs (the validation gate refuses it for any other)
   * @see https://external-secrets.io/v0.9.20/provider/hashicorp-vault/
   */
  readonly caBundle?: CaBundle;
  /**
   * The namespaces that may read through the store, by exact name (names cannot be forged; labels
   * can, by whoever may edit a namespace).
   * @default - none: give this or namespacePatterns
   */
  readonly namespaces?: readonly string[];
  /**
   * The namespaces that may read through the store, by regular expression over the name, e.g.
   * `^generator-platform-pr-[0-9]+$` for the pull-request previews.
   * @default - none: give this or namespaces
   */
  readonly namespacePatterns?: readonly string[];
  /**
   * Name of the ClusterSecretStore that every VaultSecret refers to.
   * @default 'vault'
   */
  readonly storeName?: string;
  /**
   * Mount path of the KV version 2 engine.
   * @default 'secret'
   */
  readonly kvMountPath?: string;
  /**
   * Mount path of Vault's Kubernetes auth method for this cluster.
   * @default 'kubernetes'
   */
  readonly kubernetesAuthMountPath?: string;
}

/**
 * The one way secrets enter the cluster: a ClusterSecretStore for Vault's KV v2 engine that External
 * Secrets reaches with Kubernetes authentication (no static token), usable only from the namespaces
 * it names: each environment, the previews and the logging stack have their own store and Vault role.
 */
export class VaultSecretStore extends Construct {
  public readonly storeName: string;

  public constructor(scope: Construct, id: string, props: VaultSecretStoreProps) {
    super(scope, id);
    if (!HTTPS_ENDPOINT.test(props.server)) {
      throw new Error(`VaultSecretStore ${id}: server is ${JSON.stringify(props.server)}; use Vault's https:// address (secrets never travel in clear text)`);
    }
    if (!/^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/.test(props.role)) {
      throw new Error(`VaultSecretStore ${id}: role is ${JSON.stringify(props.role)}; name the Vault Kubernetes-auth role, e.g. generator-platform-production`);
    }
    this.storeName = props.storeName ?? 'vault';
    const namespaces = [...(props.namespaces ?? [])];
    const patterns = [...(props.namespacePatterns ?? [])];
    if (namespaces.length + patterns.length === 0) {
      throw new Error(`VaultSecretStore ${id}: neither namespaces nor namespacePatterns is given, so every namespace of the cluster could read through the store. Fix: name the namespaces that may, e.g. namespaces: ['generator-platform']`);
    }
    const badPattern = patterns.find((pattern) => !pattern.startsWith('^') || !pattern.endsWith('$'));
    if (badPattern !== undefined) {
      throw new Error(`VaultSecretStore ${id}: namespacePatterns has ${JSON.stringify(badPattern)}, which is not anchored, so it also matches longer names. Fix: write it as ^...$`);
    }
    new ClusterSecretStoreV1Beta1(this, 'Resource', {
      metadata: { name: this.storeName, labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/managed-by': 'cdk8s' } },
      spec: {
        provider: {
          vault: {
            server: props.server,
            caBundle: props.caBundle?.base64,
            path: props.kvMountPath ?? 'secret',
            version: ClusterSecretStoreV1Beta1SpecProviderVaultVersion.V2,
            auth: { kubernetes: { mountPath: props.kubernetesAuthMountPath ?? 'kubernetes', role: props.role } },
          },
        },
        // No other namespace of the cluster can read through this store: not another environment's, not a preview's.
        conditions: [{ ...(namespaces.length > 0 ? { namespaces } : {}), ...(patterns.length > 0 ? { namespaceRegexes: patterns } : {}) }],
      },
    });
  }
}
