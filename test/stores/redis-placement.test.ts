import { planRedisPlacement, validateRedisPlacement } from '../../lib/stores/redis/redis-placement';

const zonesOf = (count: number) => ['a', 'b', 'c', 'd', 'e'].slice(0, count);

/** Every shape the construct accepts with replicas over 3 to 5 zones. */
const ACCEPTED_SHAPES = [3, 4, 5].flatMap((zoneCount) =>
  Array.from({ length: 10 }, (_, index) => index + 3)
    .filter((primaries) => {
      try {
        validateRedisPlacement('redis', zonesOf(zoneCount), primaries, 1);
        return true;
      } catch {
        return false;
      }
    })
    .map((primaries) => [zoneCount, primaries] as const),
);

describe('planRedisPlacement', () => {
  test('production, 3 primaries with a replica each over 3 zones: a StatefulSet of 2 per zone, its primary at ordinal 0, the replica of the previous zone\'s primary at 1', () => {
    const plan = planRedisPlacement('redis', ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], 3, 1);
    expect(plan.sets.map((set) => [set.name, set.nodes.map((node) => node.podName), set.primaryOrdinals])).toEqual([
      ['redis-eu-west-1a', ['redis-eu-west-1a-0', 'redis-eu-west-1a-1'], 1],
      ['redis-eu-west-1b', ['redis-eu-west-1b-0', 'redis-eu-west-1b-1'], 1],
      ['redis-eu-west-1c', ['redis-eu-west-1c-0', 'redis-eu-west-1c-1'], 1],
    ]);
    expect(plan.primaries.map((node) => node.podName)).toEqual(['redis-eu-west-1a-0', 'redis-eu-west-1b-0', 'redis-eu-west-1c-0']);
    expect(plan.replicas.map((node) => node.podName)).toEqual(['redis-eu-west-1b-1', 'redis-eu-west-1c-1', 'redis-eu-west-1a-1']);
  });

  test('development, 3 primaries without replicas in one zone: one StatefulSet of 3 primaries', () => {
    const plan = planRedisPlacement('redis', ['eu-west-1a'], 3, 0);
    expect(plan.sets.map((set) => [set.name, set.nodes.length, set.primaryOrdinals])).toEqual([['redis-eu-west-1a', 3, 3]]);
    expect(plan.replicas).toEqual([]);
  });

  test('a zone that would hold no node gets no StatefulSet', () => {
    expect(planRedisPlacement('redis', zonesOf(4), 3, 0).sets.map((set) => set.zone)).toEqual(['a', 'b', 'c']);
  });

  test.each(ACCEPTED_SHAPES)('over %i zones with %i primaries: no zone\'s loss takes both copies of a shard or a majority of the primaries', (zoneCount, primaries) => {
    const plan = planRedisPlacement('redis', zonesOf(zoneCount), primaries, 1);
    expect(plan.sets.flatMap((set) => set.nodes)).toHaveLength(2 * primaries);
    for (const lost of zonesOf(zoneCount)) {
      const survivingPrimaries = plan.primaries.filter((node) => node.zone !== lost).length;
      expect({ lost, survivingPrimaries: survivingPrimaries > primaries / 2 }).toEqual({ lost, survivingPrimaries: true });
      for (let shard = 0; shard < primaries; shard++) {
        expect([plan.primaries[shard].zone, plan.replicas[shard].zone].some((zone) => zone !== lost)).toBe(true);
      }
    }
    // Within a set the planned primaries come first: the role script knows them by ordinal.
    for (const set of plan.sets) {
      expect(set.nodes.slice(0, set.primaryOrdinals).every((node) => plan.primaries.includes(node))).toBe(true);
    }
  });

  test('the accepted shapes include every count of primaries from 3 over 4 and 5 zones, and over 3 zones all but 4', () => {
    expect(ACCEPTED_SHAPES.filter(([zoneCount]) => zoneCount === 3).map(([, primaries]) => primaries)).toEqual([3, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(ACCEPTED_SHAPES.filter(([zoneCount]) => zoneCount === 4)).toHaveLength(10);
  });
});
