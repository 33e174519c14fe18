import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

const HOST = '127.0.0.1';
/** Redis puts the cluster bus on the client port + 10000; both must be free. */
const CLUSTER_BUS_OFFSET = 10000;

/** A redis-server process started by a test, with its own folder; `stop()` kills it by its pid. */
export interface RedisProcess {
  readonly port: number;
  readonly dir: string;
  readonly child: ChildProcess;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** `count` ports on 127.0.0.1 whose cluster-bus ports (+10000) are free too; asked of the OS, so parallel runs do not collide. */
export async function freeRedisPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const candidate = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, HOST, () => {
        const port = (server.address() as net.AddressInfo).port;
        server.close(() => resolve(port));
      });
    });
    if (candidate + CLUSTER_BUS_OFFSET <= 65535 && !ports.includes(candidate) && (await portIsFree(candidate + CLUSTER_BUS_OFFSET))) {
      ports.push(candidate);
    }
  }
  return ports;
}

/**
 * Runs `command` (redis-server, or a script that execs it) in a new temporary folder, which
 * `commandFor` is given, or in `options.dir` to restart a node on its old data.
 */
export function startRedis(
  port: number,
  commandFor: (dir: string) => readonly string[],
  options: { dir?: string; env?: Record<string, string> } = {},
): RedisProcess {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), `redis-${port}-`));
  const [command, ...args] = commandFor(dir);
  const child = spawn(command, args, { cwd: dir, env: { PATH: process.env.PATH, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  // 'close', not 'exit': it comes after the output has been read to the end.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { port, dir, child, exited, output: () => output };
}

/** Stops the process gracefully (SIGTERM: Redis saves nodes.conf and fsyncs the AOF) and keeps its folder. */
export async function shutDownRedis(node: RedisProcess): Promise<void> {
  node.child.kill('SIGTERM');
  await node.exited;
}

/** Kills the process by its pid and removes its folder. */
export async function stopRedis(node: RedisProcess): Promise<void> {
  if (node.child.exitCode === null && node.child.signalCode === null) {
    node.child.kill('SIGKILL');
    await node.exited;
  }
  fs.rmSync(node.dir, { recursive: true, force: true });
}

/**
 * Starts `count` nodes on free ports (`start` starts the `index`-th on a given port) and resolves once each
 * answers (`ready`). A port is free when chosen and bound a moment later by redis-server: should
 * another process take it in between, that node exits with "Address already in use" and is started
 * again on another port (up to `attempts` times). Fails with `describe()` after `timeoutMs`, having
 * stopped every node it started (and removed their folders).
 */
export async function startRedisNodes(
  count: number,
  start: (port: number, index: number) => RedisProcess,
  ready: (node: RedisProcess) => boolean,
  timeoutMs: number,
  describe: () => string,
  attempts = 3,
): Promise<RedisProcess[]> {
  const nodes = (await freeRedisPorts(count)).map((port, index) => start(port, index));
  try {
    const deadline = Date.now() + timeoutMs;
    const retries = new Map<number, number>();
    for (;;) {
      for (const [index, node] of nodes.entries()) {
        const exited = node.child.exitCode !== null || node.child.signalCode !== null;
        if (exited && /address already in use/i.test(node.output()) && (retries.get(index) ?? 0) < attempts) {
          retries.set(index, (retries.get(index) ?? 0) + 1);
          await stopRedis(node);
          const taken = nodes.map((n) => n.port);
          let port: number;
          do {
            [port] = await freeRedisPorts(1);
          } while (taken.includes(port));
          nodes[index] = start(port, index);
        }
      }
      if (nodes.every((node) => node.child.exitCode === null && node.child.signalCode === null && ready(node))) {
        return nodes;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms: ${describe()}\n${nodes.map((n) => `--- node ${n.port}\n${n.output()}`).join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await Promise.all(nodes.map(stopRedis));
    throw error;
  }
}

/** One redis-cli command against a local node as the default user; the password travels in the environment, as in the pods. */
export function redisCli(port: number, password: string, ...command: string[]): string {
  return redisCliAs(port, undefined, password, ...command);
}

/** One redis-cli command against a local node as the ACL user `user` (`--user`; the default user when undefined), with the password in the environment. */
export function redisCliAs(port: number, user: string | undefined, password: string, ...command: string[]): string {
  return redisCliWithInput(port, user, password, undefined, ...command);
}

/** As redisCliAs, with `input` on redis-cli's standard input (which `-x` takes as the last argument). */
export function redisCliWithInput(port: number, user: string | undefined, password: string, input: string | undefined, ...command: string[]): string {
  const result = spawnSync('redis-cli', ['-h', HOST, '-p', String(port), ...(user !== undefined ? ['--user', user] : []), ...command], {
    // An empty password: none at all, as a client that does not log in.
    env: { PATH: process.env.PATH, ...(password !== '' ? { REDISCLI_AUTH: password } : {}) },
    input,
    encoding: 'utf8',
    timeout: 5000,
  });
  return `${result.stdout}${result.stderr}`.replace(/\r/g, '');
}

/** Polls `check` every 100 ms until it returns true, failing after `timeoutMs` with `describe()`. */
export async function waitFor(check: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A `sh` script run to completion with only `env` (and PATH) in its environment. Asynchronous, so the
 * servers' output keeps being read meanwhile; killed after `timeoutMs`.
 */
export function runScript(
  scriptFile: string,
  env: Record<string, string>,
  timeoutMs: number,
  args: readonly string[] = [],
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', [scriptFile, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}
