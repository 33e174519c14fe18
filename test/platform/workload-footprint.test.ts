import { singleContainerFootprint } from '../../lib/platform/workload-footprint';

describe('singleContainerFootprint', () => {
  test('a pod of one container without claims: the container is the largest, and nothing is claimed', () => {
    expect(singleContainerFootprint({ maxPods: 3, cpuMillis: 250, memoryMi: 512, ephemeralStorageGi: 1 })).toEqual({
      maxPods: 3,
      podCpuMillis: 250,
      podMemoryMi: 512,
      podEphemeralStorageGi: 1,
      podClaimStorageGi: 0,
      podClaimCount: 0,
      largestContainerCpuMillis: 250,
      largestContainerMemoryMi: 512,
      largestClaimGi: 0,
    });
  });
});
