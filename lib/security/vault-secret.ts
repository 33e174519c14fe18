import { ApiObject, JsonPatch, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import {
  ExternalSecretV1Beta1,
  ExternalSecretV1Beta1SpecTargetCreationPolicy,
  ExternalSecretV1Beta1SpecTargetDeletionPolicy,
  ExternalSecretV1Beta1SpecTargetTemplateEngineVersion,
  ExternalSecretV1Beta1SpecTargetTemplateMergePolicy,
} from '../../imports/external-secrets.io';
import { VAULT_PATH } from '../platform/input-patterns';
import { PasswordGenerator } from './password-generator';
import { PLATFORM_NAME } from '../platform/labels';

/** The `type` of the Kubernetes Secret External Secrets writes. */
export enum VaultSecretType {
  /** Arbitrary keys: the Vault properties and any derived keys. */
  OPAQUE = 'Opaque',
  /**
   * Registry credentials for `imagePullSecrets`: the Secret holds only the derived key
   * `.dockerconfigjson`, which the kubelet validates as JSON; the Vault properties it is composed
   * from are not copied beside it.
   */
  DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson',
  /** A user name and password under the keys `username` and `password`. */
  BASIC_AUTH = 'kubernetes.io/basic-auth',
}

/** The key of a `kubernetes.io/dockerconfigjson` Secret. */
export const DOCKER_CONFIG_JSON_KEY = '.dockerconfigjson';

export interface RegistryCredentialsProps {
  /** Namespace of the Secret. */
  readonly namespace: string;
  /** Name of the Kubernetes Secret that pods name in `imagePullSecrets`. */
  readonly secretName: string;
  /** Path of the Vault secret holding the `username` and `password` properties, e.g. `generator-platform/production/registry`. */
  readonly vaultPath: string;
  /** Registry host the credentials are for, e.g. `ghcr.io`. */
  readonly registryServer: string;
}

export interface BasicAuthCredentialsProps {
  /** Namespace of the Secret. */
  readonly namespace: string;
  /** Name of the Kubernetes Secret. */
  readonly secretName: string;
  /** Path of the Vault secret holding the `password` property, e.g. `generator-platform/production/postgres/api`. */
  readonly vaultPath: string;
  /**
   * The user name, written into the Secret as it is rather than read from Vault: the consumer
   * (e.g. a database role declared beside it) fixes the name, and a differing name in Vault
   * could only break the login.
   */
  readonly username: string;
  /**
   * Labels of the Secret External Secrets writes (`spec.target.template.metadata.labels`), e.g.
   * `cnpg.io/reload` for an operator that notices only labelled Secrets changing.
   * @default - none
   */
  readonly secretLabels?: Readonly<Record<string, string>>;
}

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
   * How often External Secrets re-reads Vault, which bounds how long a rotated value takes to
   * arrive. 15 minutes: a rotation keeps the old credential valid for an overlap of at least
   * 15 minutes plus a restart (Reloader restarts the pods that read it as environment
   * variables), while one read per secret per 15 minutes is negligible load on Vault.
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
   * Type of the Kubernetes Secret. `DOCKER_CONFIG_JSON` requires the derived key `.dockerconfigjson`
   * and keeps only the derived keys.
   * @default VaultSecretType.OPAQUE
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#secret-types
   */
  readonly secretType?: VaultSecretType;
  /**
   * The ClusterSecretStore that reaches Vault.
   * @default 'vault'
   */
  readonly secretStoreName?: string;
  /**
   * Write the keys into a Secret that something else creates and owns (External Secrets'
   * `creationPolicy: Merge`), e.g. Argo CD's `argocd-secret`, which its installation makes:
   * the other keys stay as they are, and deleting the ExternalSecret leaves the Secret.
   * @default false - External Secrets creates and owns the Secret (`creationPolicy: Owner`)
   * @see https://external-secrets.io/v0.9.20/guides/ownership-deletion-policy/
   */
  readonly mergeIntoExistingSecret?: boolean;
  /**
   * Properties whose value only the platform itself uses, setting it on both ends (a store's password
   * for one of its clients, a session cookie key): where no Vault path is wanted (a pull-request
   * preview), `generateIn()` makes them in the namespace instead. Everything else is issued outside
   * the platform (an identity provider, a registry, a cloud) and always comes from Vault.
   * @default - none; `basicAuth()` marks its `password`
   */
  readonly generatableKeys?: readonly string[];
  /**
   * Fixed values of the other Vault properties when the secret is generated, e.g. a user name that
   * Vault holds elsewhere; derived keys that read them get the value instead.
   * @default - none
   */
  readonly valuesWhenGenerated?: Readonly<Record<string, string>>;
}

/**
 * A Kubernetes Secret whose values live in Vault and never in this repository: an ExternalSecret
 * that External Secrets Operator resolves and refreshes. Consumers take references, not values.
 */
export class VaultSecret extends Construct {
  /**
   * Registry credentials from Vault (`username`, `password`) as a `kubernetes.io/dockerconfigjson`
   * Secret for `registryServer`, for pods (or their ServiceAccount) to name in `imagePullSecrets`.
   */
  public static registryCredentials(scope: Construct, id: string, props: RegistryCredentialsProps): VaultSecret {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?$/.test(props.registryServer)) {
      throw new Error(`VaultSecret ${props.secretName}: registryServer is ${JSON.stringify(props.registryServer)}; use the registry host without scheme or path, e.g. ghcr.io`);
    }
    // toJson quotes and escapes each value, so a password with quotes still yields valid JSON.
    const username = '{{ .username | toJson }}';
    const password = '{{ .password | toJson }}';
    const auth = '{{ printf "%s:%s" .username .password | b64enc | toJson }}';
    return new VaultSecret(scope, id, {
      namespace: props.namespace,
      secretName: props.secretName,
      vaultPath: props.vaultPath,
      keys: ['username', 'password'],
      secretType: VaultSecretType.DOCKER_CONFIG_JSON,
      derivedKeys: {
        [DOCKER_CONFIG_JSON_KEY]: `{"auths":{${JSON.stringify(props.registryServer)}:{"username":${username},"password":${password},"auth":${auth}}}}`,
      },
    });
  }

  /**
   * A `kubernetes.io/basic-auth` Secret: `password` from Vault, `username` as given. Refreshed
   * like any VaultSecret, so a new password version in Vault reaches the Secret within
   * `refreshInterval`.
   */
  public static basicAuth(scope: Construct, id: string, props: BasicAuthCredentialsProps): VaultSecret {
    if (!/^[A-Za-z0-9_.@-]{1,63}$/.test(props.username)) {
      throw new Error(`VaultSecret ${props.secretName}: username is ${JSON.stringify(props.username)}; use up to 63 letters, digits and _ . @ - (it is written into the Secret as it is)`);
    }
    const secret = new VaultSecret(scope, id, {
      namespace: props.namespace,
      secretName: props.secretName,
      vaultPath: props.vaultPath,
      keys: ['password'],
      secretType: VaultSecretType.BASIC_AUTH,
      // A template without actions: the name itself.
      derivedKeys: { username: props.username },
      // Both ends are the platform's: the store's user and its client read this one Secret.
      generatableKeys: ['password'],
    });
    if (props.secretLabels !== undefined && Object.keys(props.secretLabels).length > 0) {
      ApiObject.of(secret.node.defaultChild as Construct).addJsonPatch(JsonPatch.add('/spec/target/template/metadata', { labels: { ...props.secretLabels } }));
    }
    return secret;
  }

  public readonly secretName: string;
  /** Type of the Kubernetes Secret External Secrets writes. */
  public readonly secretType: VaultSecretType;
  private readonly keys: readonly string[];
  private readonly vaultKeys: readonly string[];
  private readonly vaultPath: string;
  private readonly generatableKeys: readonly string[];
  private readonly valuesWhenGenerated: Readonly<Record<string, string>>;
  private readonly derivedKeys: Readonly<Record<string, string>>;
  private readonly resource: ExternalSecretV1Beta1;
  private secretStoreName: string;
  private generated = false;
  private readonly templated: boolean;

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
    this.secretType = props.secretType ?? VaultSecretType.OPAQUE;
    const registryCredentials = this.secretType === VaultSecretType.DOCKER_CONFIG_JSON;
    if (registryCredentials && !(DOCKER_CONFIG_JSON_KEY in derived)) {
      throw new Error(`VaultSecret ${props.secretName}: secretType is ${this.secretType} but derivedKeys has no ${DOCKER_CONFIG_JSON_KEY}; use VaultSecret.registryCredentials()`);
    }
    this.generatableKeys = props.generatableKeys ?? [];
    this.valuesWhenGenerated = props.valuesWhenGenerated ?? {};
    const unknown = [...this.generatableKeys, ...Object.keys(this.valuesWhenGenerated)].find((key) => !props.keys.includes(key));
    if (unknown !== undefined) {
      throw new Error(`VaultSecret ${props.secretName}: ${JSON.stringify(unknown)} is in generatableKeys or valuesWhenGenerated but not in keys (${props.keys.join(', ')}); name Vault properties only`);
    }
    this.vaultKeys = props.keys;
    this.vaultPath = props.vaultPath;
    this.derivedKeys = derived;
    this.secretName = props.secretName;
    this.secretStoreName = props.secretStoreName ?? 'vault';
    this.keys = registryCredentials ? Object.keys(derived) : [...props.keys, ...Object.keys(derived)];
    const templated = Object.keys(derived).length > 0 || this.secretType !== VaultSecretType.OPAQUE;
    this.templated = templated;
    this.resource = new ExternalSecretV1Beta1(this, 'Resource', {
      metadata: {
        name: props.secretName,
        namespace: props.namespace,
        labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/managed-by': 'cdk8s' },
      },
      spec: {
        refreshInterval: props.refreshInterval ?? '15m',
        secretStoreRef: { kind: 'ClusterSecretStore', name: Lazy.any({ produce: () => this.secretStoreName }) },
        target: {
          name: props.secretName,
          creationPolicy: props.mergeIntoExistingSecret === true ? ExternalSecretV1Beta1SpecTargetCreationPolicy.MERGE : ExternalSecretV1Beta1SpecTargetCreationPolicy.OWNER,
          deletionPolicy: ExternalSecretV1Beta1SpecTargetDeletionPolicy.RETAIN,
          template: !templated ? undefined : {
            type: this.secretType === VaultSecretType.OPAQUE ? undefined : this.secretType,
            engineVersion: ExternalSecretV1Beta1SpecTargetTemplateEngineVersion.V2,
            // Merge keeps the plain properties beside the composed keys; registry credentials
            // hold only .dockerconfigjson.
            mergePolicy: registryCredentials ? ExternalSecretV1Beta1SpecTargetTemplateMergePolicy.REPLACE : ExternalSecretV1Beta1SpecTargetTemplateMergePolicy.MERGE,
            data: { ...derived },
          },
        },
        data: props.keys.map((key) => ({ secretKey: key, remoteRef: { key: props.vaultPath, property: key } })),
      },
    });
  }

  /**
   * Reads the secret through `storeName` instead: an environment points every secret of its
   * namespace at its own ClusterSecretStore, which serves that namespace only.
   */
  public readFrom(storeName: string): void {
    this.secretStoreName = storeName;
  }

  /**
   * Makes the `generatableKeys` in the namespace with `generator` (one generated value per key, renamed
   * from the generator's `password`), sets `valuesWhenGenerated`, and reads only the remaining
   * properties from Vault; without any, no secret store is named. External Secrets then generates the
   * values once: `refreshInterval: 0` makes it write the Secret when the ExternalSecret is new, its
   * spec, labels or annotations change, or the Secret is gone, never on a timer (external-secrets
   * v0.9.20 pkg/controllers/externalsecret/externalsecret_controller.go, shouldRefresh), so an Argo CD
   * sync leaves the passwords as they are; any other interval would generate new ones each time.
   */
  /** Whether some of its properties may be generated in the namespace (`generatableKeys`). */
  public get isGeneratable(): boolean {
    return this.generatableKeys.length > 0;
  }

  public generateIn(generator: PasswordGenerator): void {
    if (this.generatableKeys.length === 0) {
      throw new Error(`VaultSecret ${this.secretName} has no generatableKeys: every property is issued outside the platform and comes from Vault`);
    }
    if (this.generated) {
      return;
    }
    this.generated = true;
    const fixed = this.valuesWhenGenerated;
    const fromVault = this.vaultKeys.filter((key) => !this.generatableKeys.includes(key) && !(key in fixed));
    const resource = ApiObject.of(this.resource);
    resource.addJsonPatch(JsonPatch.replace('/spec/refreshInterval', '0'));
    resource.addJsonPatch(
      JsonPatch.add(
        '/spec/dataFrom',
        this.generatableKeys.map((key) => ({
          sourceRef: { generatorRef: generator.generatorRef() },
          ...(key === 'password' ? {} : { rewrite: [{ regexp: { source: '^password$', target: key } }] }),
        })),
      ),
    );
    if (fromVault.length === 0) {
      resource.addJsonPatch(JsonPatch.remove('/spec/data'), JsonPatch.remove('/spec/secretStoreRef'));
    } else {
      const remaining = this.vaultKeys.filter((key) => fromVault.includes(key));
      resource.addJsonPatch(JsonPatch.replace('/spec/data', remaining.map((key) => ({ secretKey: key, remoteRef: { key: this.vaultPath, property: key } }))));
    }
    if (Object.keys(fixed).length > 0) {
      // A Go template string literal in place of `.name`: the value the Vault property would have given.
      const literal = (template: string) => Object.entries(fixed).reduce((t, [name, value]) => t.split(`.${name} `).join(`${JSON.stringify(value)} `), template);
      const derived = Object.fromEntries(Object.entries(this.derivedKeys).map(([key, template]) => [key, literal(template)]));
      const unresolved = Object.entries(derived).find(([, template]) => Object.keys(fixed).some((name) => new RegExp(`\\.${name}\\b`).test(template)));
      if (unresolved !== undefined) {
        throw new Error(`VaultSecret ${this.secretName}: derived key ${JSON.stringify(unresolved[0])} reads a fixed value in a form generateIn() cannot replace; write it as {{ .name }} or {{ .name | ... }}`);
      }
      resource.addJsonPatch(
        this.templated
          ? JsonPatch.replace('/spec/target/template/data', { ...fixed, ...derived })
          : JsonPatch.add('/spec/target/template', { engineVersion: ExternalSecretV1Beta1SpecTargetTemplateEngineVersion.V2, mergePolicy: ExternalSecretV1Beta1SpecTargetTemplateMergePolicy.MERGE, data: { ...fixed } }),
      );
    }
  }

  /** The entry of `imagePullSecrets` (of a pod or ServiceAccount) that pulls with these credentials. */
  public imagePullSecret(): k8s.LocalObjectReference {
    if (this.secretType !== VaultSecretType.DOCKER_CONFIG_JSON) {
      throw new Error(`VaultSecret ${this.secretName} is of type ${this.secretType}; pull images with one made by VaultSecret.registryCredentials()`);
    }
    return { name: this.secretName };
  }

  /** An environment variable source reading one key of the Secret. */
  public envValue(key: string): k8s.EnvVarSource {
    if (!this.keys.includes(key)) {
      throw new Error(`VaultSecret ${this.secretName} has no key ${JSON.stringify(key)}; it holds ${this.keys.join(', ')}`);
    }
    return { secretKeyRef: { name: this.secretName, key } };
  }
}

/**
 * Generates, with `generator`, every property under `scope` that only the platform uses (each
 * VaultSecret's `generatableKeys`), for an environment that has no Vault path of its own: a
 * pull-request preview. What is issued outside the platform still comes from Vault.
 */
export function generateVaultSecretsIn(scope: IConstruct, generator: PasswordGenerator): void {
  for (const construct of scope.node.findAll()) {
    if (construct instanceof VaultSecret && construct.isGeneratable) {
      construct.generateIn(generator);
    }
  }
}

/** Points every VaultSecret under `scope` at `store`: an environment reads all its secrets through its own store. */
export function readVaultSecretsFrom(scope: IConstruct, store: { readonly storeName: string }): void {
  for (const construct of scope.node.findAll()) {
    if (construct instanceof VaultSecret) {
      construct.readFrom(store.storeName);
    }
  }
}
