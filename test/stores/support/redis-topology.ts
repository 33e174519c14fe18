import { RedisProcess, waitFor } from './redis-servers';
import { RedisTestEnvironment } from './redis-node-harness';
import { everySlot, NodeLogin, RespReply, slotOwners, SLOT_COUNT } from './redis-slots';

/** One node as another node's CLUSTER NODES shows it, with the zone the test placed it in. */
export interface LiveRedisNode {
  readonly id: string;
  readonly port: number;
  readonly zone: string;
  readonly primary: boolean;
  /** The id of the primary it replicates; `-` for a primary. */
  readonly follows: string;
  readonly failing: boolean;
  readonly connected: boolean;
  readonly slots: number;
}

/** Real nodes on 127.0.0.1 with the zones the test gave them, and what a client logged in as `user` sees of them. */
export class ZonedRedisNodes {
  public constructor(
    private readonly env: RedisTestEnvironment,
    /** The nodes; index i stands for the i-th rendered node (or ordinal i, for the placement of the past). */
    public readonly nodes: RedisProcess[],
    /** The zone of each node, by index. */
    public readonly zones: readonly string[],
    private readonly user = 'api',
  ) {}

  public zoneOfPort(port: number): string {
    return this.zones[this.nodes.findIndex((node) => node.port === port)];
  }

  public alive(): RedisProcess[] {
    return this.nodes.filter((node) => node.child.exitCode === null && node.child.signalCode === null);
  }

  /** `observer`'s CLUSTER NODES. */
  public view(observer: RedisProcess = this.alive()[0]): LiveRedisNode[] {
    return this.env.nodeCli(observer, 'cluster', 'nodes').trim().split('\n').map((line) => {
      const [id, address, flags, follows, , , , link, ...ranges] = line.split(' ');
      const port = Number(address.split('@')[0].split(':')[1]);
      const slots = ranges.filter((range) => !range.startsWith('[')).reduce((sum, range) => {
        const [from, to = from] = range.split('-').map(Number);
        return sum + to - from + 1;
      }, 0);
      return { id, port, zone: this.zoneOfPort(port), primary: flags.split(',').includes('master'), follows, failing: /fail/.test(flags), connected: link === 'connected', slots };
    });
  }

  /** Each serving primary's zone with the zone of every replica that follows it. */
  public pairs(observer?: RedisProcess): { primaryZone: string; replicaZones: string[] }[] {
    const view = this.view(observer);
    return view
      .filter((node) => node.primary && !node.failing && node.slots > 0)
      .map((primary) => ({ primaryZone: primary.zone, replicaZones: view.filter((node) => node.follows === primary.id).map((node) => node.zone) }));
  }

  /** Whether every live node sees cluster_state:ok, every node connected and none failing. */
  public healthy(): boolean {
    return this.alive().every((node) =>
      this.env.nodeCli(node, 'cluster', 'info').includes('cluster_state:ok') && this.view(node).every((entry) => entry.connected && !entry.failing),
    );
  }

  /** Whether every primary's write offset has reached each of its replicas (nothing written is only on a primary). */
  public replicasInSync(): boolean {
    return this.alive().every((node) => {
      const info = this.env.nodeCli(node, 'info', 'replication');
      if (!info.includes('role:master')) {
        return info.includes('master_link_status:up');
      }
      const offset = /master_repl_offset:(\d+)/.exec(info)?.[1];
      const replicas = [...info.matchAll(/^slave\d+:.*state=online,offset=(\d+)/gm)].map((match) => match[1]);
      return replicas.length === Number(/connected_slaves:(\d+)/.exec(info)?.[1]) && replicas.every((replicaOffset) => replicaOffset === offset);
    });
  }

  public async waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    await waitFor(check, timeoutMs, () => `${what}\n${this.env.nodeCli(this.alive()[0], 'cluster', 'nodes')}\n${this.alive().map((node) => `--- node ${node.port}\n${node.output()}`).join('\n')}`);
  }

  /**
   * Runs `commandOf(slot)` for every slot, as a cluster client: at the primary that serves it, as
   * the live nodes' slot map says, or at a live node for a slot no primary serves (which then
   * answers the client's error, e.g. CLUSTERDOWN).
   */
  public everySlot(commandOf: (slot: number) => readonly string[]): Promise<RespReply[]> {
    const survivor = this.alive()[0];
    const owners = slotOwners(this.env.nodeCli(survivor, 'cluster', 'nodes'));
    const alivePorts = new Set(this.alive().map((node) => node.port));
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      if (!alivePorts.has(owners.get(slot) ?? -1)) {
        owners.set(slot, survivor.port);
      }
    }
    const loginAt = (port: number): NodeLogin => ({ port, caFile: this.env.caFile, user: this.user, password: this.env.passwords[this.user] });
    return everySlot(owners, loginAt, commandOf);
  }
}

/** How many replies are not errors. */
export function served(replies: readonly RespReply[]): number {
  return replies.filter((reply) => reply.type !== 'error').length;
}

/** The distinct error replies, for a failure message. */
export function errorsOf(replies: readonly RespReply[]): string[] {
  return [...new Set(replies.filter((reply) => reply.type === 'error').map((reply) => reply.value))];
}
