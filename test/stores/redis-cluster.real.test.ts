import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RedisClusterProps } from '../../lib/stores/redis-cluster';
import { find, KubeObject, objectsOf } from '../support/kube';
import { minimalRedis } from './support/redis-fixtures';
import { freeRedisPorts, redisCli, RedisProcess, runScript, shutDownRedis, startRedis, startRedisNodes, stopRedis, waitFor } from './support/redis-servers';
import {
  createTestCertificateAuthority,
  fingerprintOf,
  issueTestKeyPair,
  servedFingerprint,
  TestCertificateAuthority,
  TestKeyPair,
} from './support/test-certificates';

/**
 * The rendered redis.conf, container command, arguments and environment, start, probe and bootstrap
 * scripts, run against real redis-server 7.0 processes on 127.0.0.1, over TLS only. What is
 * replaced, and why:
 * - the pod's paths (`/etc/redis/...`, `/data`) by files in a temporary folder, one data folder per node;
 * - the mounted certificate Secret (`/etc/redis-tls/`) by a folder with a throwaway CA and a key
 *   pair made with openssl for `localhost` and 127.0.0.1 (the pod DNS names exist only in the
 *   cluster); like the kubelet's mount, the folder is a symlink that a renewal swaps atomically;
 * - `$(POD_FQDN)` by 127.0.0.1, and `$(REDIS_PASSWORD)` by a test password (Kubernetes expands it from the Secret in a pod);
 * - `REDIS_PORT` and the reload interval (1 s instead of 30 s);
 * added: `--tls-port` (six nodes share one host) and `--bind 127.0.0.1` (nothing listens beyond loopback).
 */

const PASSWORD = 'test-only-7f3a';
const ANNOUNCED_HOST = '127.0.0.1';
const SCRIPT_TIMEOUT_MS = 25000;
/** Bound of the waits for nodes to answer; each wait ends as soon as they do. */
const READY_TIMEOUT_MS = 30000;
const POD_TLS_DIR = '/etc/redis-tls/';

/** Where the test's PKI lives; `mount` is the folder the rendered paths point to, a symlink to the current generation, as in a Secret volume. */
const PKI_ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-tls-'));
const PKI_MOUNT = path.join(PKI_ROOT, 'mount');

/** The test's PKI: the CA and the key pair the nodes start with. */
interface TestPki {
  readonly ca: TestCertificateAuthority;
  /** A CA that signed nothing the nodes present. */
  readonly otherCa: TestCertificateAuthority;
  readonly initial: TestKeyPair;
}

let pki: TestPki;

/** Puts `pair` and the CA in a new generation folder and swaps the mount symlink to it in one rename. */
function installKeyPair(pair: TestKeyPair, generation: string): void {
  const folder = path.join(PKI_ROOT, generation);
  fs.mkdirSync(folder);
  fs.copyFileSync(pair.certFile, path.join(folder, 'tls.crt'));
  fs.copyFileSync(pair.keyFile, path.join(folder, 'tls.key'));
  fs.copyFileSync(pki.ca.certFile, path.join(folder, 'ca.crt'));
  const link = `${PKI_MOUNT}.new`;
  fs.symlinkSync(folder, link);
  fs.renameSync(link, PKI_MOUNT);
}

beforeAll(() => {
  const ca = createTestCertificateAuthority(PKI_ROOT, 'test-ca');
  pki = {
    ca,
    otherCa: createTestCertificateAuthority(PKI_ROOT, 'other-ca'),
    initial: issueTestKeyPair(ca, PKI_ROOT, 'node-1', ['DNS:localhost', 'IP:127.0.0.1']),
  };
  installKeyPair(pki.initial, 'generation-1');
});

afterAll(() => fs.rmSync(PKI_ROOT, { recursive: true, force: true }));

/** The pod's value with the mounted certificate's folder replaced by the test's. */
function localPath(value: string): string {
  return value.startsWith(POD_TLS_DIR) ? path.join(PKI_MOUNT, value.slice(POD_TLS_DIR.length)) : value;
}

/** Pids of the processes whose parent is `pid`. */
function childProcesses(pid: number): number[] {
  return fs.readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        // The parent pid is the second field after the parenthesised command name.
        return Number(fs.readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** redis-cli over TLS, verifying the node against the test CA, with the password in the environment. */
function cli(port: number, ...command: string[]): string {
  return redisCli(port, PASSWORD, '--tls', '--cacert', pki.ca.certFile, ...command);
}

interface Rendered {
  readonly config: string;
  readonly startScript: string;
  readonly reloadScript: string;
  readonly probeScript: string;
  readonly bootstrapScript: string;
  /** The redis container's command followed by its arguments. */
  readonly serverCommand: readonly string[];
  /** The redis container's plain (not Secret) environment. */
  readonly serverEnv: Record<string, string>;
  readonly bootstrapEnv: Record<string, string>;
}

function plainEnv(container: any): Record<string, string> {
  return Object.fromEntries(container.env.filter((v: any) => v.value !== undefined).map((v: any) => [v.name, v.value]));
}

/** The pod's environment with the mounted certificate's folder replaced by the test's. */
function localEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, localPath(value)]));
}

function render(overrides: Partial<RedisClusterProps> = {}): Rendered {
  const objects = objectsOf(minimalRedis(overrides).chart);
  const [server] = find(objects, 'StatefulSet', 'redis').spec.template.spec.containers;
  const job = find(objects, 'Job', 'redis-bootstrap').spec.template.spec.containers[0];
  const config: KubeObject = find(objects, 'ConfigMap', 'redis-config');
  return {
    config: config.data['redis.conf'],
    startScript: config.data['start.sh'],
    reloadScript: config.data['reload-tls.sh'],
    probeScript: config.data['probe.sh'],
    bootstrapScript: find(objects, 'ConfigMap', 'redis-bootstrap').data['bootstrap-cluster.sh'],
    serverCommand: [...server.command, ...server.args],
    serverEnv: localEnv(plainEnv(server)),
    bootstrapEnv: localEnv(plainEnv(job)),
  };
}

/** Where the test puts the rendered files. */
interface LocalFiles {
  readonly config: string;
  readonly start: string;
}

/** The container's command and arguments with the pod's values replaced (see above), plus the local port and bind. */
function localCommand(rendered: Rendered, files: LocalFiles, port: number, dir: string): string[] {
  const replacements: Record<string, string> = {
    '/etc/redis/redis.conf': files.config,
    '/etc/redis/start.sh': files.start,
    '/data': dir,
    '$(POD_FQDN)': ANNOUNCED_HOST,
    '$(REDIS_PASSWORD)': PASSWORD,
  };
  return [...rendered.serverCommand.map((arg) => replacements[arg] ?? arg), '--tls-port', String(port), '--bind', '127.0.0.1'];
}

/** Starts a node the way its container does; `dir` restarts it on the data of an earlier run. */
function startNode(rendered: Rendered, files: LocalFiles, port: number, dir = fs.mkdtempSync(path.join(os.tmpdir(), `redis-${port}-`))): RedisProcess {
  return startRedis(port, (nodeDir) => localCommand(rendered, files, port, nodeDir), {
    dir,
    env: { ...rendered.serverEnv, REDIS_DATA_DIR: dir, REDIS_PORT: String(port), REDIS_TLS_RELOAD_SECONDS: '1', REDISCLI_AUTH: PASSWORD },
  });
}

/** Writes the rendered redis.conf (its certificate paths pointed at the test's), start and reload scripts into `dir`. */
function writeFiles(rendered: Rendered, dir: string): LocalFiles {
  const files = { config: path.join(dir, 'redis.conf'), start: path.join(dir, 'start.sh') };
  fs.writeFileSync(files.config, rendered.config.split(POD_TLS_DIR).join(`${PKI_MOUNT}/`));
  fs.writeFileSync(files.start, rendered.startScript);
  fs.writeFileSync(path.join(dir, 'reload-tls.sh'), rendered.reloadScript);
  return files;
}

/** Each node's view reduced to what must not change: id, role, primary and slot ranges. */
function topology(ports: readonly number[]): string[][] {
  return ports.map((port) =>
    cli(port, 'cluster', 'nodes')
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

function clusterInfo(port: number): Record<string, string> {
  return Object.fromEntries(
    cli(port, 'cluster', 'info')
      .trim()
      .split('\n')
      .map((line) => line.split(':') as [string, string]),
  );
}

describe('RedisCluster on real redis-server 7.0 processes', () => {
  const rendered = render();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-cluster-test-'));
  const bootstrapFile = path.join(workDir, 'bootstrap-cluster.sh');
  const probeFile = path.join(workDir, 'probe.sh');
  const nodes: RedisProcess[] = [];
  let ports: number[] = [];
  let files: LocalFiles;

  const bootstrap = () =>
    runScript(
      bootstrapFile,
      {
        ...rendered.bootstrapEnv,
        REDIS_NODES: ports.map((port) => `127.0.0.1:${port}`).join(' '),
        REDIS_WAIT_SECONDS: '20',
        REDISCLI_AUTH: PASSWORD,
      },
      SCRIPT_TIMEOUT_MS,
    );
  const probe = (port: number, mode: string, password = PASSWORD, caFile = pki.ca.certFile) =>
    runScript(probeFile, { REDIS_PORT: String(port), REDISCLI_AUTH: password, REDIS_TLS_CA_FILE: caFile }, 5000, [mode]);
  const logs = () => nodes.map((node) => `--- node ${node.port}\n${node.output()}`).join('\n');

  beforeAll(async () => {
    files = writeFiles(rendered, workDir);
    fs.writeFileSync(bootstrapFile, rendered.bootstrapScript);
    fs.writeFileSync(probeFile, rendered.probeScript);
    nodes.push(...(await startRedisNodes(6, (port) => startNode(rendered, files, port), (node) => cli(node.port, 'ping').trim() === 'PONG', READY_TIMEOUT_MS, () => 'the nodes did not answer PING')));
    ports = nodes.map((node) => node.port);
  }, READY_TIMEOUT_MS + 10000);

  afterAll(async () => {
    try {
      await Promise.all(nodes.map(stopRedis));
    } finally {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  });

  test('every node runs the rendered configuration', () => {
    for (const port of ports) {
      // CONFIG GET answers "name\nvalue\n"; a value may be empty (save).
      const get = (name: string) => cli(port, 'config', 'get', name).split('\n')[1];
      expect(get('cluster-enabled')).toBe('yes');
      expect(get('cluster-node-timeout')).toBe('5000');
      expect(get('cluster-preferred-endpoint-type')).toBe('hostname');
      expect(get('cluster-announce-hostname')).toBe(ANNOUNCED_HOST);
      expect(get('appendonly')).toBe('yes');
      expect(get('appendfsync')).toBe('everysec');
      expect(get('save')).toBe('');
      expect(get('maxmemory')).toBe(String(2867 * 1024 * 1024));
      expect(get('maxmemory-policy')).toBe('noeviction');
      expect(get('protected-mode')).toBe('yes');
      expect(get('port')).toBe('0');
      expect(get('tls-port')).toBe(String(port));
      expect(get('tls-cluster')).toBe('yes');
      expect(get('tls-replication')).toBe('yes');
      expect(get('tls-auth-clients')).toBe('optional');
      expect(get('tls-protocols')).toBe('TLSv1.2 TLSv1.3');
    }
    expect(redisCli(ports[0], 'wrong-password', '--tls', '--cacert', pki.ca.certFile, 'ping')).toMatch(/WRONGPASS|NOAUTH/);
  });

  test('the password, passed on the command line, does not show in the process list, nor in the reload loop\'s', () => {
    for (const node of nodes) {
      const commandLine = fs.readFileSync(`/proc/${node.child.pid}/cmdline`, 'utf8');
      expect(commandLine).toMatch(/^redis-server/);
      expect(commandLine).not.toContain(PASSWORD);
      const children = childProcesses(node.child.pid!).map((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
      // The certificate reload loop, which watches redis-server by its pid.
      expect(children).toEqual([expect.stringMatching(new RegExp(`reload-tls\\.sh watch \\d+ \\d+ ${node.child.pid} $`))]);
    }
  });

  test('TLS only: a plaintext client gets no answer, a client that does not trust the CA fails verification, one that does gets in', async () => {
    const plaintext = redisCli(ports[0], PASSWORD, 'ping');
    expect(plaintext).not.toContain('PONG');
    expect(plaintext).toMatch(/Error|closed|reset/i);
    expect(redisCli(ports[0], PASSWORD, '--tls', '--cacert', pki.otherCa.certFile, 'ping')).toMatch(/Could not negotiate a TLS connection|certificate verify failed/);
    expect(redisCli(ports[0], PASSWORD, '--tls', 'ping')).not.toContain('PONG');
    expect(cli(ports[0], 'ping').trim()).toBe('PONG');
    // A Node client (the api's and generator's runtime) verifies the address too: the certificate names 127.0.0.1.
    expect(await servedFingerprint(ports[0], pki.ca.certFile)).toBe(fingerprintOf(pki.initial.certFile));
    await expect(servedFingerprint(ports[0], pki.otherCa.certFile)).rejects.toThrow(/self[- ]signed|unable to verify|unable to get/i);
  });

  test('the first bootstrap forms the cluster: cluster_state:ok, all 16384 slots, 3 primaries with one replica each', async () => {
    const run = await bootstrap();
    expect({ status: run.status, output: run.output }).toMatchObject({ status: 0 });
    expect(run.output).toContain('forming a cluster of 3 primaries with 1 replica(s) each');

    for (const port of ports) {
      expect(clusterInfo(port)).toMatchObject({ cluster_state: 'ok', cluster_slots_assigned: '16384', cluster_slots_ok: '16384', cluster_known_nodes: '6', cluster_size: '3' });
    }
    const lines = cli(ports[0], 'cluster', 'nodes').trim().split('\n').map((line) => line.split(' '));
    const primaries = lines.filter((fields) => fields[2].split(',').includes('master'));
    const replicas = lines.filter((fields) => fields[2].split(',').includes('slave'));
    expect(primaries).toHaveLength(3);
    expect(replicas.map((fields) => fields[3]).sort()).toEqual(primaries.map((fields) => fields[0]).sort());
    // Every node announces its hostname after the address, as `ip:port@bus,hostname`.
    expect(lines.every((fields) => fields[1].endsWith(`,${ANNOUNCED_HOST}`))).toBe(true);
    const ranges = primaries.flatMap((fields) => fields.slice(8)).map((range) => range.split('-').map(Number));
    expect(ranges.reduce((sum, [from, to = from]) => sum + to - from + 1, 0)).toBe(16384);

    await waitFor(
      () => replicas.every((fields) => cli(Number(fields[1].split(':')[1].split('@')[0]), 'info', 'replication').includes('master_link_status:up')),
      10000,
      () => cli(ports[0], 'cluster', 'nodes'),
    );
    // A key written through one node is routed to its slot's primary and read back through another.
    expect(cli(ports[0], '-c', 'set', 'greeting', 'hello').trim()).toBe('OK');
    expect(cli(ports[5], '-c', 'get', 'greeting').trim()).toBe('hello');
  }, 60000);

  test('a second bootstrap finds the cluster formed and changes nothing', async () => {
    const before = topology(ports);
    const run = await bootstrap();
    expect({ status: run.status, output: run.output }).toMatchObject({ status: 0 });
    expect(run.output).toContain('the cluster is already formed; no change');
    expect(run.output).not.toContain('forming a cluster');
    expect(topology(ports)).toEqual(before);
    expect(cli(ports[3], '-c', 'get', 'greeting').trim()).toBe('hello');
  }, 60000);

  test('the probes: primaries and attached replicas are started, alive and ready; a wrong password or a dead node is not', async () => {
    for (const port of ports) {
      for (const mode of ['started', 'alive', 'ready']) {
        expect({ port, mode, status: (await probe(port, mode)).status }).toEqual({ port, mode, status: 0 });
      }
    }
    expect((await probe(ports[0], 'ready', 'wrong-password')).status).toBe(1);
    expect((await probe(ports[0], 'started', 'wrong-password')).status).toBe(1);
    expect((await probe(ports[0], 'alive', PASSWORD, pki.otherCa.certFile)).status).toBe(1);
    const [deadPort] = await freeRedisPorts(1);
    expect((await probe(deadPort, 'alive')).status).toBe(1);
    expect((await probe(ports[0], 'unknown')).status).toBe(2);
  }, 60000);

  test('the bootstrap refuses to touch a partly formed cluster, e.g. when a node lost its volume', async () => {
    const [spare] = await startRedisNodes(1, (port) => startNode(rendered, files, port), (node) => cli(node.port, 'ping').trim() === 'PONG', READY_TIMEOUT_MS, () => 'the spare did not answer PING');
    try {
      const before = topology(ports);
      const run = await runScript(
        bootstrapFile,
        {
          ...rendered.bootstrapEnv,
          // The empty spare stands in for the sixth node, as a pod whose volume was replaced would.
          REDIS_NODES: [...ports.slice(0, 5), spare.port].map((port) => `127.0.0.1:${port}`).join(' '),
          REDIS_WAIT_SECONDS: '20',
          REDISCLI_AUTH: PASSWORD,
        },
        SCRIPT_TIMEOUT_MS,
      );
      expect(run.status).toBe(1);
      expect(run.output).toContain('the cluster is partly formed');
      expect(topology(ports)).toEqual(before);
      expect(clusterInfo(spare.port)).toMatchObject({ cluster_known_nodes: '1', cluster_slots_assigned: '0' });
    } finally {
      await stopRedis(spare);
    }
  }, 60000);
  test('a renewed certificate is reloaded without a restart; the cluster stays healthy on it', async () => {
    const renewed = issueTestKeyPair(pki.ca, PKI_ROOT, 'node-2', ['DNS:localhost', 'IP:127.0.0.1']);
    const pids = nodes.map((node) => node.child.pid);
    installKeyPair(renewed, 'generation-2');
    const expected = ports.map(() => fingerprintOf(renewed.certFile));
    let served: string[] = [];
    // The loops check every second here (every 30 s in a pod).
    for (const deadline = Date.now() + 15000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
      served = await Promise.all(ports.map((port) => servedFingerprint(port, pki.ca.certFile).catch((error) => String(error))));
      if (JSON.stringify(served) === JSON.stringify(expected)) {
        break;
      }
    }
    expect(served).toEqual(expected);
    expect(nodes.map((node) => node.child.pid)).toEqual(pids);
    // Redis serves the new certificate as soon as CONFIG SET returns; the loop logs it just after.
    await waitFor(() => nodes.every((node) => node.output().includes('reload-tls: reloaded the TLS certificate')), 15000, logs);
    for (const port of ports) {
      expect(clusterInfo(port)).toMatchObject({ cluster_state: 'ok', cluster_slots_ok: '16384', cluster_known_nodes: '6' });
    }
    expect(cli(ports[2], '-c', 'set', 'renewed', 'yes').trim()).toBe('OK');
    expect(cli(ports[4], '-c', 'get', 'renewed').trim()).toBe('yes');
  }, 60000);

  test('after every node restarts with a new address, the start script lets them find each other by hostname', async () => {
    const before = topology(ports);
    await Promise.all(nodes.map(shutDownRedis));
    // As after a full outage: every IP saved in nodes.conf is gone (127.0.0.9 is loopback, but nothing listens there).
    for (const node of nodes) {
      const conf = path.join(node.dir, 'nodes.conf');
      fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace(/127\.0\.0\.1:/g, '127.0.0.9:'));
    }
    nodes.splice(0, nodes.length, ...nodes.map((node) => startNode(rendered, files, node.port, node.dir)));
    // Healed: every node's cluster bus is connected to every other node again, and the state is ok.
    const healed = (port: number) =>
      clusterInfo(port).cluster_state === 'ok' &&
      cli(port, 'cluster', 'nodes').trim().split('\n').every((line) => line.split(' ')[7] === 'connected');
    await waitFor(() => ports.every(healed), 20000, () => logs() + cli(ports[0], 'cluster', 'nodes'));
    expect(topology(ports)).toEqual(before);
    for (const port of ports) {
      expect(cli(port, 'cluster', 'nodes')).not.toContain('127.0.0.9');
    }
    // The append-only file on the data folder kept the key.
    expect(cli(ports[1], '-c', 'get', 'greeting').trim()).toBe('hello');
  }, 60000);
});

describe('RedisCluster without replicas on real redis-server processes', () => {
  test('3 primaries and no replica: the bootstrap forms them, then finds them formed', async () => {
    const rendered = render({ replicasPerPrimary: 0 });
    expect(rendered.bootstrapEnv.REDIS_CLUSTER_REPLICAS).toBe('0');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-no-replicas-'));
    const files = writeFiles(rendered, dir);
    fs.writeFileSync(path.join(dir, 'bootstrap-cluster.sh'), rendered.bootstrapScript);
    let nodes: RedisProcess[] = [];
    try {
      // Ready: each answers PING, so the bootstrap's own wait is not what the test leans on.
      nodes = await startRedisNodes(3, (port) => startNode(rendered, files, port), (node) => cli(node.port, 'ping').trim() === 'PONG', READY_TIMEOUT_MS, () => 'the nodes did not answer PING');
      const ports = nodes.map((node) => node.port);
      const env = { ...rendered.bootstrapEnv, REDIS_NODES: ports.map((port) => `127.0.0.1:${port}`).join(' '), REDIS_WAIT_SECONDS: '20', REDISCLI_AUTH: PASSWORD };
      const first = await runScript(path.join(dir, 'bootstrap-cluster.sh'), env, SCRIPT_TIMEOUT_MS);
      expect({ status: first.status, output: first.output }).toMatchObject({ status: 0 });
      expect(first.output).toContain('forming a cluster of 3 primaries with 0 replica(s) each');
      const before = topology(ports);
      expect(before[0].filter((node) => node.includes(' master '))).toHaveLength(3);
      for (const port of ports) {
        expect(clusterInfo(port)).toMatchObject({ cluster_state: 'ok', cluster_slots_assigned: '16384', cluster_known_nodes: '3' });
      }
      const second = await runScript(path.join(dir, 'bootstrap-cluster.sh'), env, SCRIPT_TIMEOUT_MS);
      expect({ status: second.status, output: second.output }).toMatchObject({ status: 0 });
      expect(second.output).toContain('the cluster is already formed; no change');
      expect(topology(ports)).toEqual(before);
    } finally {
      await Promise.all(nodes.map(stopRedis));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});

describe('redis-server loads the rendered file for real', () => {
  test('it refuses to start on a misspelt directive added through extraConfig', async () => {
    const rendered = render({ extraConfig: { 'maxmemory-polcy': 'noeviction' } });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-bad-config-'));
    const badFiles = writeFiles(rendered, dir);
    const [port] = await freeRedisPorts(1);
    const node = startNode(rendered, badFiles, port);
    try {
      let timer: NodeJS.Timeout | undefined;
      const exitCode = await Promise.race([node.exited, new Promise((resolve) => (timer = setTimeout(() => resolve('still running'), 20000)))]);
      clearTimeout(timer);
      expect(exitCode).toBe(1);
      expect(node.output()).toContain('FATAL CONFIG FILE ERROR');
      expect(node.output()).toMatch(/maxmemory-polcy.*\n.*Bad directive or wrong number of arguments/);
    } finally {
      await stopRedis(node);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});
