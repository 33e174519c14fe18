import { cpuQuantity, gibibytes, memoryQuantity } from '../../platform/quantities';

/** What one container gets; requests equal limits (Guaranteed QoS). */
export interface ContainerResources {
  readonly cpuMillis: number;
  readonly memoryMi: number;
  readonly ephemeralStorageGi: number;
}

/**
 * The cpu, memory and ephemeral-storage map of a container, typed for a generated CRD (each
 * generated resource map has its own quantity class, hence `convert`).
 */
export function resourceMap<T>(resources: ContainerResources, convert: (quantity: string) => T): Record<string, T> {
  return {
    'cpu': convert(String(cpuQuantity(resources.cpuMillis).value)),
    'memory': convert(String(memoryQuantity(resources.memoryMi).value)),
    'ephemeral-storage': convert(String(gibibytes(resources.ephemeralStorageGi).value)),
  };
}
