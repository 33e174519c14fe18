/** Per-pod resources. Requests equal limits, so every pod is in the Guaranteed QoS class. */
export interface PodResources {
  readonly cpuMillis: number;
  readonly memoryMi: number;
  /** Disk per pod: ephemeral storage for web and api, the workspace volume for the generator. */
  readonly storageGi: number;
}
