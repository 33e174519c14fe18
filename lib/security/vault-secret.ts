import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  ExternalSecretV1Beta1,
  ExternalSecretV1Beta1SpecTargetCreationPolicy,
  ExternalSecretV1Beta1SpecTargetDeletionPolicy,
  ExternalSecretV1Beta1SpecTargetTemplateEngineVersion,
  ExternalSecretV1Beta1SpecTargetTemplateMergePolicy,
} from '../../imports/external-secrets.io';
import { VAULT_PATH } from '../platform/input-patterns';
import { PLATFORM_NAME } from '../platform/labels';

export interface VaultSecretProps {
  /** Namespace of the Secret. */
  readonly namespace: string;
  /** Name of the Kubernetes Secret that External Secrets keeps in sync. */
  readonly secretName: string;
  /** Path of the secret in Vault's KV engine, e.g. `generator-platform/production/redis`. */
  readonly vaultPath: string;
  /** Properties to copy from the Vault secret; each becomes a key of the Kubernetes Secret. */
  readonly keys: readonly string[];
  /**
   * How often External Secrets re-reads Vault, which bounds how long a rotated value takes to arrive.
   * @default '15m'
   */
  readonly refreshInterval?: string;
  /**
   * Extra keys composed from the Vault properties with External Secrets' template engine (v2),
   * e.g. a connection URI that a consumer can only take whole. Values are Go templates over the
   * properties, e.g. `http://{{ .username }}:{{ .password | urlquery }}@host:15672/`.
   * @default - none
   */
  readonly derivedKeys?: Readonly<Record<string, string>>;
  /**
   * The ClusterSecretStore that reaches Vault.
   * @default 'vault'
   */
  readonly secretStoreName?: string;
}

/**
 * A Kubernetes Secret whose values live in Vault and never in this repository: an ExternalSecret
 * that External Secrets Operator resolves and refreshes. Consumers take references, not values.
 */
export class VaultSecret extends Construct {
  public readonly secretName: string;
  private readonly keys: readonly string[];

  public constructor(scope: Construct, id: string, props: VaultSecretProps) {
    super(scope, id);
    if (props.keys.length === 0) {
      throw new Error(`VaultSecret ${props.secretName}: keys is empty; name the Vault properties the Secret must hold`);
    }
    if (!VAULT_PATH.test(props.vaultPath)) {
      throw new Error(`VaultSecret ${props.secretName}: vaultPath is ${JSON.stringify(props.vaultPath)}; use a KV path such as generator-platform/production/redis`);
    }
    const derived = props.derivedKeys ?? {};
    const clash = Object.keys(derived).find((key) => props.keys.includes(key));
    if (clash !== undefined) {
      throw new Error(`VaultSecret ${props.secretName}: derived key ${JSON.stringify(clash)} is also a Vault property; give it another name`);
    }
    this.secretName = props.secretName;
    this.keys = [...props.keys, ...Object.keys(derived)];
    new ExternalSecretV1Beta1(this, 'Resource', {
      metadata: {
        name: props.secretName,
        namespace: props.namespace,
        labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/managed-by': 'cdk8s' },
      },
      spec: {
        refreshInterval: props.refreshInterval ?? '15m',
        secretStoreRef: { kind: 'ClusterSecretStore', name: props.secretStoreName ?? 'vault' },
        target: {
          name: props.secretName,
          creationPolicy: ExternalSecretV1Beta1SpecTargetCreationPolicy.OWNER,
          deletionPolicy: ExternalSecretV1Beta1SpecTargetDeletionPolicy.RETAIN,
          template: Object.keys(derived).length === 0 ? undefined : {
            engineVersion: ExternalSecretV1Beta1SpecTargetTemplateEngineVersion.V2,
            // Merge keeps the plain properties beside the composed keys.
            mergePolicy: ExternalSecretV1Beta1SpecTargetTemplateMergePolicy.MERGE,
            data: { ...derived },
          },
        },
        data: props.keys.map((key) => ({ secretKey: key, remoteRef: { key: props.vaultPath, property: key } })),
      },
    });
  }

  /** An environment variable source reading one key of the Secret. */
  public envValue(key: string): k8s.EnvVarSource {
    if (!this.keys.includes(key)) {
      throw new Error(`VaultSecret ${this.secretName} has no key ${JSON.stringify(key)}; it holds ${this.keys.join(', ')}`);
    }
    return { secretKeyRef: { name: this.secretName, key } };
  }
}
