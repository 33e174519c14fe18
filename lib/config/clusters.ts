import { ClusterDefinition } from '../gitops/clusters';
import { EnvironmentName } from './environment-config';
import { signatureKeysOf } from './commit-signers';

/** A cluster as the config describes it: the environments it runs are environment names. */
export interface ClusterConfig extends ClusterDefinition {
  readonly environments: readonly EnvironmentName[];
}

/** A cluster with the signers of its environments (lib/config/commit-signers.yaml) as its signatureKeys. */
function cluster(definition: Omit<ClusterConfig, 'signatureKeys'>): ClusterConfig {
  return { ...definition, signatureKeys: signatureKeysOf(definition.environments) };
}

/** The three clusters. Previews share the development cluster, each in its own namespace. */
export const CLUSTERS: readonly ClusterConfig[] = [
  cluster({ name: 'development', environments: [EnvironmentName.DEVELOPMENT], runsPreviews: true, selfHeal: true }),
  cluster({ name: 'staging', environments: [EnvironmentName.STAGING], runsPreviews: false, selfHeal: true }),
  cluster({ name: 'production', environments: [EnvironmentName.PRODUCTION], runsPreviews: false, selfHeal: true }),
];
