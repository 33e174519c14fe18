import { ARGOCD_NAMESPACE } from './repository';

/**
 * The ClusterSecretStore of Argo CD itself: its own store and Vault role (`generator-platform-argocd`),
 * serving the `argocd` namespace only, like `vault-logging` serves `logging`. It reads the GitHub
 * webhook secret (`ArgoCdWebhookSecret`); the role's Vault policy reads exactly the cluster's
 * `<vaultPathPrefix>/argocd` entry, so no environment's store can reach Argo CD's secret and this
 * store can reach no environment's.
 */
export const ARGOCD_SECRET_STORE = { storeName: 'vault-argocd', role: 'generator-platform-argocd', namespace: ARGOCD_NAMESPACE } as const;
