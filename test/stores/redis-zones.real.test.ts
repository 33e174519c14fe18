import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { RedisProcess, runScript, startRedisNodes, stopRedis } from './support/redis-servers';
import { renderRedis, RedisTestEnvironment } from './support/redis-node-harness';
import { keyForEverySlot, SLOT_COUNT } from './support/redis-slots';
import { errorsOf, served, ZonedRedisNodes } from './support/redis-topology';

/**
 * Redis in three zones, as production runs it (3 primaries with a replica each), on real
 * redis-server 7.0 processes with the rendered configuration and scripts: each node is given the
 * zone of the rendered pod it stands for, and a zone's loss is every node of it killed at once
 * (SIGKILL, as a zone's machines vanish). Before: how `redis-cli --cluster create`, which the
 * bootstrap ran until now, pairs primaries and replicas. After: the rendered placement.
 */

const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const READY_TIMEOUT_MS = 30000;
const SCRIPT_TIMEOUT_MS = 40000;
/** Bound of a failover: the rendered node timeout (5 s) marks a node failed, then the election; each wait ends as soon as it is done. */
const FAILOVER_TIMEOUT_MS = 40000;
/** Whether the node has written its node user's password and answers PING as that user. */
const ANSWERS = (env: RedisTestEnvironment) => (node: RedisProcess) => fs.existsSync(path.join(node.dir, 'run', 'node.auth')) && env.nodeCli(node, 'ping').trim() === 'PONG';

/** A key per slot, under the api's prefix: a client that reads and writes each of them has used every slot. */
const KEYS = keyForEverySlot('api:');

describe('before: redis-cli --cluster create pairs primaries and replicas by position and knows nothing of zones', () => {
  const env = new RedisTestEnvironment(renderRedis({ zones: ZONES }));
  let nodes: RedisProcess[] = [];

  afterAll(async () => {
    try {
      await Promise.all(nodes.map(stopRedis));
    } finally {
      env.remove();
    }
  });

  test('it makes redis-0..2 the primaries of redis-4, 5, 3; in 4 of the 6 placements a strict zone spread allows (42 of 90 placements two per zone), a primary shares its zone with its replica, and losing that zone stopped every slot', async () => {
    nodes = await startRedisNodes(6, (port) => env.startNode(port), ANSWERS(env), READY_TIMEOUT_MS, () => 'the nodes did not answer PING');
    // The bootstrap user as it was: redis-cli assigns slots with CLUSTER ADDSLOTS.
    for (const node of nodes) {
      expect(env.nodeCli(node, 'acl', 'setuser', 'bootstrap', '+cluster|addslots').trim()).toBe('OK');
    }
    // redis-cli tells hosts apart by the name it is given (clusterManagerCommandCreate compares
    // node->ip), as the pods' DNS names were: six spellings of 127.0.0.1, in ordinal order as the old bootstrap passed them.
    const hosts = ['127.0.0.1', 'localhost', '127.1', '127.0.1', '2130706433', '0x7f000001'];
    const create = spawnSync('redis-cli', [
      '--tls', '--cacert', env.caFile, '--user', 'bootstrap', '--cluster', 'create', ...nodes.map((node, ordinal) => `${hosts[ordinal]}:${node.port}`), '--cluster-replicas', '1', '--cluster-yes',
    ], { env: { PATH: process.env.PATH, REDISCLI_AUTH: env.passwords.bootstrap }, encoding: 'utf8', timeout: SCRIPT_TIMEOUT_MS });
    expect({ status: create.status, output: create.stdout + create.stderr }).toMatchObject({ status: 0 });

    // Which ordinal follows which, from the cluster itself.
    const byOrdinal = new ZonedRedisNodes(env, nodes, nodes.map(() => ''));
    await byOrdinal.waitUntil(() => byOrdinal.healthy() && byOrdinal.view().filter((node) => !node.primary).length === 3, READY_TIMEOUT_MS, 'the cluster did not form');
    const view = byOrdinal.view();
    const ordinalOf = (id: string) => nodes.findIndex((node) => node.port === view.find((entry) => entry.id === id)!.port);
    const pairs = view.filter((entry) => !entry.primary).map((replica) => [ordinalOf(replica.follows), ordinalOf(replica.id)]).sort();
    expect(pairs).toEqual([[0, 4], [1, 5], [2, 3]]);

    // Where the scheduler puts the ordinals is out of the bootstrap's hands. Scheduled in ordinal
    // order under the strict spread (maxSkew 1), redis-0..2 land in three zones and redis-3..5 in
    // any permutation of them; without an order, any two-per-zone placement.
    const sharesZone = (zoneOf: readonly number[]) => pairs.some(([primary, replica]) => zoneOf[primary] === zoneOf[replica]);
    const survivesZoneLoss = (zoneOf: readonly number[]) => !sharesZone(zoneOf) && new Set(pairs.map(([primary]) => zoneOf[primary])).size === 3;
    const permutations = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    const ordered = permutations.map((rest) => [0, 1, 2, ...rest]);
    const twoPerZone: number[][] = [];
    for (let code = 0; code < 3 ** 6; code++) {
      const zoneOf = Array.from({ length: 6 }, (_, ordinal) => Math.floor(code / 3 ** ordinal) % 3);
      if ([0, 1, 2].every((zone) => zoneOf.filter((z) => z === zone).length === 2)) {
        twoPerZone.push(zoneOf);
      }
    }
    expect({ ordered: ordered.filter(sharesZone).length, twoPerZone: twoPerZone.filter(sharesZone).length, total: twoPerZone.length }).toEqual({ ordered: 4, twoPerZone: 42, total: 90 });
    // Only these survive a zone loss: every primary in its own zone, none beside its replica.
    expect({ ordered: ordered.filter(survivesZoneLoss).length, twoPerZone: twoPerZone.filter(survivesZoneLoss).length }).toEqual({ ordered: 2, twoPerZone: 12 });

    // One such placement for real, with the full coverage the nodes required until now.
    const placement = ordered.find(sharesZone)!;
    const zoned = new ZonedRedisNodes(env, nodes, placement.map((zone) => ZONES[zone]));
    expect((await zoned.everySlot((slot) => ['SET', KEYS[slot], 'before'])).filter((reply) => reply.value === 'OK')).toHaveLength(SLOT_COUNT);
    await zoned.waitUntil(() => zoned.replicasInSync(), READY_TIMEOUT_MS, 'the replicas did not catch up');
    for (const node of nodes) {
      expect(env.nodeCli(node, 'config', 'set', 'cluster-require-full-coverage', 'yes').trim()).toBe('OK');
    }
    const [lostZone] = zoned.pairs().filter((pair) => pair.replicaZones.includes(pair.primaryZone)).map((pair) => pair.primaryZone);
    await killZone(zoned, lostZone);
    await zoned.waitUntil(() => zoned.alive().every((node) => env.nodeCli(node, 'cluster', 'info').includes('cluster_state:fail')), FAILOVER_TIMEOUT_MS, 'the survivors did not notice');
    const afterLoss = await zoned.everySlot((slot) => ['GET', KEYS[slot]]);
    expect({ served: served(afterLoss), errors: errorsOf(afterLoss) }).toEqual({ served: 0, errors: ['CLUSTERDOWN The cluster is down'] });
    // Without full coverage, the other shards would have served theirs; the lost shard's third never.
    for (const node of zoned.alive()) {
      env.nodeCli(node, 'config', 'set', 'cluster-require-full-coverage', 'no');
    }
    await zoned.waitUntil(() => zoned.alive().every((node) => env.nodeCli(node, 'cluster', 'info').includes('cluster_state:ok')), FAILOVER_TIMEOUT_MS, 'the survivors did not serve again');
    const partly = await zoned.everySlot((slot) => ['GET', KEYS[slot]]);
    expect(served(partly)).toBeGreaterThan(10900);
    expect(served(partly)).toBeLessThan(SLOT_COUNT);
  }, 120000);
});

describe('after: the rendered placement over three zones, on real redis-server 7.0 processes', () => {
  const env = new RedisTestEnvironment(renderRedis({ zones: ZONES }));
  const planned = env.rendered.nodes;
  const nodes: RedisProcess[] = [];
  const zoned = new ZonedRedisNodes(env, nodes, planned.map((node) => node.zone));
  const podEnv = (index: number) => env.podEnv(planned[index]);
  /** The planned primaries are primaries (which a primary's takeover watch restores), one per zone, none beside its replica. */
  const asPlanned = () => {
    const pairs = zoned.pairs();
    return zoned.healthy() &&
      pairs.length === 3 &&
      new Set(pairs.map((pair) => pair.primaryZone)).size === 3 &&
      pairs.every((pair) => pair.replicaZones.length === 1 && pair.replicaZones[0] !== pair.primaryZone) &&
      zoned.view().every((node) => {
        const plan = planned[nodes.findIndex((n) => n.port === node.port)];
        return node.primary === Number(plan.podName.split('-').pop()) < Number(plan.primaryOrdinals);
      });
  };
  let bootstrap: { status: number | null; output: string };

  beforeAll(async () => {
    nodes.push(...(await startRedisNodes(6, (port, index) => env.startNode(port, undefined, podEnv(index)), ANSWERS(env), READY_TIMEOUT_MS, () => 'the nodes did not answer PING')));
    bootstrap = await runScript(env.scriptFile('bootstrap-cluster.sh'), env.bootstrapEnv(nodes.map((node) => node.port)), SCRIPT_TIMEOUT_MS);
    await zoned.waitUntil(() => zoned.healthy() && zoned.replicasInSync(), READY_TIMEOUT_MS, `the cluster did not form:\n${bootstrap?.output}`);
  }, READY_TIMEOUT_MS * 2 + SCRIPT_TIMEOUT_MS);

  afterAll(async () => {
    try {
      await Promise.all(nodes.map(stopRedis));
    } finally {
      env.remove();
    }
  });

  test('the plan: a StatefulSet per zone; shard i\'s primary in zone i, its replica in zone i + 1', () => {
    expect(planned.map((node) => [node.podName, node.zone])).toEqual(ZONES.flatMap((zone) => [[`redis-${zone}-0`, zone], [`redis-${zone}-1`, zone]]));
    const address = (pod: string) => `${pod}.redis-headless.apps.svc.cluster.local:6379`;
    expect(env.rendered.bootstrapEnv.REDIS_PRIMARIES).toBe(ZONES.map((zone) => address(`redis-${zone}-0`)).join(' '));
    expect(env.rendered.bootstrapEnv.REDIS_REPLICAS).toBe(['eu-west-1b', 'eu-west-1c', 'eu-west-1a'].map((zone) => address(`redis-${zone}-1`)).join(' '));
  });

  test('the bootstrap forms it so: one primary per zone, each replica in another zone than its primary, every slot written and read', async () => {
    expect({ status: bootstrap.status, output: bootstrap.output }).toMatchObject({ status: 0, output: expect.stringContaining('as planned') });
    expect(asPlanned()).toBe(true);
    expect(zoned.pairs().map((pair) => [pair.primaryZone, ...pair.replicaZones]).sort()).toEqual([
      ['eu-west-1a', 'eu-west-1b'], ['eu-west-1b', 'eu-west-1c'], ['eu-west-1c', 'eu-west-1a'],
    ]);
    expect(served(await zoned.everySlot((slot) => ['SET', KEYS[slot], 'formed']))).toBe(SLOT_COUNT);
    const read = await zoned.everySlot((slot) => ['GET', KEYS[slot]]);
    expect(read.filter((reply) => reply.value === 'formed')).toHaveLength(SLOT_COUNT);
  }, 60000);

  test.each(ZONES)('losing every node of %s: its primary\'s replica is promoted elsewhere, every slot is read and written; back, its planned primary takes its role again', async (zone) => {
    const value = `before-losing-${zone}`;
    expect(served(await zoned.everySlot((slot) => ['SET', KEYS[slot], value]))).toBe(SLOT_COUNT);
    await zoned.waitUntil(() => zoned.replicasInSync(), READY_TIMEOUT_MS, 'the replicas did not catch up');

    const lost = await killZone(zoned, zone);
    await zoned.waitUntil(() => {
      const pairs = zoned.pairs();
      return pairs.length === 3 && pairs.every((pair) => pair.primaryZone !== zone) && zoned.alive().every((node) => env.nodeCli(node, 'cluster', 'info').includes('cluster_state:ok'));
    }, FAILOVER_TIMEOUT_MS, `no primary outside ${zone} for every shard`);
    const read = await zoned.everySlot((slot) => ['GET', KEYS[slot]]);
    expect({ read: read.filter((reply) => reply.value === value).length, errors: errorsOf(read) }).toEqual({ read: SLOT_COUNT, errors: [] });
    const written = await zoned.everySlot((slot) => ['SET', KEYS[slot], `without-${zone}`]);
    expect({ written: served(written), errors: errorsOf(written) }).toEqual({ written: SLOT_COUNT, errors: [] });

    // The zone comes back: its pods restart on their volumes, rejoin as replicas, and the planned primary takes its role back.
    for (const index of lost) {
      nodes[index] = env.startNode(nodes[index].port, nodes[index].dir, podEnv(index));
    }
    await zoned.waitUntil(asPlanned, READY_TIMEOUT_MS * 2, `the layout was not restored after ${zone} came back`);
    expect(nodes[lost[0]].output()).toContain('role: taking the primary role back: OK');
  }, 180000);

  test('a primary stopped through its preStop hook first hands its slots to its replica in another zone: every slot is served the moment it is gone', async () => {
    const primary = planned.findIndex((node) => node.podName === 'redis-eu-west-1b-0');
    // The hook's command; its log file, the container's output, is this test's.
    expect(env.rendered.preStopCommand).toEqual(['sh', '/etc/redis/role.sh', 'handover', '/proc/1/fd/1']);
    const handover = await runScript(env.scriptFile('role.sh'), env.containerEnv(nodes[primary], podEnv(primary)), SCRIPT_TIMEOUT_MS, ['handover']);
    expect({ status: handover.status, output: handover.output }).toMatchObject({ status: 0, output: expect.stringContaining('handed the primary role over to 127.0.0.1:') });
    expect(env.nodeCli(nodes[primary], 'info', 'replication')).toContain('role:slave');
    // What the kubelet does next: SIGTERM. No failover timeout to wait for: the slots have a primary already.
    nodes[primary].child.kill('SIGTERM');
    await nodes[primary].exited;
    const written = await zoned.everySlot((slot) => ['SET', KEYS[slot], 'after-handover']);
    expect({ written: served(written), errors: errorsOf(written) }).toEqual({ written: SLOT_COUNT, errors: [] });

    nodes[primary] = env.startNode(nodes[primary].port, nodes[primary].dir, podEnv(primary));
    await zoned.waitUntil(asPlanned, READY_TIMEOUT_MS * 2, 'the planned primary did not take its role back');
  }, 120000);

  test('a primary whose replica is itself restarting (two zones rolling at once) waits until the replica is back in sync, then hands over', async () => {
    const primary = planned.findIndex((node) => node.podName === 'redis-eu-west-1c-0');
    const replicaPort = zoned.view().find((node) => node.follows === zoned.view().find((entry) => entry.port === nodes[primary].port)!.id)!.port;
    const replica = nodes.findIndex((node) => node.port === replicaPort);
    expect(planned[replica].zone).toBe('eu-west-1a');
    nodes[replica].child.kill('SIGTERM');
    await nodes[replica].exited;
    const handover = runScript(env.scriptFile('role.sh'), env.containerEnv(nodes[primary], podEnv(primary)), SCRIPT_TIMEOUT_MS, ['handover']);
    nodes[replica] = env.startNode(nodes[replica].port, nodes[replica].dir, podEnv(replica));
    const result = await handover;
    expect({ status: result.status, output: result.output }).toMatchObject({ status: 0, output: expect.stringContaining(`handed the primary role over to 127.0.0.1:${replicaPort}`) });
    expect(env.nodeCli(nodes[primary], 'info', 'replication')).toContain('role:slave');
    expect(env.nodeCli(nodes[replica], 'info', 'replication')).toContain('role:master');
    // The bootstrap, run again by the next sync, finds the pair intact with its roles swapped.
    const again = await runScript(env.scriptFile('bootstrap-cluster.sh'), env.bootstrapEnv(nodes.map((node) => node.port)), SCRIPT_TIMEOUT_MS);
    expect({ status: again.status, output: again.output }).toMatchObject({ status: 0, output: expect.stringContaining(`shard 2: 127.0.0.1:${replicaPort} is the primary after a handover or failover`) });
    // Then the kubelet stops it and the StatefulSet starts it again; back in sync, it takes its role back.
    nodes[primary].child.kill('SIGTERM');
    await nodes[primary].exited;
    nodes[primary] = env.startNode(nodes[primary].port, nodes[primary].dir, podEnv(primary));
    await zoned.waitUntil(asPlanned, READY_TIMEOUT_MS * 2, 'the planned primary did not take its role back');
  }, 120000);

  test('a replica re-paired by hand with a primary of its own zone fails the bootstrap, which names the shard', async () => {
    const bootstrapCli = (index: number, ...command: string[]) => env.cli(nodes[index].port, 'bootstrap', ...command).trim();
    const [replica, ownPrimary, sameZonePrimary] = ['redis-eu-west-1b-1', 'redis-eu-west-1a-0', 'redis-eu-west-1b-0'].map((pod) => planned.findIndex((node) => node.podName === pod));
    expect(bootstrapCli(replica, 'cluster', 'replicate', bootstrapCli(sameZonePrimary, 'cluster', 'myid'))).toBe('OK');
    await zoned.waitUntil(() => zoned.healthy() && zoned.replicasInSync() && zoned.pairs().some((pair) => pair.replicaZones.length === 0), READY_TIMEOUT_MS, 'the replica did not move');
    const run = await runScript(env.scriptFile('bootstrap-cluster.sh'), env.bootstrapEnv(nodes.map((node) => node.port)), SCRIPT_TIMEOUT_MS);
    expect({ status: run.status, output: run.output }).toMatchObject({ status: 1, output: expect.stringContaining('shard 0: 127.0.0.1:') });
    expect(run.output).toContain('are not a primary and its replica any more');

    expect(bootstrapCli(replica, 'cluster', 'replicate', bootstrapCli(ownPrimary, 'cluster', 'myid'))).toBe('OK');
    await zoned.waitUntil(() => asPlanned() && zoned.replicasInSync(), READY_TIMEOUT_MS, 'the replica did not return to its primary');
  }, 120000);

  test('the users were allowed every command the handovers and takeovers sent (the ACL log of every node since its start is empty)', () => {
    for (const node of nodes) {
      expect({ port: node.port, log: env.nodeCli(node, 'acl', 'log').trim() }).toEqual({ port: node.port, log: '' });
    }
  });
});

/** Kills every node of `zone` at once (SIGKILL, as the zone's machines vanish) and returns their indexes. */
async function killZone(zoned: ZonedRedisNodes, zone: string): Promise<number[]> {
  const indexes = zoned.zones.flatMap((nodeZone, index) => (nodeZone === zone ? [index] : []));
  for (const index of indexes) {
    zoned.nodes[index].child.kill('SIGKILL');
  }
  await Promise.all(indexes.map((index) => zoned.nodes[index].exited));
  return indexes;
}
