import { PropError } from '../../platform/prop-error';

/** One node of the plan: which zone set it is in, at which ordinal, and the shard (slot range) it serves. */
export interface PlannedRedisNode {
  readonly zone: string;
  /** The pod's name, `<zone set>-<ordinal>`. */
  readonly podName: string;
  /** The shard, 0 to primaries - 1: primary and replica of one shard serve the same slot range. */
  readonly shard: number;
}

/** One StatefulSet of the plan: the nodes of one zone, its planned primaries first. */
export interface RedisZoneSet {
  readonly zone: string;
  /** `<cluster>-<zone>`: the StatefulSet, and the prefix of its pods' names. */
  readonly name: string;
  /** The nodes of the zone by ordinal. */
  readonly nodes: readonly PlannedRedisNode[];
  /** Ordinals below this are planned primaries; the rest are replicas. */
  readonly primaryOrdinals: number;
}

/** Where every node of the cluster runs and which role it was planned for. */
export interface RedisPlacement {
  /** One per zone that holds a node, in the order of the zones. */
  readonly sets: readonly RedisZoneSet[];
  /** The planned primary of each shard, by shard. */
  readonly primaries: readonly PlannedRedisNode[];
  /** The planned replica of each shard, by shard; empty without replicas. */
  readonly replicas: readonly PlannedRedisNode[];
}

/**
 * The StatefulSet's name is the prefix of its pods' names and of the `controller-revision-hash`
 * label (`<name>-<10 characters>`, at most 63): 52 characters at most.
 */
const MAX_SET_NAME = 52;
const ZONE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Plans the nodes over the zones so that the cluster survives the loss of any one zone: the
 * primary of shard i runs in zone i mod Z and its replica in the next zone, (i + 1) mod Z. So no
 * primary shares a zone with its own replica, and primaries are spread evenly, which matters as
 * much: a replica is promoted only by the votes of a majority of the primaries, so a zone may hold
 * fewer primaries than the others together outnumber it by. With one zone everything runs there.
 */
export function planRedisPlacement(clusterName: string, zones: readonly string[], primaries: number, replicasPerPrimary: number): RedisPlacement {
  const zoneOfPrimary = (shard: number) => shard % zones.length;
  const zoneOfReplica = (shard: number) => (shard + 1) % zones.length;
  const shards = Array.from({ length: primaries }, (_, shard) => shard);
  const sets = zones.map((zone, zoneIndex) => {
    const name = `${clusterName}-${zone}`;
    const primaryShards = shards.filter((shard) => zoneOfPrimary(shard) === zoneIndex);
    const replicaShards = replicasPerPrimary > 0 ? shards.filter((shard) => zoneOfReplica(shard) === zoneIndex) : [];
    const nodes = [...primaryShards, ...replicaShards].map((shard, ordinal): PlannedRedisNode => ({ zone, podName: `${name}-${ordinal}`, shard }));
    return { zone, name, nodes, primaryOrdinals: primaryShards.length };
  });
  const nodeOf = (zoneIndex: number, shard: number, role: 'primary' | 'replica'): PlannedRedisNode => {
    const set = sets[zoneIndex];
    const candidates = role === 'primary' ? set.nodes.slice(0, set.primaryOrdinals) : set.nodes.slice(set.primaryOrdinals);
    return candidates.find((node) => node.shard === shard)!;
  };
  return {
    sets: sets.filter((set) => set.nodes.length > 0),
    primaries: shards.map((shard) => nodeOf(zoneOfPrimary(shard), shard, 'primary')),
    replicas: replicasPerPrimary > 0 ? shards.map((shard) => nodeOf(zoneOfReplica(shard), shard, 'replica')) : [],
  };
}

/**
 * Rejects zones that cannot name a StatefulSet, and, where the cluster has replicas and more than
 * one zone, a shape whose plan would not survive the loss of a zone: after it, the primaries left
 * must be a majority of all (Redis promotes a replica only with a majority's votes).
 */
export function validateRedisPlacement(clusterName: string, zones: readonly string[], primaries: number, replicasPerPrimary: number): void {
  const fail = (prop: string, value: unknown, fix: string): never => {
    throw new PropError(clusterName, prop, value, fix, `RedisCluster ${clusterName}`);
  };
  for (const zone of zones) {
    if (!ZONE_NAME.test(zone) || `${clusterName}-${zone}`.length > MAX_SET_NAME) {
      fail('zones', zones, `each zone names a StatefulSet "${clusterName}-<zone>": use lower-case DNS label zones of at most ${MAX_SET_NAME - clusterName.length - 1} characters (e.g. eu-west-1a)`);
    }
  }
  if (replicasPerPrimary === 0 || zones.length < 2) {
    return;
  }
  if (zones.length === 2) {
    fail('zones', zones, 'use at least 3 zones: with 2, one zone holds at least half of the primaries, and after its loss the rest are no majority to promote their replicas');
  }
  const majority = Math.floor(primaries / 2) + 1;
  const survivors = (count: number) => count - Math.ceil(count / zones.length);
  if (survivors(primaries) < majority) {
    const fits = Array.from({ length: 8 }, (_, step) => primaries + step - 3).filter((count) => count >= 3 && survivors(count) >= Math.floor(count / 2) + 1);
    fail('primaries', primaries, `over ${zones.length} zones one zone would hold ${Math.ceil(primaries / zones.length)} of ${primaries} primaries, and after its loss the rest are no majority (${majority}) to promote their replicas: use ${fits.join(', ')} primaries or more zones`);
  }
}
