import { NodePoolConfig } from '../../lib/config/environment-config';
import { record } from './json';
import { RenderedObject } from './manifests';
import { Demand, peakDemand, quantity, Resource, RESOURCES } from './peak-demand';

/** One resource of one environment at its peak: against the namespace quota and the node pool. */
export interface ResourceCapacity {
  readonly resource: Resource;
  /** Pods, cores or bytes: every autoscaler at its maximum with back-to-back releases in flight (peak-demand.ts). */
  readonly peak: number;
  readonly quota: number;
  /** What one node offers pods (allocatable, lib/config/environments/node-pools.ts). */
  readonly perNode: number;
  /** Nodes per zone the peak needs, spread evenly over the zones. */
  readonly nodesPerZone: number;
  readonly maxNodesPerZone: number;
  /** What the surviving zones at their maximum offer beyond the peak, as a share of it (negative: short). */
  readonly headroomAfterZoneLoss: number;
}

export interface CapacityReport {
  readonly environment: string;
  readonly zones: number;
  readonly resources: readonly ResourceCapacity[];
  /** One line per broken limit, naming the setting; empty when the peak fits. */
  readonly failures: readonly string[];
}

const QUOTA_KEYS: Readonly<Record<Resource, string>> = { 'pods': 'pods', 'cpu': 'requests.cpu', 'memory': 'requests.memory', 'ephemeral-storage': 'requests.ephemeral-storage' };

function perNode(pool: NodePoolConfig, resource: Resource): number {
  switch (resource) {
    case 'pods': return pool.maxPods;
    case 'cpu': return pool.cpuMillis / 1000;
    case 'memory': return pool.memoryMi * 2 ** 20;
    default: return pool.ephemeralStorageGi * 2 ** 30;
  }
}

/**
 * The capacity of one environment: `objects` are its rendered objects (plus its cluster's
 * ClusterIssuers, whose HTTP-01 solver pods run in the namespace), `pool` and `zones` its config.
 * Undefined without the namespace's `workload-quota`.
 */
export function capacityOf(environment: string, objects: readonly RenderedObject[], pool: NodePoolConfig, zones: number): CapacityReport | undefined {
  const quotaObject = objects.find((o) => o.kind === 'ResourceQuota' && o.name === 'workload-quota');
  if (quotaObject === undefined) {
    return undefined;
  }
  const hard = record(record(quotaObject.body.spec).hard);
  const peak: Demand = peakDemand(objects.map((o) => o.body));
  const failures: string[] = [];
  const resources = RESOURCES.map((resource) => {
    const quota = quantity(hard[QUOTA_KEYS[resource]] as string | number | undefined);
    const node = perNode(pool, resource);
    const nodesPerZone = Math.ceil(peak[resource] / (zones * node) - 1e-9);
    const survivors = (zones - 1) * pool.maxNodesPerZone * node;
    if (peak[resource] > quota) {
      failures.push(`${environment}: peak ${resource} ${format(resource, peak[resource])} exceeds ResourceQuota/workload-quota ${QUOTA_KEYS[resource]} ${format(resource, quota)}: pods would not be admitted`);
    }
    if (nodesPerZone > pool.maxNodesPerZone) {
      failures.push(`${environment}: peak ${resource} needs ${nodesPerZone} nodes per zone, nodePool.maxNodesPerZone is ${pool.maxNodesPerZone} (lib/config/environments/node-pools.ts)`);
    }
    return { resource, peak: peak[resource], quota, perNode: node, nodesPerZone, maxNodesPerZone: pool.maxNodesPerZone, headroomAfterZoneLoss: peak[resource] === 0 ? Infinity : survivors / peak[resource] - 1 };
  });
  return { environment, zones, resources, failures };
}

/** A resource's amount in the unit a quota shows it in. */
export function format(resource: Resource, value: number): string {
  if (resource === 'memory' || resource === 'ephemeral-storage') {
    return `${Math.round((value / 2 ** 30) * 10) / 10}Gi`;
  }
  return `${Math.round(value * 10) / 10}`;
}

/** The capacity table of one environment. */
export function formatCapacity(report: CapacityReport): string[] {
  const header = ['resource', 'peak', 'quota', 'per node', 'nodes/zone needed', 'pool max/zone', 'after zone loss'];
  const rows = report.resources.map((r) => [
    r.resource,
    format(r.resource, r.peak),
    `${format(r.resource, r.quota)} (${Math.round((r.peak / r.quota) * 100)}% used)`,
    format(r.resource, r.perNode),
    String(r.nodesPerZone),
    String(r.maxNodesPerZone),
    afterZoneLoss(report.zones, r.headroomAfterZoneLoss),
  ]);
  return [`  capacity (${report.zones} zones; peak = every autoscaler at its maximum, back-to-back releases in flight)`, ...table(header, rows)];
}

/** The surviving zones' spare capacity beyond the peak; with one zone there is nothing after its loss. */
function afterZoneLoss(zones: number, headroom: number): string {
  if (zones < 2) {
    return 'one zone: none';
  }
  if (!Number.isFinite(headroom)) {
    return '-';
  }
  return `${headroom >= 0 ? '+' : ''}${Math.round(headroom * 100)}%${headroom < 0 ? ' SHORT' : ''}`;
}

/** Left-aligned first column, right-aligned numbers, as the release-time table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const render = (cells: readonly string[]) => `    ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')}`.trimEnd();
  return [render(header), ...rows.map(render)];
}
