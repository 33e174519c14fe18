import { ClusterMonitoring } from '../gitops/grafana-values';
import { ClusterConfig } from './clusters';
import { EnvironmentConfig, EnvironmentName } from './environment-config';
import { loggingEnvironmentOf } from './logging';

/**
 * What a cluster's Grafana is rendered from. `configOf` gives the config of the one environment
 * the cluster's shared stacks belong to (the logs' environment): its Vault KV prefix holds the
 * admin password, `<vaultPathPrefix>/grafana-admin` (property `password`), beside Loki's
 * `<vaultPathPrefix>/loki-object-storage`.
 */
export function monitoringOf(cluster: ClusterConfig, configOf: (environment: EnvironmentName) => Pick<EnvironmentConfig, 'vaultPathPrefix'>): ClusterMonitoring {
  return { grafanaAdminVaultPath: `${configOf(loggingEnvironmentOf(cluster)).vaultPathPrefix}/grafana-admin` };
}
