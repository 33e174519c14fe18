import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ARGOCD_SECRET_STORE } from '../lib/gitops/argocd-secret-store';
import { LOGGING_SECRET_STORE } from '../lib/gitops/logging-secret-store';
import { MONITORING_SECRET_STORE } from '../lib/gitops/monitoring-secret-store';
import { PLATFORM_NAME } from '../lib/platform/labels';
import { CaBundle } from '../lib/security/ca-bundle';
import { VaultSecretStore } from '../lib/security/vault-secret-store';

export interface ClusterBaselineChartProps {
  /** HTTPS address of the cluster's Vault. */
  readonly vaultAddress: string;
  /** PEM of the CA certificate(s) that sign Vault's server certificate. */
  readonly vaultCaBundlePem: string;
}

/**
 * The cluster-scoped objects a cluster needs besides its environments', rendered into
 * `dist/argocd/<cluster>/cluster-baseline/` with theirs: the secret stores of the logging and
 * monitoring stacks and of Argo CD itself (its GitHub webhook secret).
 * Composition only.
 */
export class ClusterBaselineChart extends Chart {
  public readonly loggingSecretStore: VaultSecretStore;
  public readonly monitoringSecretStore: VaultSecretStore;
  public readonly argoCdSecretStore: VaultSecretStore;

  public constructor(scope: Construct, id: string, props: ClusterBaselineChartProps) {
    super(scope, id, { labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME } });
    // The add-ons' stores: one Vault role and one namespace each, like an environment's.
    const addonStore = (storeId: string, store: { readonly storeName: string; readonly role: string; readonly namespace: string }) =>
      new VaultSecretStore(this, storeId, {
        storeName: store.storeName,
        server: props.vaultAddress,
        caBundle: CaBundle.fromPem(props.vaultCaBundlePem),
        role: store.role,
        namespaces: [store.namespace],
      });
    this.loggingSecretStore = addonStore('logging', LOGGING_SECRET_STORE);
    this.monitoringSecretStore = addonStore('monitoring', MONITORING_SECRET_STORE);
    this.argoCdSecretStore = addonStore('argocd', ARGOCD_SECRET_STORE);
  }
}
