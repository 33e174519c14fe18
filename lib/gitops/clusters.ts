/** One Kubernetes cluster with its own Argo CD, and what it runs. */
export interface ClusterDefinition {
  /** Names the cluster's folder, `dist/argocd/<name>/`. */
  readonly name: string;
  /** Environments synced from `dist/<environment>/`, one Application each. */
  readonly environments: readonly string[];
  /** Whether pull-request previews (from `dist/preview/`) run on this cluster. */
  readonly runsPreviews: boolean;
  /**
   * Whether Argo CD repairs drift on its own. Production heals too: a manual change there is
   * an incident to be reverted from Git, and an unhealed drift would hide the next diff.
   */
  readonly selfHeal: boolean;
  /**
   * OpenPGP long key IDs (16 upper-case hex digits) of which one must have signed the tip of the
   * tracked branch before Argo CD syncs it: every AppProject of this repository on the cluster lists
   * them as `signatureKeys`. Argo CD's keyring (argocd-gpg-keys-cm) must hold their public keys.
   * @default - none: the cluster deploys unsigned commits
   */
  readonly signatureKeys?: readonly string[];
}
