import { Addon, addonsOf } from '../gitops/addon-catalog';
import { ClusterAddonSizing, checkedAddonSizing } from '../gitops/addon-availability';
import { withHighAvailability } from '../gitops/addon-availability-values';
import { Replicas } from '../platform/replicas';
import { ClusterConfig } from './clusters';
import { EnvironmentConfig, EnvironmentName } from './environment-config';
import { LoggingEnvironmentConfig, loggingOf } from './logging';
import { monitoringOf } from './monitoring';

/** Per-cluster sizing of the add-ons' controllers; the zones come from the cluster's environments. */
export type AddonSizingSettings = Pick<ClusterAddonSizing, 'controllerReplicas' | 'ingressReplicas'>;

/**
 * Keyed by cluster name. Staging and production run over three zones: two copies of every
 * operator and webhook (Kyverno's admission controller three), ingress-nginx from one pod per zone
 * up to three per zone on CPU. Development is one zone, so a zone loss stops it whatever the
 * count, and it carries no SLO: one copy of each (the charts' defaults), which also keeps a drain
 * free of budgets that a single pod would block.
 */
export const ADDON_SIZING: Readonly<Record<string, AddonSizingSettings>> = {
  development: { controllerReplicas: 1, ingressReplicas: Replicas.fixed(1) },
  staging: { controllerReplicas: 2, ingressReplicas: Replicas.autoscaled({ min: 3, max: 9 }) },
  production: { controllerReplicas: 2, ingressReplicas: Replicas.autoscaled({ min: 3, max: 9 }) },
};

/** A cluster's add-on sizing, over the zones of the environments it runs, checked. */
export function addonSizingOf(
  cluster: ClusterConfig,
  configOf: (environment: EnvironmentName) => Pick<EnvironmentConfig, 'zones'>,
  table: Readonly<Record<string, AddonSizingSettings>> = ADDON_SIZING,
): ClusterAddonSizing {
  const settings = table[cluster.name];
  if (!settings) {
    throw new Error(`cluster ${cluster.name}: ADDON_SIZING has no entry. Fix: add one in lib/config/addon-sizing.ts`);
  }
  const zones = [...new Set(cluster.environments.flatMap((environment) => configOf(environment).zones))].sort();
  return checkedAddonSizing({ clusterName: cluster.name, zones, ...settings });
}

/** Every add-on of a cluster as synth renders it: the catalog with the cluster's logging, monitoring and availability. */
export function clusterAddonsOf(cluster: ClusterConfig, configOf: (environment: EnvironmentName) => LoggingEnvironmentConfig & Pick<EnvironmentConfig, 'zones'>): Addon[] {
  return withHighAvailability(addonsOf(loggingOf(cluster, configOf), monitoringOf(cluster, configOf)), addonSizingOf(cluster, configOf));
}
