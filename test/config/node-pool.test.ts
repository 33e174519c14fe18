import { EnvironmentConfig, EnvironmentName, NodePoolConfig } from '../../lib/config/environment-config';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { find, renderChart } from '../support/kube';

/** The namespace's ResourceQuota as rendered, in the node pool's units. */
interface Quota {
  readonly cpuMillis: number;
  readonly memoryMi: number;
  readonly ephemeralStorageGi: number;
  readonly pods: number;
}

const UNITS: Readonly<Record<string, number>> = { '': 1, m: 1e-3, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

function amount(quantity: string | number): number {
  const match = /^([0-9.]+)(m|Mi|Gi|Ti)?$/.exec(String(quantity));
  if (!match) {
    throw new Error(`not a quantity: ${quantity}`);
  }
  return Number(match[1]) * UNITS[match[2] ?? ''];
}

function quotaOf(config: EnvironmentConfig): Quota {
  const hard = find(renderChart(config), 'ResourceQuota', 'workload-quota').spec.hard;
  return {
    cpuMillis: amount(hard['requests.cpu']) * 1000,
    memoryMi: amount(hard['requests.memory']) / 2 ** 20,
    ephemeralStorageGi: amount(hard['requests.ephemeral-storage']) / 2 ** 30,
    pods: Number(hard.pods),
  };
}

/** What the pool offers with every zone at its maximum but one node per zone held back for a drain. */
function capacityWithSpareNode(pool: NodePoolConfig, zones: number): Quota {
  const nodes = zones * (pool.maxNodesPerZone - 1);
  return { cpuMillis: nodes * pool.cpuMillis, memoryMi: nodes * pool.memoryMi, ephemeralStorageGi: nodes * pool.ephemeralStorageGi, pods: nodes * pool.maxPods };
}

function sum(quotas: readonly Quota[]): Quota {
  const total = (key: keyof Quota) => quotas.reduce((all, quota) => all + quota[key], 0);
  return { cpuMillis: total('cpuMillis'), memoryMi: total('memoryMi'), ephemeralStorageGi: total('ephemeralStorageGi'), pods: total('pods') };
}

function expectToHold(capacity: Quota, needed: Quota): void {
  for (const key of Object.keys(needed) as (keyof Quota)[]) {
    expect({ [key]: capacity[key] >= needed[key] ? 'fits' : `${capacity[key]} < ${needed[key]}` }).toEqual({ [key]: 'fits' });
  }
}

describe('each cluster\'s node pool at its autoscaler maximum holds what its namespaces may request, with a node per zone to spare', () => {
  test.each([EnvironmentName.PRODUCTION, EnvironmentName.STAGING])('%s: its ResourceQuota fits on zones x (maxNodesPerZone - 1) nodes', (name) => {
    const config = ENVIRONMENTS[name];
    expectToHold(capacityWithSpareNode(config.nodePool, config.zones.length), quotaOf(config));
  });

  test('development cluster: development and one preview at full quota fit on the node group they share', () => {
    const development = ENVIRONMENTS[EnvironmentName.DEVELOPMENT];
    const preview = ENVIRONMENTS[EnvironmentName.PREVIEW];
    // Previews run on the development cluster: one node group, so one pool in both configs.
    expect(preview.nodePool).toEqual(development.nodePool);
    expect(preview.zones).toEqual(development.zones);
    expectToHold(capacityWithSpareNode(development.nodePool, development.zones.length), sum([quotaOf(development), quotaOf(preview)]));
  });
});
