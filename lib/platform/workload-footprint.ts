/**
 * The most a workload can ask of its namespace at once, release surge included: every ReplicaSet
 * that can run at once, those of two releases that overlap too. The namespace baseline sums these
 * into its ResourceQuota and LimitRange, so the quota follows the workloads.
 */
export interface WorkloadFootprint {
  /**
   * Pods at the autoscaler's maximum plus the pods a release adds on top: a rolling update's surge,
   * or for a blue-green or routed canary Rollout two more full sets; a canary without traffic routing
   * stays within the rolling update's surge (DeliveryStrategy.maxPodsDuringRelease).
   */
  readonly maxPods: number;
  /** Requests and limits of one pod (equal: every pod is Guaranteed QoS). */
  readonly podCpuMillis: number;
  readonly podMemoryMi: number;
  readonly podEphemeralStorageGi: number;
  /** Storage one pod claims through PersistentVolumeClaims (generic ephemeral volumes included). */
  readonly podClaimStorageGi: number;
  readonly podClaimCount: number;
  /** The largest single container, for the LimitRange maximum. */
  readonly largestContainerCpuMillis: number;
  readonly largestContainerMemoryMi: number;
  readonly largestClaimGi: number;
}

/** Anything that runs pods in a namespace and reports its footprint. */
export interface IWorkload {
  readonly footprint: WorkloadFootprint;
}

/** What one container per pod, without volume claims, asks of its namespace. */
export interface SingleContainerPods {
  /** Pods at most, surge included. */
  readonly maxPods: number;
  readonly cpuMillis: number;
  readonly memoryMi: number;
  readonly ephemeralStorageGi: number;
}

/** The footprint of pods that run one container and claim no volume: the pod is its container. */
export function singleContainerFootprint(pods: SingleContainerPods): WorkloadFootprint {
  return {
    maxPods: pods.maxPods,
    podCpuMillis: pods.cpuMillis,
    podMemoryMi: pods.memoryMi,
    podEphemeralStorageGi: pods.ephemeralStorageGi,
    podClaimStorageGi: 0,
    podClaimCount: 0,
    largestContainerCpuMillis: pods.cpuMillis,
    largestContainerMemoryMi: pods.memoryMi,
    largestClaimGi: 0,
  };
}
