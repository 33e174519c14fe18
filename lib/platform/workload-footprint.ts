/**
 * The most a workload can ask of its namespace at once, rollout surge included. The namespace
 * baseline sums these into its ResourceQuota and LimitRange, so the quota follows the workloads.
 */
export interface WorkloadFootprint {
  /** Pods at the autoscaler's maximum plus the pods a rolling update adds on top. */
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
