import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tls from 'tls';
import { freeRedisPorts, RedisProcess, redisCliWithInput, runScript, shutDownRedis, startRedisNodes, stopRedis, waitFor } from './support/redis-servers';
import { renderRedis, RedisTestEnvironment } from './support/redis-node-harness';

/**
 * The rendered users (acl-rules.conf), start and users scripts on six real redis-server 7.0 nodes
 * formed into a cluster by the rendered bootstrap script: each client's user runs what its client
 * sends and is refused (NOPERM) outside its commands and keys, the default user is refused, the
 * replicas replicate as the replication user, no password is on a command line, and a rotated
 * password is taken without a restart. How the pods' mounts are replaced: see RedisTestEnvironment.
 */

const READY_TIMEOUT_MS = 30000;
const SCRIPT_TIMEOUT_MS = 25000;
/**
 * The overlap of a rotation here (a pod keeps the previous password an hour): long enough that
 * asking one node twice in a row fits well within it on a loaded machine.
 */
const OVERLAP_SECONDS = 10;
const SESSION_KEY = '__Host-generator-platform-session-4f1c2a9e0b7d6c5a4f1c2a9e0b7d6c5a';
/** bsm/redislock v0.9.4's scripts (redislock.go), which oauth2-proxy 7.6.0 takes its session locks with. */
const REDISLOCK_OBTAIN = `
if redis.call("set", KEYS[1], ARGV[1], "NX", "PX", ARGV[3]) then return redis.status_reply("OK") end

local offset = tonumber(ARGV[2])
if redis.call("getrange", KEYS[1], 0, offset-1) == string.sub(ARGV[1], 1, offset) then return redis.call("set", KEYS[1], ARGV[1], "PX", ARGV[3]) end
`;
const REDISLOCK_REFRESH = 'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end';
const REDISLOCK_PTTL = 'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pttl", KEYS[1]) else return -3 end';
const REDISLOCK_RELEASE = 'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end';

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const NOPERM = /^NOPERM /;
/** An error reply, as redis-cli prints it. */
const REFUSED = /^(NOPERM|ERR|WRONGPASS|NOAUTH)/;

describe('Redis ACL users on real redis-server 7.0 processes', () => {
  const env = new RedisTestEnvironment(renderRedis());
  const nodes: RedisProcess[] = [];
  let ports: number[] = [];
  let bootstrap: { status: number | null; output: string };
  const logs = () => nodes.map((node) => `--- node ${node.port}\n${node.output()}`).join('\n');
  /** `command` as `user`, following MOVED to the key's node (-c) like a cluster client. */
  const as = (user: string, ...command: string[]) => env.cli(ports[0], user, '-c', ...command).trim();
  const start = (port: number, dir?: string) => env.startNode(port, dir, { REDIS_ROTATION_OVERLAP_SECONDS: String(OVERLAP_SECONDS) });
  const answers = (node: RedisProcess) => fs.existsSync(path.join(node.dir, 'run', 'node.auth')) && env.nodeCli(node, 'ping').trim() === 'PONG';
  const replicasUp = () => nodes.every((node) => {
    const replication = env.nodeCli(node, 'info', 'replication');
    return replication.includes('role:master') ? replication.includes('connected_slaves:1') : replication.includes('master_link_status:up');
  });

  beforeAll(async () => {
    nodes.push(...(await startRedisNodes(6, (port) => start(port), answers, READY_TIMEOUT_MS, () => 'the nodes did not answer PING')));
    ports = nodes.map((node) => node.port);
    bootstrap = await runScript(env.scriptFile('bootstrap-cluster.sh'), env.bootstrapEnv(ports), SCRIPT_TIMEOUT_MS);
    await waitFor(replicasUp, 20000, () => `${bootstrap.output}\n${logs()}`);
  }, READY_TIMEOUT_MS + SCRIPT_TIMEOUT_MS + 30000);

  afterAll(async () => {
    try {
      await Promise.all(nodes.map(stopRedis));
    } finally {
      env.remove();
    }
  });

  test('the bootstrap user forms the cluster, and every replica syncs from its primary as the replication user; nothing was refused', () => {
    expect({ status: bootstrap.status, output: bootstrap.output }).toMatchObject({ status: 0, output: expect.stringContaining('forming a cluster of 3 primaries') });
    for (const node of nodes) {
      expect(env.nodeCli(node, 'config', 'get', 'masteruser').split('\n')[1]).toBe('replication');
      // The ACL log lists every refusal since the node started.
      expect(env.nodeCli(node, 'acl', 'log').trim()).toBe('');
    }
    expect(env.cli(ports[0], 'replication', 'get', 'api:x')).toMatch(NOPERM);
    expect(env.cli(ports[0], 'replication', 'info')).toMatch(NOPERM);
    expect(env.cli(ports[0], 'bootstrap', 'get', 'api:x')).toMatch(NOPERM);
    expect(env.cli(ports[0], 'bootstrap', 'flushall')).toMatch(NOPERM);
    expect(env.cli(ports[0], 'bootstrap', 'config', 'set', 'maxmemory', '1')).toMatch(NOPERM);
  });

  test('the default user is off: refused without a password, with any password, and with the password of another user', () => {
    expect(env.cliWithPassword(ports[0], undefined, '', 'ping')).toMatch(/NOAUTH/);
    expect(env.cliWithPassword(ports[0], undefined, 'anything', 'ping')).toMatch(/WRONGPASS/);
    expect(env.cliWithPassword(ports[0], 'default', env.passwords.api, 'ping')).toMatch(/WRONGPASS/);
    expect(env.cliWithPassword(ports[0], 'api', 'not-the-password', 'ping')).toMatch(/WRONGPASS/);
  });

  test.each(['api', 'generator'])('%s reads and writes, scripts and publishes under its own prefix, and is refused everywhere else', (client) => {
    const other = client === 'api' ? 'generator' : 'api';
    expect(as(client, 'set', `${client}:greeting`, 'hello')).toBe('OK');
    expect(as(client, 'get', `${client}:greeting`)).toBe('hello');
    expect(as(client, 'eval', 'return redis.call("get", KEYS[1])', '1', `${client}:greeting`)).toBe('hello');
    expect(as(client, 'publish', `${client}:events`, 'hi')).toMatch(/^\d+$/);
    for (const command of [['info', 'server'], ['cluster', 'slots'], ['cluster', 'info'], ['ping']]) {
      expect(as(client, ...command)).not.toMatch(REFUSED);
    }
    for (const refused of [
      ['get', `${other}:greeting`], ['set', 'greeting', 'x'], ['publish', `${other}:events`, 'hi'],
      ['flushall'], ['keys', '*'], ['config', 'get', 'maxmemory'], ['function', 'flush'], ['script', 'flush'],
      ['acl', 'list'], ['client', 'list'], ['monitor'], ['shutdown'], ['cluster', 'reset'], ['migrate', '127.0.0.1', '1', `${client}:greeting`, '0', '1'],
    ]) {
      expect({ refused, reply: env.cli(ports[0], client, ...refused).trim() }).toEqual({ refused, reply: expect.stringMatching(NOPERM) });
    }
    // A script runs with its caller's permissions.
    expect(as(client, 'eval', `return redis.call("get", "${other}:greeting")`, '0')).toMatch(/^ERR The user executing the script can't access at least one of the keys/);
  });

  test('oauth2-proxy keeps sessions and takes their locks as 7.6.0 and redislock v0.9.4 do, and reaches nothing else', () => {
    const lock = `${SESSION_KEY}.lock`;
    const token = 'lock-token-0123456789abcdef';
    expect(as('oauth2-proxy', 'set', SESSION_KEY, 'ticket-value', 'ex', '28800')).toBe('OK');
    expect(as('oauth2-proxy', 'get', SESSION_KEY)).toBe('ticket-value');
    // go-redis runs a script with EVALSHA first and sends EVAL on NOSCRIPT.
    expect(as('oauth2-proxy', 'evalsha', sha1(REDISLOCK_OBTAIN), '1', lock, token, '16', '5000')).toMatch(/^NOSCRIPT/);
    expect(as('oauth2-proxy', 'eval', REDISLOCK_OBTAIN, '1', lock, token, '16', '5000')).toBe('OK');
    expect(as('oauth2-proxy', 'exists', lock)).toBe('1');
    expect(as('oauth2-proxy', 'eval', REDISLOCK_PTTL, '1', lock, token)).toMatch(/^\d+$/);
    expect(as('oauth2-proxy', 'eval', REDISLOCK_REFRESH, '1', lock, token, '5000')).toBe('1');
    expect(as('oauth2-proxy', 'evalsha', sha1(REDISLOCK_RELEASE), '1', lock, token)).toMatch(/^NOSCRIPT/);
    expect(as('oauth2-proxy', 'eval', REDISLOCK_RELEASE, '1', lock, token)).toBe('1');
    expect(as('oauth2-proxy', 'del', SESSION_KEY)).toBe('1');
    // go-redis logs in with HELLO 3 AUTH and reads the slot map with CLUSTER SLOTS; the readiness check PINGs.
    const hello = redisCliWithInput(ports[0], undefined, '', env.passwords['oauth2-proxy'], '--tls', '--cacert', env.caFile, '-x', 'hello', '3', 'auth', 'oauth2-proxy');
    expect(hello).toMatch(/^version\n?\s*7\.0\.\d+$/m);
    expect(hello).not.toMatch(/WRONGPASS|NOPERM/);
    expect(as('oauth2-proxy', 'cluster', 'slots')).not.toMatch(NOPERM);
    expect(as('oauth2-proxy', 'ping')).toBe('PONG');
    for (const refused of [['get', 'api:greeting'], ['set', 'session', 'x'], ['info'], ['keys', '*'], ['config', 'get', 'maxmemory'], ['flushall'], ['subscribe', 'x']]) {
      expect({ refused, reply: env.cli(ports[0], 'oauth2-proxy', ...refused).trim() }).toEqual({ refused, reply: expect.stringMatching(NOPERM) });
    }
  });

  test('the exporter runs what redis_exporter v1.58.0 sends to its node, but not CONFIG GET, which would show masterauth, and no key command', () => {
    const node = ports[0];
    for (const command of [['client', 'setname', 'redis_exporter'], ['info', 'all'], ['cluster', 'info'], ['latency', 'latest'], ['latency', 'histogram'], ['slowlog', 'len'], ['slowlog', 'get', '1'], ['ping']]) {
      expect({ command, reply: env.cli(node, 'exporter', ...command) }).not.toEqual({ command, reply: expect.stringMatching(REFUSED) });
    }
    expect(env.cli(node, 'exporter', 'info', 'all')).toContain('cluster_enabled:1');
    for (const refused of [['config', 'get', '*'], ['get', 'api:greeting'], ['scan', '0'], ['keys', '*'], ['client', 'list'], ['client', 'kill', 'id', '1']]) {
      expect({ refused, reply: env.cli(node, 'exporter', ...refused).trim() }).toEqual({ refused, reply: expect.stringMatching(NOPERM) });
    }
    // What the node user, and only it, can read: masterauth in clear.
    expect(env.nodeCli(nodes[0], 'config', 'get', 'masterauth').split('\n')[1]).toBe(env.passwords.replication);
  });

  test('no password is on the command line or in the environment of redis-server or its loops; the ACL file holds hashes only, mode 0600', () => {
    for (const node of nodes) {
      const secrets = [...Object.values(env.passwords), env.nodeAuth(node)];
      const pids = [node.child.pid!, ...childProcesses(node.child.pid!)];
      const commandLines = pids.map((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
      expect(commandLines[0]).toMatch(/^redis-server/);
      expect(commandLines.slice(1).sort()).toEqual([
        expect.stringMatching(new RegExp(`reload-tls\\.sh watch \\d+ \\d+ ${node.child.pid} $`)),
        expect.stringMatching(new RegExp(`users\\.sh watch ${node.child.pid} $`)),
      ]);
      for (const pid of pids) {
        const seen = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') + fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
        expect(secrets.filter((secret) => seen.includes(secret))).toEqual([]);
      }
      const aclFile = path.join(node.dir, 'run', 'users.acl');
      const acl = fs.readFileSync(aclFile, 'utf8');
      expect(fs.statSync(aclFile).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.join(node.dir, 'run', 'node.auth')).mode & 0o777).toBe(0o600);
      expect(secrets.filter((secret) => acl.includes(secret))).toEqual([]);
      for (const [user, password] of Object.entries(env.passwords)) {
        expect(acl).toMatch(new RegExp(`^user ${user} .* #${sha256(password)}$`, 'm'));
      }
      expect(acl).toMatch(/^user default off /m);
    }
  });

  test('a rotated password is accepted without a restart, the previous one until the overlap ends, and open connections stay', async () => {
    const pids = nodes.map((node) => node.child.pid);
    const oldPassword = env.passwords.api;
    const open = await AuthenticatedConnection.open(ports[0], env.caFile, 'api', oldPassword);
    try {
      const newPassword = env.rotatePassword('api');
      const acceptedBy = (password: string) => ports.filter((port) => env.cliWithPassword(port, 'api', password, 'ping').trim() === 'PONG').length;
      // Each node, as soon as it takes the new password, still takes the previous one: clients not
      // restarted yet keep working. Asked node by node right then, so that a slow machine cannot let
      // one node's overlap run out while the others are still being asked.
      const previousStillAccepted = new Map<number, boolean>();
      const takes = (port: number, password: string) => env.cliWithPassword(port, 'api', password, 'ping').trim() === 'PONG';
      await waitFor(() => {
        for (const port of ports.filter((p) => !previousStillAccepted.has(p) && takes(p, newPassword))) {
          previousStillAccepted.set(port, takes(port, oldPassword));
        }
        return previousStillAccepted.size === ports.length;
      }, 15000, logs);
      expect(ports.map((port) => previousStillAccepted.get(port))).toEqual(ports.map(() => true));
      await waitFor(() => acceptedBy(oldPassword) === 0, 15000 + OVERLAP_SECONDS * 1000, logs);
      expect(await open.command('PING')).toBe('+PONG');
      expect(nodes.every((node) => node.output().includes('users: api has a new password') && node.output().includes('users: the previous password of api is no longer accepted'))).toBe(true);
      expect(nodes.map((node) => node.child.pid)).toEqual(pids);
    } finally {
      open.close();
    }
  }, 60000);

  test('a rotated replication password becomes masterauth; a replica restarted after the overlap syncs with it', async () => {
    const newPassword = env.rotatePassword('replication');
    await waitFor(() => nodes.every((node) => env.nodeCli(node, 'config', 'get', 'masterauth').split('\n')[1] === newPassword), 15000, logs);
    await waitFor(() => nodes.every((node) => node.output().includes('users: the previous password of replication is no longer accepted')), 15000 + OVERLAP_SECONDS * 1000, logs);
    const index = nodes.findIndex((node) => env.nodeCli(node, 'info', 'replication').includes('role:slave'));
    await shutDownRedis(nodes[index]);
    nodes[index] = start(nodes[index].port, nodes[index].dir);
    await waitFor(() => answers(nodes[index]) && replicasUp(), 20000, logs);
  }, 60000);

  test('masterauth reaches redis-server byte for byte, whatever the replication password holds', async () => {
    const odd = new RedisTestEnvironment(env.rendered);
    const password = 'quote" backslash\\ space $dollar \'single\' #hash';
    odd.rotatePassword('replication', password);
    const [port] = await freeRedisPorts(1);
    const node = odd.startNode(port);
    try {
      await waitFor(() => fs.existsSync(path.join(node.dir, 'run', 'node.auth')) && odd.nodeCli(node, 'ping').trim() === 'PONG', READY_TIMEOUT_MS, () => node.output());
      expect(odd.nodeCli(node, 'config', 'get', 'masterauth').split('\n')[1]).toBe(password);
    } finally {
      await stopRedis(node);
      odd.remove();
    }
  });

  test('a node whose user has no password file does not start, and says which', async () => {
    const missing = new RedisTestEnvironment(env.rendered);
    fs.rmSync(path.join(missing.credentialsDir, 'generator'));
    const [port] = await freeRedisPorts(1);
    const node = missing.startNode(port);
    try {
      expect(await node.exited).not.toBe(0);
      expect(node.output()).toContain(`users: no password for the user generator: ${missing.credentialsDir}/generator is missing or empty`);
    } finally {
      await stopRedis(node);
      missing.remove();
    }
  });
});

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

/** A client connection that logged in once and stays open, as a client's pool keeps it across a rotation. */
class AuthenticatedConnection {
  public static open(port: number, caFile: string, user: string, password: string): Promise<AuthenticatedConnection> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: fs.readFileSync(caFile) }, async () => {
        const connection = new AuthenticatedConnection(socket);
        const reply = await connection.command('AUTH', user, password);
        return reply === '+OK' ? resolve(connection) : reject(new Error(`AUTH answered ${reply}`));
      });
      socket.once('error', reject);
    });
  }

  private constructor(private readonly socket: tls.TLSSocket) {}

  /** Sends one command and resolves with the first line of the reply. */
  public command(...args: string[]): Promise<string> {
    return new Promise((resolve) => {
      this.socket.once('data', (data) => resolve(data.toString().split('\r\n')[0]));
      this.socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`);
    });
  }

  public close(): void {
    this.socket.destroy();
  }
}
