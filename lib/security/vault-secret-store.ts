import { Construct } from 'constructs';
import { ClusterSecretStoreV1Beta1, ClusterSecretStoreV1Beta1SpecProviderVaultVersion } from '../../imports/external-secrets.io';
import { PLATFORM_NAME } from '../platform/labels';
import { HTTPS_ENDPOINT } from '../platform/input-patterns';

export interface VaultSecretStoreProps {
  /** HTTPS address of Vault, e.g. `https://vault.example.com:8200`. */
  readonly server: string;
  /** Vault role bound to the External Secrets service account; its policy reads only this environment's path. */
  readonly role: string;
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
 * Secrets reaches with Kubernetes authentication (no static token), usable only from the platform's
 * namespaces (matched by their `app.kubernetes.io/part-of` label, previews included).
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
    new ClusterSecretStoreV1Beta1(this, 'Resource', {
      metadata: { name: this.storeName, labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/managed-by': 'cdk8s' } },
      spec: {
        provider: {
          vault: {
            server: props.server,
            path: props.kvMountPath ?? 'secret',
            version: ClusterSecretStoreV1Beta1SpecProviderVaultVersion.V2,
            auth: { kubernetes: { mountPath: props.kubernetesAuthMountPath ?? 'kubernetes', role: props.role } },
          },
        },
        // Other namespaces of the cluster cannot read the platform's secrets through this store.
        conditions: [{ namespaceSelector: { matchLabels: { 'app.kubernetes.io/part-of': PLATFORM_NAME } } }],
      },
    });
  }
}
