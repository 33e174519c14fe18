import { EnvironmentConfig, NodePoolConfig } from './environment-config';
import { isFullSize } from './spec-minimums';

type Fail = (field: string, value: unknown, problem: string, fix: string) => never;

/** What each field holds, for the fix of a value that is not a positive whole number. */
const MEANING: Readonly<Record<keyof NodePoolConfig, string>> = {
  cpuMillis: 'the allocatable CPU of one node in millicores',
  memoryMi: 'the allocatable memory of one node in MiB',
  ephemeralStorageGi: 'the allocatable ephemeral storage of one node in GiB',
  maxPods: 'the kubelet\'s maxPods, e.g. 110',
  minNodesPerZone: 'the nodes per zone the cluster autoscaler keeps',
  maxNodesPerZone: 'the nodes per zone the cluster autoscaler may add up to',
};

/** One pod of the environment as the config sizes it: its name, and where its CPU and memory are set. */
interface PodRequest {
  readonly pod: string;
  readonly cpuField: string;
  readonly cpuMillis: number;
  readonly memoryField: string;
  readonly memoryMi: number;
}

/**
 * Checks the node pool of one environment: whole positive sizes, a maximum not below the minimum,
 * a node in every zone (two where a zone must survive a node drain), and nodes big enough for the
 * largest pod, which would otherwise stay Pending whatever the autoscaler adds.
 */
export function validateNodePool(config: EnvironmentConfig, fail: Fail): void {
  const pool = config.nodePool;
  for (const key of Object.keys(MEANING) as (keyof NodePoolConfig)[]) {
    const value = pool[key];
    // A minimum below 1 has its own reason, below.
    if (!Number.isInteger(value) || (value < 1 && key !== 'minNodesPerZone')) {
      fail(`nodePool.${key}`, value, 'must be a positive whole number', `set nodePool.${key} to ${MEANING[key]}`);
    }
  }
  if (pool.minNodesPerZone < 1) {
    fail('nodePool.minNodesPerZone', pool.minNodesPerZone, 'leaves a zone without a node, yet pods run in every zone of zones (Redis in a StatefulSet pinned to each)', 'set nodePool.minNodesPerZone to at least 1');
  }
  if (pool.maxNodesPerZone < pool.minNodesPerZone) {
    fail('nodePool.maxNodesPerZone', pool.maxNodesPerZone, `is below nodePool.minNodesPerZone (${pool.minNodesPerZone})`, `set nodePool.maxNodesPerZone to at least ${pool.minNodesPerZone}`);
  }
  if (isFullSize(config.name) && pool.minNodesPerZone < 2) {
    fail('nodePool.minNodesPerZone', pool.minNodesPerZone, `${config.name} must keep at least 2 nodes per zone`, 'set nodePool.minNodesPerZone to at least 2, so that a node can be drained (an upgrade, a replacement) in each zone while another keeps running the zone\'s pods: with one, a drain empties the zone');
  }
  const pods = podRequests(config);
  const largestCpu = pods.reduce((a, b) => (b.cpuMillis > a.cpuMillis ? b : a));
  if (largestCpu.cpuMillis > pool.cpuMillis) {
    fail('nodePool.cpuMillis', pool.cpuMillis, `below the largest pod's request, ${largestCpu.pod} with ${largestCpu.cpuMillis}m CPU (${largestCpu.cpuField}), so that pod could never be scheduled`, `use a bigger machine: at least ${largestCpu.cpuMillis} allocatable millicores per node`);
  }
  const largestMemory = pods.reduce((a, b) => (b.memoryMi > a.memoryMi ? b : a));
  if (largestMemory.memoryMi > pool.memoryMi) {
    fail('nodePool.memoryMi', pool.memoryMi, `below the largest pod's request, ${largestMemory.pod} with ${largestMemory.memoryMi}Mi memory (${largestMemory.memoryField}), so that pod could never be scheduled`, `use a bigger machine: at least ${largestMemory.memoryMi} allocatable MiB per node`);
  }
}

/** The pods whose size the config sets, in the order a tie is named. */
function podRequests(config: EnvironmentConfig): PodRequest[] {
  const services = (['web', 'api', 'generator'] as const).map((service) => ({
    pod: service,
    cpuField: `${service}.resources.cpuMillis`,
    cpuMillis: config[service].resources.cpuMillis,
    memoryField: `${service}.resources.memoryMi`,
    memoryMi: config[service].resources.memoryMi,
  }));
  const stores = ([['postgres', 'PostgreSQL'], ['redis', 'Redis'], ['messageBroker', 'RabbitMQ']] as const).map(([block, pod]) => ({
    pod,
    cpuField: `${block}.cpuMillis`,
    cpuMillis: config[block].cpuMillis,
    memoryField: `${block}.memoryMi`,
    memoryMi: config[block].memoryMi,
  }));
  return [...services, ...stores];
}
