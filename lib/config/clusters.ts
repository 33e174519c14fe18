import { ClusterDefinition } from '../gitops/clusters';
import { EnvironmentName } from './environment-config';

/** A cluster as the config describes it: the environments it runs are environment names. */
export interface ClusterConfig extends ClusterDefinition {
  readonly environments: readonly EnvironmentName[];
}

/** The three clusters. Previews share the development cluster, each in its own namespace. */
export const CLUSTERS: readonly ClusterConfig[] = [
  { name: 'development', environments: [EnvironmentName.DEVELOPMENT], runsPreviews: true, selfHeal: true },
  { name: 'staging', environments: [EnvironmentName.STAGING], runsPreviews: false, selfHeal: true },
  { name: 'production', environments: [EnvironmentName.PRODUCTION], runsPreviews: false, selfHeal: true },
];
