import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freeLocalPort } from './postgres-server';

/**
 * Debian's rabbitmq-server (scripts/ensure-test-tools.sh installs it): the script itself, not the
 * /usr/sbin wrapper, which switches to the rabbitmq user in /var/lib/rabbitmq and logs to /var/log.
 */
export const RABBITMQ_SERVER = process.env.RABBITMQ_SERVER ?? '/usr/lib/rabbitmq/bin/rabbitmq-server';
/** Debian's rabbitmqctl script beside it, for the same reason. */
export const RABBITMQCTL = path.join(path.dirname(RABBITMQ_SERVER), 'rabbitmqctl');
const HOST = '127.0.0.1';
const STOP_TIMEOUT_MS = 15_000;
/**
 * Erlang's `net_setuptime` (seconds) for the nodes and their CLI tools. Its default, 7 s, bounds the
 * whole setup of a distribution connection: over TLS that is two TLS handshakes' worth of key
 * operations and certificate checks in VMs that may have just started, which on a loaded machine
 * takes longer than 7 s. The CLI then reports "TCP connection succeeded but Erlang distribution
 * failed" though the node is up and would have accepted it. Failing handshakes (a foreign CA, plain
 * distribution) are still refused at once.
 */
const NET_SETUPTIME_S = 60;
/** Attempts at starting a node (or epmd) when a port chosen free was taken before it bound it. */
const START_ATTEMPTS = 3;

/**
 * The server's TLS key pair and the CA it trusts (copied to `tls/ca.crt`, `tls/tls.crt`,
 * `tls/tls.key` in its folder, as the pod's mount holds them), and the definitions (vhosts, users,
 * topology) it loads at boot, if any.
 */
export interface RabbitmqServerFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly definitionsFile?: string;
}

/** How a node differs from a lone node with defaults: for nodes that form a cluster. */
export interface RabbitmqNodeOptions {
  /**
   * Erlang node name; a host with a dot makes it a long name (`RABBITMQ_USE_LONGNAME`), as the
   * operator's are. The host must resolve to 127.0.0.1, e.g. through `ERL_INETRC` in `env`.
   * @default - `test-<pid>-<port>@localhost`
   */
  readonly nodeName?: string;
  /**
   * Port of an epmd on 127.0.0.1 (startEpmd) the node registers with: nodes that are to find each
   * other must share one, since every host name resolves to the same address.
   * @default - an epmd of its own, stopped with the node
   */
  readonly epmdPort?: number;
  /** Erlang cookie, shared by the nodes of a cluster and the CLI tools. @default - one the node generates */
  readonly erlangCookie?: string;
  /**
   * More files in the node's folder, by path relative to it, given the folder: e.g. its
   * `rabbitmq-env.conf` (the operator's `envConfig`, empty by default) and an `ssl_dist_optfile`.
   * @default - none
   */
  readonly extraFiles?: (dir: string) => Record<string, string>;
  /** More environment for the node and its CLI tools (e.g. `ERL_INETRC`). @default - none */
  readonly env?: Record<string, string>;
}

/** A rabbitmq-server node started by a test, listening with TLS only on 127.0.0.1:`port`. */
export interface RabbitmqServer {
  readonly port: number;
  readonly nodeName: string;
  /** The node's folder. */
  readonly dir: string;
  /** stdout and stderr so far (the node logs to stdout), for failure messages. */
  output(): string;
  /**
   * Runs rabbitmqctl as the node's user with the node's environment (its rabbitmq-env.conf and
   * cookie), `env` overriding; resolves with its exit code and output, never rejects.
   */
  rabbitmqctl(args: readonly string[], env?: Record<string, string>): Promise<{ code: number; output: string }>;
  /** Stops the node and its own epmd, and removes its folder. */
  stop(): Promise<void>;
}

/** An epmd started by a test on 127.0.0.1:`port`. */
export interface Epmd {
  readonly port: number;
  stop(): Promise<void>;
}

/** The rabbitmq user's uid and gid when the test runs as root; `undefined` runs the node as the test's own user. */
function unprivilegedIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) {
    return undefined;
  }
  const id = (flag: string) => Number(execFileSync('id', [flag, 'rabbitmq'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function chownTree(dir: string, ids: { uid: number; gid: number }): void {
  fs.chownSync(dir, ids.uid, ids.gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const entryPath = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      chownTree(entryPath, ids);
    } else {
      fs.chownSync(entryPath, ids.uid, ids.gid);
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves with the exit code once `child` has exited and its output is read to the end. */
function closed(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.exitCode);
    } else {
      child.once('close', (code) => resolve(code));
    }
  });
}

/** Kills `child` (with SIGTERM, then SIGKILL to its process group after `STOP_TIMEOUT_MS`) and waits until it has exited. */
async function terminate(child: ChildProcess, group: boolean): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = closed(child);
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS)))]);
  clearTimeout(timer);
  if (!stopped) {
    if (group) {
      process.kill(-child.pid!, 'SIGKILL');
    } else {
      child.kill('SIGKILL');
    }
    await exited;
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts epmd on a free loopback port, as the unprivileged `rabbitmq` user when the test runs as
 * root. A node starts epmd itself when none answers, as a daemon that outlives it; one started here
 * is stopped by its pid.
 */
export async function startEpmd(timeoutMs: number): Promise<Epmd> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEpmdOnce(timeoutMs);
    } catch (error) {
      // The port was free when chosen; another process may have bound it since: choose again.
      if (attempt >= START_ATTEMPTS || !/address already in use|eaddrinuse/i.test(String((error as Error).message))) {
        throw error;
      }
    }
  }
}

async function startEpmdOnce(timeoutMs: number): Promise<Epmd> {
  const port = await freeLocalPort();
  const epmd = spawn('epmd', ['-port', String(port), '-address', HOST], { ...unprivilegedIds(), env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  epmd.stdout.on('data', (chunk) => (output += chunk));
  epmd.stderr.on('data', (chunk) => (output += chunk));
  const stop = () => terminate(epmd, false);
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (epmd.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`epmd did not start on port ${port}: ${output}`);
    }
    await pause(50);
  }
  return { port, stop };
}

/**
 * Starts a rabbitmq-server node in a new temporary folder, configured as the RabbitMQ Cluster
 * Operator 2.7 configures a cluster with a CA Secret and `disableNonTLSListeners` (no plaintext
 * listener, `verify_peer` without `fail_if_no_peer_cert`: clients need no certificate), and
 * isolated from anything else on the machine: its own epmd (or one shared with the nodes of its
 * test cluster) and Erlang distribution port on free loopback ports, a unique node name, no
 * plugins, nothing read from /etc/rabbitmq or /var/lib/rabbitmq, the Erlang cookie in its own
 * HOME. As root, it runs as the unprivileged `rabbitmq` user. Resolves once the node has loaded the
 * definitions and opened its listener.
 */
export async function startRabbitmq(files: RabbitmqServerFiles, timeoutMs: number, options: RabbitmqNodeOptions = {}): Promise<RabbitmqServer> {
  if (!fs.existsSync(RABBITMQ_SERVER)) {
    throw new Error(`no ${RABBITMQ_SERVER}; run scripts/ensure-test-tools.sh (or set RABBITMQ_SERVER)`);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRabbitmqOnce(files, timeoutMs, options);
    } catch (error) {
      // The listener or distribution port was free when chosen, and taken before the node bound it: choose again.
      if (attempt >= START_ATTEMPTS || !/eaddrinuse|address already in use/i.test(String((error as Error).message))) {
        throw error;
      }
    }
  }
}

async function startRabbitmqOnce(files: RabbitmqServerFiles, timeoutMs: number, options: RabbitmqNodeOptions): Promise<RabbitmqServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rabbitmq-'));
  try {
    return await startRabbitmqIn(dir, files, timeoutMs, options);
  } catch (error) {
    // startRabbitmqIn stops what it started; the folder goes on every path.
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function startRabbitmqIn(dir: string, files: RabbitmqServerFiles, timeoutMs: number, options: RabbitmqNodeOptions): Promise<RabbitmqServer> {
  const [port, distributionPort] = [await freeLocalPort(), await freeLocalPort()];
  const local = (name: string) => path.join(dir, name);
  for (const folder of ['home', 'mnesia', 'log', 'tls']) {
    fs.mkdirSync(local(folder));
  }
  // The node reads its files as the user it runs as: copies in its folder, as the pod's mounts are.
  fs.copyFileSync(files.caFile, local('tls/ca.crt'));
  fs.copyFileSync(files.certFile, local('tls/tls.crt'));
  fs.copyFileSync(files.keyFile, local('tls/tls.key'));
  if (files.definitionsFile) {
    fs.copyFileSync(files.definitionsFile, local('definitions.json'));
  }
  fs.writeFileSync(local('rabbitmq.conf'), [
    'listeners.tcp = none',
    `listeners.ssl.default = ${HOST}:${port}`,
    `ssl_options.cacertfile = ${local('tls/ca.crt')}`,
    `ssl_options.certfile = ${local('tls/tls.crt')}`,
    `ssl_options.keyfile = ${local('tls/tls.key')}`,
    'ssl_options.verify = verify_peer',
    ...(files.definitionsFile ? [`load_definitions = ${local('definitions.json')}`] : []),
  ].join('\n') + '\n');
  fs.writeFileSync(local('enabled_plugins'), '[].\n');
  fs.writeFileSync(local('rabbitmq-env.conf'), '');
  for (const [file, content] of Object.entries(options.extraFiles?.(dir) ?? {})) {
    fs.mkdirSync(path.dirname(local(file)), { recursive: true });
    fs.writeFileSync(local(file), content);
  }
  if (options.erlangCookie !== undefined) {
    fs.writeFileSync(local('home/.erlang.cookie'), options.erlangCookie, { mode: 0o400 });
  }
  const ids = unprivilegedIds();
  if (ids) {
    chownTree(dir, ids);
  }

  const nodeName = options.nodeName ?? `test-${process.pid}-${port}@localhost`;
  const ownEpmd = options.epmdPort === undefined ? await startEpmd(timeoutMs) : undefined;
  const env = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: local('home'),
    ERL_EPMD_PORT: String(options.epmdPort ?? ownEpmd!.port),
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_USE_LONGNAME: String(nodeName.split('@')[1].includes('.')),
    RABBITMQ_DIST_PORT: String(distributionPort),
    // Through ERL_AFLAGS rather than SERVER_ADDITIONAL_ERL_ARGS, which rabbitmq-env.conf may set.
    ERL_AFLAGS: `-kernel inet_dist_use_interface {127,0,0,1} -kernel net_setuptime ${NET_SETUPTIME_S}`,
    RABBITMQ_CONFIG_FILE: local('rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: local('advanced.config'),
    RABBITMQ_CONF_ENV_FILE: local('rabbitmq-env.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: local('enabled_plugins'),
    RABBITMQ_MNESIA_BASE: local('mnesia'),
    RABBITMQ_LOG_BASE: local('log'),
    RABBITMQ_LOGS: '-',
    ...options.env,
  };
  let output = '';
  const collect = (child: ChildProcess) => {
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
  };
  // Its own process group: the script runs the node as its child, so a kill of last resort must reach both.
  const node = spawn(RABBITMQ_SERVER, [], { ...ids, cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  collect(node);
  const stop = async () => {
    await terminate(node, true);
    await ownEpmd?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const rabbitmqctl = (args: readonly string[], overrides: Record<string, string> = {}) =>
    new Promise<{ code: number; output: string }>((resolve) => {
      // SIGKILL on timeout: a CLI VM stuck in a handshake may not stop on SIGTERM, and would outlive the test.
      execFile(RABBITMQCTL, args, { ...ids, cwd: dir, env: { ...env, ...overrides }, timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      });
    });

  try {
    const deadline = Date.now() + timeoutMs;
    while (!output.includes('Server startup complete')) {
      if (node.exitCode !== null) {
        throw new Error(`rabbitmq-server exited with ${node.exitCode}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`rabbitmq-server did not start within ${timeoutMs} ms`);
      }
      await pause(100);
    }
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}:\n${output}`, { cause: error });
  }
  return { port, nodeName, dir, output: () => output, rabbitmqctl, stop };
}
