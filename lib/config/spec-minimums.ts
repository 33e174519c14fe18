import { EnvironmentName } from './environment-config';
import { PodResources } from '../platform/pod-resources';

/** The platform specification's per-pod resources, the floor for every full-size environment. */
export const SPEC_RESOURCES: Readonly<Record<'web' | 'api' | 'generator', PodResources>> = {
  web: { cpuMillis: 2000, memoryMi: 4096, storageGi: 20 },
  api: { cpuMillis: 2000, memoryMi: 4096, storageGi: 20 },
  generator: { cpuMillis: 4000, memoryMi: 8192, storageGi: 40 },
};

/** The specification's RabbitMQ 3.12 cluster: 2 CPU / 4Gi per node, three nodes for quorum queues. */
export const SPEC_MESSAGE_BROKER = { replicas: 3, cpuMillis: 2000, memoryMi: 4096 } as const;

/** The specification's PostgreSQL 15.4: 4 CPU / 8Gi / 100Gi, highly available (a primary and two standbys). */
export const SPEC_POSTGRES = { instances: 3, cpuMillis: 4000, memoryMi: 8192, storageGi: 100 } as const;

/** The specification's Redis 7.0 cluster: 3 primaries of 2 CPU / 4Gi; one replica each so a primary can fail over. */
export const SPEC_REDIS = { primaries: 3, replicasPerPrimary: 1, cpuMillis: 2000, memoryMi: 4096 } as const;

/** The specification's floor for replicas (the autoscaler's minimum) in full-size environments. */
export const SPEC_MIN_REPLICAS = 2;

/**
 * THE ONE PLACE that lets an environment run below the specification.
 * Development and preview are throw-away and cost-bound: they may run one replica, smaller pods,
 * a single zone and images by tag. Every other environment must meet the specification in full,
 * and must pin images by digest. Adding an environment here is a decision to review, not a detail.
 */
export const REDUCED_FOOTPRINT_ENVIRONMENTS: readonly EnvironmentName[] = [
  EnvironmentName.DEVELOPMENT,
  EnvironmentName.PREVIEW,
];

export function isFullSize(name: EnvironmentName): boolean {
  return !REDUCED_FOOTPRINT_ENVIRONMENTS.includes(name);
}
