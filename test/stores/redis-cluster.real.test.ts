import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RedisClusterProps } from '../../lib/stores/redis-cluster';
import { freeRedisPorts, redisCliAs, RedisProcess, runScript, shutDownRedis, startRedisNodes, stopRedis, waitFor } from './support/redis-servers';
import { ANNOUNCED_HOST, renderRedis, RedisTestEnvironment } from './support/redis-node-harness';
import { fingerprintOf, issueTestKeyPair, servedFingerprint } from './support/test-certificates';

/**
 * The rendered redis.conf, container command, arguments and environment, start, probe, reload and
 * bootstrap scripts, run against real redis-server 7.0 processes on 127.0.0.1, over TLS only, with
 * the rendered users (what is replaced and why: see RedisTestEnvironment). The users' permissions,
 * the passwords kept off command lines and their rotation: redis-acl.real.test.ts.
 */

const SCRIPT_TIMEOUT_MS = 25000;
/** Bound of the waits for nodes to answer; each wait ends as soon as they do. */
const READY_TIMEOUT_MS = 30000;

/** Whether the node has written its node user's password and answers PING as that user. */
function answers(env: RedisTestEnvironment, node: RedisProcess): boolean {
  return fs.existsSync(path.join(node.dir, 'run', 'node.auth')) && env.nodeCli(node, 'ping').trim() === 'PONG';
}

async function startNodes(env: RedisTestEnvironment, count: number): Promise<RedisProcess[]> {
  return startRedisNodes(count, (port) => env.startNode(port), (node) => answers(env, node), READY_TIMEOUT_MS, () => 'the nodes did not answer PING');
}

/** Each node's view reduced to what must not change: id, role, primary and slot ranges. */
function topology(env: RedisTestEnvironment, nodes: readonly RedisProcess[]): string[][] {
  return nodes.map((node) =>
    env.nodeCli(node, 'cluster', 'nodes')
      .trim()
      .split('\n')
      .map((line) => {
        const [id, , flags, primary, , , , , ...slots] = line.split(' ');
        const role = flags.split(',').filter((flag) => flag !== 'myself').join(',');
        return [id, role, primary, ...slots].join(' ');
      })
      .sort(),
  );
}

function clusterInfo(env: RedisTestEnvironment, node: RedisProcess): Record<string, string> {
  return Object.fromEntries(
    env.nodeCli(node, 'cluster', 'info')
      .trim()
      .split('\n')
      .map((line) => line.split(':') as [string, string]),
  );
}

describe('RedisCluster on real redis-server 7.0 processes', () => {
  const env = new RedisTestEnvironment(renderRedis());
  const nodes: RedisProcess[] = [];
  let ports: number[] = [];
  const bootstrap = (nodePorts = ports) => runScript(env.scriptFile('bootstrap-cluster.sh'), env.bootstrapEnv(nodePorts), SCRIPT_TIMEOUT_MS);
  const probe = (node: RedisProcess, mode: string, authFile = path.join(node.dir, 'run', 'node.auth'), caFile = env.caFile) =>
    runScript(env.scriptFile('probe.sh'), { REDIS_PORT: String(node.port), REDIS_NODE_AUTH_FILE: authFile, REDIS_TLS_CA_FILE: caFile }, 5000, [mode]);
  /** As the api: the key follows its slot to the node that holds it (-c). */
  const api = (node: RedisProcess, ...command: string[]) => env.cli(node.port, 'api', '-c', ...command).trim();
  const logs = () => nodes.map((node) => `--- node ${node.port}\n${node.output()}`).join('\n');

  beforeAll(async () => {
    nodes.push(...(await startNodes(env, 6)));
    ports = nodes.map((node) => node.port);
  }, READY_TIMEOUT_MS + 10000);

  afterAll(async () => {
    try {
      await Promise.all(nodes.map(stopRedis));
    } finally {
      env.remove();
    }
  });

  test('every node runs the rendered configuration', () => {
    for (const node of nodes) {
      // CONFIG GET answers "name\nvalue\n"; a value may be empty (save).
      const get = (name: string) => env.nodeCli(node, 'config', 'get', name).split('\n')[1];
      expect(get('cluster-enabled')).toBe('yes');
      expect(get('cluster-node-timeout')).toBe('5000');
      expect(get('cluster-require-full-coverage')).toBe('no');
      expect(get('cluster-replica-validity-factor')).toBe('0');
      expect(get('cluster-allow-replica-migration')).toBe('no');
      expect(get('repl-diskless-sync-max-replicas')).toBe('1');
      expect(get('cluster-preferred-endpoint-type')).toBe('hostname');
      expect(get('cluster-announce-hostname')).toBe(ANNOUNCED_HOST);
      expect(get('appendonly')).toBe('yes');
      expect(get('appendfsync')).toBe('everysec');
      expect(get('save')).toBe('');
      expect(get('maxmemory')).toBe(String(2867 * 1024 * 1024));
      expect(get('maxmemory-policy')).toBe('noeviction');
      expect(get('protected-mode')).toBe('yes');
      expect(get('port')).toBe('0');
      expect(get('tls-port')).toBe(String(node.port));
      expect(get('tls-cluster')).toBe('yes');
      expect(get('tls-replication')).toBe('yes');
      expect(get('tls-auth-clients')).toBe('optional');
      expect(get('tls-protocols')).toBe('TLSv1.2 TLSv1.3');
      expect(get('aclfile')).toBe(path.join(node.dir, 'run', 'users.acl'));
      expect(get('masteruser')).toBe('replication');
    }
  });

  test('TLS only: a plaintext client gets no answer, a client that does not trust the CA fails verification, one that does gets in', async () => {
    const password = env.passwords.api;
    const plaintext = redisCliAs(ports[0], 'api', password, 'ping');
    expect(plaintext).not.toContain('PONG');
    expect(plaintext).toMatch(/Error|closed|reset/i);
    expect(redisCliAs(ports[0], 'api', password, '--tls', '--cacert', env.otherCa.certFile, 'ping')).toMatch(/Could not negotiate a TLS connection|certificate verify failed/);
    expect(redisCliAs(ports[0], 'api', password, '--tls', 'ping')).not.toContain('PONG');
    expect(env.cli(ports[0], 'api', 'ping').trim()).toBe('PONG');
    // A Node client (the api's and generator's runtime) verifies the address too: the certificate names 127.0.0.1.
    expect(await servedFingerprint(ports[0], env.caFile)).toBe(fingerprintOf(env.initialKeyPair.certFile));
    await expect(servedFingerprint(ports[0], env.otherCa.certFile)).rejects.toThrow(/self[- ]signed|unable to verify|unable to get/i);
  });

  test('the first bootstrap forms the cluster: cluster_state:ok, all 16384 slots, 3 primaries with one replica each', async () => {
    const run = await bootstrap();
    expect({ status: run.status, output: run.output }).toMatchObject({ status: 0 });
    expect(run.output).toContain('forming a cluster of 3 primaries with 1 replica(s) each');

    for (const node of nodes) {
      expect(clusterInfo(env, node)).toMatchObject({ cluster_state: 'ok', cluster_slots_assigned: '16384', cluster_slots_ok: '16384', cluster_known_nodes: '6', cluster_size: '3' });
    }
    const lines = env.nodeCli(nodes[0], 'cluster', 'nodes').trim().split('\n').map((line) => line.split(' '));
    const primaries = lines.filter((fields) => fields[2].split(',').includes('master'));
    const replicas = lines.filter((fields) => fields[2].split(',').includes('slave'));
    expect(primaries).toHaveLength(3);
    expect(replicas.map((fields) => fields[3]).sort()).toEqual(primaries.map((fields) => fields[0]).sort());
    // Every node announces its hostname after the address, as `ip:port@bus,hostname`.
    expect(lines.every((fields) => fields[1].endsWith(`,${ANNOUNCED_HOST}`))).toBe(true);
    const ranges = primaries.flatMap((fields) => fields.slice(8)).map((range) => range.split('-').map(Number));
    expect(ranges.reduce((sum, [from, to = from]) => sum + to - from + 1, 0)).toBe(16384);

    // The replicas log in to their primaries as the replication user.
    const replicaNodes = nodes.filter((node) => replicas.some((fields) => fields[1].startsWith(`127.0.0.1:${node.port}@`)));
    await waitFor(() => replicaNodes.every((node) => env.nodeCli(node, 'info', 'replication').includes('master_link_status:up')), 10000, () => env.nodeCli(nodes[0], 'cluster', 'nodes') + logs());
    // A key written through one node is routed to its slot's primary and read back through another.
    expect(api(nodes[0], 'set', 'api:greeting', 'hello')).toBe('OK');
    expect(api(nodes[5], 'get', 'api:greeting')).toBe('hello');
  }, 60000);

  test('a second bootstrap finds the cluster formed and changes nothing', async () => {
    const before = topology(env, nodes);
    const run = await bootstrap();
    expect({ status: run.status, output: run.output }).toMatchObject({ status: 0 });
    expect(run.output).toContain('the cluster is already formed; no change');
    expect(run.output).not.toContain('forming a cluster');
    expect(topology(env, nodes)).toEqual(before);
    expect(api(nodes[3], 'get', 'api:greeting')).toBe('hello');
  }, 60000);

  test('the probes: primaries and attached replicas are started, alive and ready; a wrong password, an untrusted CA or a dead node is not', async () => {
    for (const node of nodes) {
      for (const mode of ['started', 'alive', 'ready']) {
        expect({ port: node.port, mode, status: (await probe(node, mode)).status }).toEqual({ port: node.port, mode, status: 0 });
      }
    }
    const wrongAuth = path.join(env.root, 'wrong.auth');
    fs.writeFileSync(wrongAuth, 'wrong-password');
    expect((await probe(nodes[0], 'ready', wrongAuth)).status).toBe(1);
    expect((await probe(nodes[0], 'started', wrongAuth)).status).toBe(1);
    expect((await probe(nodes[0], 'alive', undefined, env.otherCa.certFile)).status).toBe(1);
    const [deadPort] = await freeRedisPorts(1);
    expect((await probe({ ...nodes[0], port: deadPort }, 'alive')).status).toBe(1);
    expect((await probe(nodes[0], 'unknown')).status).toBe(2);
  }, 60000);

  test('the bootstrap refuses to touch a partly formed cluster, e.g. when a node lost its volume', async () => {
    const [spare] = await startNodes(env, 1);
    try {
      const before = topology(env, nodes);
      // The empty spare stands in for the sixth node, as a pod whose volume was replaced would.
      const run = await bootstrap([...ports.slice(0, 5), spare.port]);
      expect(run.status).toBe(1);
      expect(run.output).toContain('the cluster is partly formed');
      expect(topology(env, nodes)).toEqual(before);
      expect(clusterInfo(env, spare)).toMatchObject({ cluster_known_nodes: '1', cluster_slots_assigned: '0' });
    } finally {
      await stopRedis(spare);
    }
  }, 60000);

  test('a renewed certificate is reloaded without a restart; the cluster stays healthy on it', async () => {
    const renewed = issueTestKeyPair(env.ca, env.root, 'node-2', ['DNS:localhost', 'IP:127.0.0.1']);
    const pids = nodes.map((node) => node.child.pid);
    env.installKeyPair(renewed);
    const expected = ports.map(() => fingerprintOf(renewed.certFile));
    let served: string[] = [];
    // The loops check every second here (every 30 s in a pod).
    for (const deadline = Date.now() + 15000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
      served = await Promise.all(ports.map((port) => servedFingerprint(port, env.caFile).catch((error) => String(error))));
      if (JSON.stringify(served) === JSON.stringify(expected)) {
        break;
      }
    }
    expect(served).toEqual(expected);
    expect(nodes.map((node) => node.child.pid)).toEqual(pids);
    // Redis serves the new certificate as soon as CONFIG SET returns; the loop logs it just after.
    await waitFor(() => nodes.every((node) => node.output().includes('reload-tls: reloaded the TLS certificate')), 15000, logs);
    for (const node of nodes) {
      expect(clusterInfo(env, node)).toMatchObject({ cluster_state: 'ok', cluster_slots_ok: '16384', cluster_known_nodes: '6' });
    }
    expect(api(nodes[2], 'set', 'api:renewed', 'yes')).toBe('OK');
    expect(api(nodes[4], 'get', 'api:renewed')).toBe('yes');
  }, 60000);

  test('after every node restarts with a new address, the start script lets them find each other by hostname', async () => {
    const before = topology(env, nodes);
    await Promise.all(nodes.map(shutDownRedis));
    // As after a full outage: every IP saved in nodes.conf is gone (127.0.0.9 is loopback, but nothing listens there).
    for (const node of nodes) {
      const conf = path.join(node.dir, 'nodes.conf');
      fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace(/127\.0\.0\.1:/g, '127.0.0.9:'));
    }
    nodes.splice(0, nodes.length, ...nodes.map((node) => env.startNode(node.port, node.dir)));
    // Healed: every node's cluster bus is connected to every other node again, and the state is ok.
    const healed = (node: RedisProcess) =>
      answers(env, node) &&
      clusterInfo(env, node).cluster_state === 'ok' &&
      env.nodeCli(node, 'cluster', 'nodes').trim().split('\n').every((line) => line.split(' ')[7] === 'connected');
    await waitFor(() => nodes.every(healed), 20000, () => logs() + env.nodeCli(nodes[0], 'cluster', 'nodes'));
    expect(topology(env, nodes)).toEqual(before);
    for (const node of nodes) {
      expect(env.nodeCli(node, 'cluster', 'nodes')).not.toContain('127.0.0.9');
    }
    // The append-only file on the data folder kept the key.
    expect(api(nodes[1], 'get', 'api:greeting')).toBe('hello');
  }, 60000);
});

describe('RedisCluster without replicas on real redis-server processes', () => {
  test('3 primaries and no replica: the bootstrap forms them, then finds them formed', async () => {
    const env = new RedisTestEnvironment(renderRedis({ replicasPerPrimary: 0 }));
    expect(env.rendered.bootstrapEnv.REDIS_REPLICAS).toBe('');
    let nodes: RedisProcess[] = [];
    try {
      // Ready: each answers PING, so the bootstrap's own wait is not what the test leans on.
      nodes = await startNodes(env, 3);
      const bootstrapEnv = env.bootstrapEnv(nodes.map((node) => node.port));
      const first = await runScript(env.scriptFile('bootstrap-cluster.sh'), bootstrapEnv, SCRIPT_TIMEOUT_MS);
      expect({ status: first.status, output: first.output }).toMatchObject({ status: 0 });
      expect(first.output).toContain('forming a cluster of 3 primaries with 0 replica(s) each');
      const before = topology(env, nodes);
      expect(before[0].filter((node) => node.includes(' master '))).toHaveLength(3);
      for (const node of nodes) {
        expect(clusterInfo(env, node)).toMatchObject({ cluster_state: 'ok', cluster_slots_assigned: '16384', cluster_known_nodes: '3' });
      }
      const second = await runScript(env.scriptFile('bootstrap-cluster.sh'), bootstrapEnv, SCRIPT_TIMEOUT_MS);
      expect({ status: second.status, output: second.output }).toMatchObject({ status: 0 });
      expect(second.output).toContain('the cluster is already formed; no change');
      expect(topology(env, nodes)).toEqual(before);
    } finally {
      await Promise.all(nodes.map(stopRedis));
      env.remove();
    }
  }, 60000);
});

describe('redis-server loads the rendered file for real', () => {
  test('it refuses to start on a misspelt directive added through extraConfig', async () => {
    const overrides: Partial<RedisClusterProps> = { extraConfig: { 'maxmemory-polcy': 'noeviction' } };
    const env = new RedisTestEnvironment(renderRedis(overrides));
    const [port] = await freeRedisPorts(1);
    const node = env.startNode(port, fs.mkdtempSync(path.join(os.tmpdir(), 'redis-bad-config-')));
    try {
      let timer: NodeJS.Timeout | undefined;
      const exitCode = await Promise.race([node.exited, new Promise((resolve) => (timer = setTimeout(() => resolve('still running'), 20000)))]);
      clearTimeout(timer);
      expect(exitCode).toBe(1);
      expect(node.output()).toContain('FATAL CONFIG FILE ERROR');
      expect(node.output()).toMatch(/maxmemory-polcy.*\n.*Bad directive or wrong number of arguments/);
    } finally {
      await stopRedis(node);
      env.remove();
    }
  }, 60000);
});
