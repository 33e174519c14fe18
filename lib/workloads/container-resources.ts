import { k8s } from 'cdk8s-plus-27';
import { cpuQuantity, memoryQuantity } from '../platform/quantities';

/**
 * Requests equal to limits for one container, so that its pod is in the Guaranteed QoS class:
 * never throttled below what it asked for, never evicted for using what it was given.
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/#guaranteed
 */
export function guaranteedResources(cpuMillis: number, memoryMi: number, ephemeralStorage: k8s.Quantity): k8s.ResourceRequirements {
  const quantities = { 'cpu': cpuQuantity(cpuMillis), 'memory': memoryQuantity(memoryMi), 'ephemeral-storage': ephemeralStorage };
  return { requests: quantities, limits: quantities };
}
