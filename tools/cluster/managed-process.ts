import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

/**
 * Runs a program in its own process group with its output in a log file, under a watchdog shell
 * that ends it when the process that started it is gone: a test run killed outright (SIGKILL, a
 * jest worker torn down) leaves no control plane behind. `stop()` ends the whole group.
 */
export class ManagedProcess {
  private readonly child: ChildProcess;
  private exited: Promise<void>;
  private exitCode: number | null = null;

  public constructor(
    public readonly name: string,
    command: string,
    args: readonly string[],
    public readonly logFile: string,
  ) {
    const log = fs.openSync(logFile, 'a');
    // $1: the owner's pid; the rest: the program. The loop polls both; either gone ends the other.
    // `end` asks politely, then kills: a kube-apiserver whose etcd is already gone hangs in its
    // graceful shutdown for good (found when a killed test run left one behind).
    const watchdog = 'owner=$1; shift; "$@" & child=$!; ' +
      'end() { kill -TERM $child 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 $child 2>/dev/null || return 0; sleep 1; done; kill -KILL $child 2>/dev/null; }; ' +
      'trap \'end; exit\' TERM INT; ' +
      'while kill -0 "$owner" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1; done; end; wait $child';
    this.child = spawn('bash', ['-c', watchdog, 'watchdog', String(process.pid), command, ...args], { detached: true, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        this.exitCode = code ?? -1;
        resolve();
      });
    });
  }

  /** Whether the program (its watchdog) has ended. */
  public get hasExited(): boolean {
    return this.exitCode !== null;
  }

  /** The last lines of its log, for error messages. */
  public logTail(lines = 15): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** SIGTERM to the whole process group, SIGKILL after `graceMs`; resolves when the group leader is gone. */
  public async stop(graceMs = 5000): Promise<void> {
    if (this.hasExited || this.child.pid === undefined) {
      return;
    }
    signalGroup(this.child.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(this.child.pid!, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    // The program may outlive its watchdog by a moment: nothing of the group may stay.
    signalGroup(this.child.pid, 'SIGKILL');
  }

  /** The process group id (= the watchdog's pid), for tests that check nothing is left. */
  public get processGroup(): number {
    return this.child.pid ?? -1;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

/** Whether any process of the group is still alive. */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A port the kernel just handed out on 127.0.0.1 and that is free again: two runs side by side do not collide. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    ports.add(await freePort());
  }
  return [...ports];
}

/** Polls `check` until it returns true, failing early when `process` ended; never a fixed sleep in place of readiness. */
export async function waitFor(what: string, check: () => Promise<boolean>, options: { readonly timeoutMs: number; readonly intervalMs?: number; readonly process?: ManagedProcess }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.process?.hasExited) {
      throw new Error(`${options.process.name} exited while waiting for ${what}; its log (${options.process.logFile}) ends:\n${options.process.logTail()}`);
    }
    if (await check().catch(() => false)) {
      return;
    }
    if (Date.now() > deadline) {
      const tail = options.process ? `; ${options.process.name}'s log ends:\n${options.process.logTail()}` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

/** The folder every control plane's scratch folder is made in, with the owner's pid in its name. */
export function scratchFolderName(prefix: string): string {
  return `${prefix}${process.pid}-`;
}

/**
 * Removes scratch folders of earlier runs whose owner process is gone (a run killed before it
 * could clean up); their programs already ended through the watchdog.
 */
export function removeOrphanedScratchFolders(parent: string, prefix: string): void {
  for (const entry of fs.readdirSync(parent)) {
    const match = new RegExp(`^${prefix}(\\d+)-`).exec(entry);
    if (match && !pidAlive(Number(match[1]))) {
      fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
    }
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
