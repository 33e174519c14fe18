import { App } from 'cdk8s';
import { ClusterBaselineChart } from '../../charts/cluster-baseline-chart';
import { CLUSTERS } from '../../lib/config/clusters';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { loggingEnvironmentOf } from '../../lib/config/logging';
import { FOUNDATION_ADDON_WAVE } from '../../lib/gitops/addon-catalog';
import { ApplicationWave } from '../../lib/gitops/application-waves';
import { GRAFANA_ADMIN_SECRET, GRAFANA_RELEASE } from '../../lib/gitops/grafana-values';
import { MONITORING_SECRET_STORE } from '../../lib/gitops/monitoring-secret-store';
import { clusterAddons } from './fixtures';

/** Every string anywhere in a values tree, keys included. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') {
    return [value];
  }
  if (Array.isArray(value)) {
    return value.flatMap(stringsOf);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, inner]) => [key, ...stringsOf(inner)]);
  }
  return [];
}

describe.each(CLUSTERS.map((c) => [c.name, c] as const))("Grafana's admin credentials on the %s cluster", (clusterName, cluster) => {
  const addons = clusterAddons(cluster);
  const grafana = addons.find((a) => a.name === GRAFANA_RELEASE)!;
  const kubePrometheusStack = addons.find((a) => a.name === 'kube-prometheus-stack')!;
  const values = grafana.helmValues as any;

  test('Grafana is the grafana chart 7.3.7 (the one kube-prometheus-stack 57.2.1 bundles) in monitoring; kube-prometheus-stack renders no Grafana of its own', () => {
    expect(grafana).toMatchObject({ repoUrl: 'https://grafana.github.io/helm-charts', chart: 'grafana', targetRevision: '7.3.7', namespace: 'monitoring' });
    expect((kubePrometheusStack.helmValues as any).grafana).toMatchObject({ enabled: false, forceDeployDatasources: true, forceDeployDashboards: true });
  });

  test('reads the admin user and password from the Secret of an ExternalSecret, and no value names a password', () => {
    expect(values.admin).toEqual({ existingSecret: GRAFANA_ADMIN_SECRET, userKey: 'username', passwordKey: 'password' });
    for (const addon of [grafana, kubePrometheusStack]) {
      expect(stringsOf(addon.helmValues).filter((s) => /^adminPassword$|prom-operator/.test(s))).toEqual([]);
    }
  });

  test("the ExternalSecret reads the owning environment's Vault entry through the monitoring store and writes the keys Grafana reads", () => {
    const secrets = (values.extraObjects as any[]).filter((o) => o.kind === 'ExternalSecret');
    expect(secrets).toHaveLength(1);
    const [secret] = secrets;
    const vaultPath = `${ENVIRONMENTS[loggingEnvironmentOf(cluster)].vaultPathPrefix}/grafana-admin`;
    expect(vaultPath).toBe(`generator-platform/${clusterName}/grafana-admin`);
    expect(secret).toMatchObject({
      metadata: { name: GRAFANA_ADMIN_SECRET, namespace: MONITORING_SECRET_STORE.namespace, labels: { 'app.kubernetes.io/part-of': 'generator-platform' } },
      spec: {
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault-monitoring' },
        target: { name: GRAFANA_ADMIN_SECRET, template: { type: 'kubernetes.io/basic-auth', data: { username: 'admin' } } },
        data: [{ secretKey: 'password', remoteRef: { key: vaultPath, property: 'password' } }],
      },
    });
    // Helm, not cdk8s, applies it.
    expect(secret.metadata.labels['app.kubernetes.io/managed-by']).toBeUndefined();
  });

  test('syncs after the wave of the cluster baseline that brings the store, while kube-prometheus-stack keeps the first wave for its CRDs', () => {
    expect(grafana.syncWave).toBeGreaterThan(ApplicationWave.CLUSTER_BASELINE);
    expect(grafana.syncWave).toBeLessThan(ApplicationWave.ENVIRONMENTS);
    expect(kubePrometheusStack.syncWave).toBe(FOUNDATION_ADDON_WAVE);
  });
});

describe('the vault-monitoring store', () => {
  test('is rendered with the cluster baseline: Vault role generator-platform-monitoring, the monitoring namespace only', () => {
    const chart = new ClusterBaselineChart(new App(), 'baseline', { vaultAddress: ENVIRONMENTS.production.vaultAddress, vaultCaBundlePem: ENVIRONMENTS.production.vaultCaBundlePem });
    const store = chart.toJson().find((o: any) => o.kind === 'ClusterSecretStore' && o.metadata.name === MONITORING_SECRET_STORE.storeName);
    expect(store.spec.provider.vault.auth.kubernetes.role).toBe('generator-platform-monitoring');
    expect(store.spec.conditions).toEqual([{ namespaces: ['monitoring'] }]);
    expect(chart.monitoringSecretStore.storeName).toBe('vault-monitoring');
  });
});
