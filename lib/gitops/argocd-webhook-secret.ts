import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { VaultSecret } from '../security/vault-secret';
import { ApplicationWave } from './application-waves';
import { ARGOCD_SECRET_STORE } from './argocd-secret-store';
import { ARGOCD_NAMESPACE } from './repository';
import { ARGOCD_SYNC_WAVE } from './sync-policy';

/** The Secret Argo CD reads its server settings from; its installation creates it (install.yaml). */
export const ARGOCD_SECRET = 'argocd-secret';

/**
 * The key of `argocd-secret` that holds the GitHub webhook's shared secret: Argo CD's API server
 * checks each delivery's `X-Hub-Signature-256` against it (util/settings/settings.go,
 * `settingsWebhookGitHubSecretKey`; util/webhook/webhook.go). Also the Vault property's name.
 */
export const GITHUB_WEBHOOK_SECRET_KEY = 'webhook.github.secret';

export interface ArgoCdWebhookSecretProps {
  /** Vault KV path holding the property `webhook.github.secret`, e.g. `generator-platform/production/argocd`. */
  readonly vaultPath: string;
  /**
   * The ClusterSecretStore that serves the `argocd` namespace.
   * @default ARGOCD_SECRET_STORE.storeName ('vault-argocd')
   */
  readonly secretStoreName?: string;
  /**
   * The root Application's wave of the ExternalSecret: after the cluster baseline brings its store,
   * and no earlier than the environments, so that a missing Vault entry holds up nothing (Argo CD
   * then notices merges by polling, as before).
   * @default ApplicationWave.ENVIRONMENTS
   */
  readonly syncWave?: number;
}

/**
 * The shared secret of the GitHub webhook that tells Argo CD about a push (`https://<argocd
 * host>/api/webhook`), merged from Vault into `argocd-secret` by External Secrets: the other keys
 * of that Secret (the server's signing key, admin password) stay Argo CD's own. The root
 * Application syncs it from `dist/argocd/<cluster>/`; docs/gitops.md ("Argo CD told by a
 * webhook") has the GitHub side.
 */
export class ArgoCdWebhookSecret extends Construct {
  public readonly secret: VaultSecret;

  public constructor(scope: Construct, id: string, props: ArgoCdWebhookSecretProps) {
    super(scope, id);
    const wave = props.syncWave ?? ApplicationWave.ENVIRONMENTS;
    if (!Number.isInteger(wave) || wave <= ApplicationWave.CLUSTER_BASELINE) {
      throw new Error(`ArgoCdWebhookSecret ${id}: syncWave = ${wave}; its store comes with the cluster baseline in wave ${ApplicationWave.CLUSTER_BASELINE}, so the ExternalSecret must sync later. Fix: leave the default (${ApplicationWave.ENVIRONMENTS})`);
    }
    this.secret = new VaultSecret(this, 'Resource', {
      namespace: ARGOCD_NAMESPACE,
      secretName: ARGOCD_SECRET,
      vaultPath: props.vaultPath,
      keys: [GITHUB_WEBHOOK_SECRET_KEY],
      secretStoreName: props.secretStoreName ?? ARGOCD_SECRET_STORE.storeName,
      mergeIntoExistingSecret: true,
    });
    const resource = ApiObject.of(this.secret.node.defaultChild as Construct);
    resource.metadata.addAnnotation(ARGOCD_SYNC_WAVE, String(wave));
    // The root's first sync runs on a cluster without External Secrets' CRDs (they arrive in
    // wave -2); without this Argo CD refuses the whole sync in its dry-run.
    resource.metadata.addAnnotation('argocd.argoproj.io/sync-options', 'SkipDryRunOnMissingResource=true');
  }
}
