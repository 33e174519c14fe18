import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { VaultSecret } from '../security/vault-secret';
import { ApplicationWave } from './application-waves';
import { ARGOCD_SECRET_STORE } from './argocd-secret-store';
import { ARGOCD_NAMESPACE, SecretKeyRef } from './repository';
import { ARGOCD_SYNC_WAVE } from './sync-policy';

/** The Vault property, and key of the Secret, holding the token: read-only access to the application repository's pull requests. */
export const PULL_REQUEST_TOKEN_KEY = 'github-pull-requests-token';

export interface PullRequestGeneratorTokenProps {
  /** Vault KV path holding the property `github-pull-requests-token`, e.g. `generator-platform/development/argocd`. */
  readonly vaultPath: string;
  /**
   * Name of the Secret in Argo CD's namespace that the ApplicationSets' `tokenRef` names.
   * @default 'github-pull-requests'
   */
  readonly secretName?: string;
  /**
   * The ClusterSecretStore that serves the `argocd` namespace.
   * @default ARGOCD_SECRET_STORE.storeName ('vault-argocd')
   */
  readonly secretStoreName?: string;
}

/**
 * The GitHub token with which the preview ApplicationSets' pull-request generator lists the
 * application repository's pull requests (a private repository needs one; a token also lifts
 * GitHub's anonymous limit of 60 requests an hour). From Vault through Argo CD's own store, like the
 * webhook secret; the root Application syncs it in the environments' wave, when the store exists.
 */
export class PullRequestGeneratorToken extends Construct {
  public readonly secret: VaultSecret;
  /** The `tokenRef` of the generators. */
  public readonly tokenRef: SecretKeyRef;

  public constructor(scope: Construct, id: string, props: PullRequestGeneratorTokenProps) {
    super(scope, id);
    const secretName = props.secretName ?? 'github-pull-requests';
    this.secret = new VaultSecret(this, 'Resource', {
      namespace: ARGOCD_NAMESPACE,
      secretName,
      vaultPath: props.vaultPath,
      keys: [PULL_REQUEST_TOKEN_KEY],
      secretStoreName: props.secretStoreName ?? ARGOCD_SECRET_STORE.storeName,
    });
    this.tokenRef = { secretName, key: PULL_REQUEST_TOKEN_KEY };
    const resource = ApiObject.of(this.secret.node.defaultChild as Construct);
    resource.metadata.addAnnotation(ARGOCD_SYNC_WAVE, String(ApplicationWave.ENVIRONMENTS));
    // External Secrets' CRDs arrive in wave -2 of a new cluster; the root's first dry-run must not refuse this.
    resource.metadata.addAnnotation('argocd.argoproj.io/sync-options', 'SkipDryRunOnMissingResource=true');
  }
}
