import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** Debian's postgresql-15 binaries (scripts/ensure-test-tools.sh installs them). */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
/** Bound of one command (initdb, pg_ctl, psql); on a loaded machine initdb alone can take many seconds. */
const COMMAND_TIMEOUT_MS = 45_000;
/** How long pg_ctl waits for the server to accept connections (seconds). */
const START_WAIT_S = 40;
/** Starts of a server when the port chosen free was taken before postgres bound it. */
const START_ATTEMPTS = 3;

/** What a command printed and how it ended. */
export interface CommandResult {
  readonly status: number | null;
  readonly output: string;
}

/**
 * Runs a PostgreSQL binary as the `postgres` user: initdb and postgres refuse to run as root.
 * Bounded by a timeout so that a hung server fails the test instead of stalling it.
 */
export function runAsPostgres(binary: string, args: readonly string[]): CommandResult {
  const executable = path.join(PG_BIN, binary);
  const [command, commandArgs] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', executable, ...args]] : [executable, [...args]];
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

/** A fresh folder that the `postgres` user owns. */
export function postgresOwnedTempDir(): string {
  if (!fs.existsSync(path.join(PG_BIN, 'postgres'))) {
    throw new Error(`no PostgreSQL 15 server in ${PG_BIN}; run scripts/ensure-test-tools.sh (or set PG_BIN)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-params-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(dir, uid, gid);
  }
  return dir;
}

/** A free TCP port on 127.0.0.1, as freeLocalPort, for synchronous code (asked of a child node). */
export function freeLocalPortSync(): number {
  const script = "const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => console.log(port)); });";
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim());
}

/** A free TCP port on 127.0.0.1 (released just before the server binds it). */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A throw-away server in `dataDir`, configured the way CloudNativePG does it: postgresql.conf
 * includes a custom.conf holding the Cluster's `postgresql.parameters`. It listens on 127.0.0.1
 * only, with its unix socket beside the data.
 */
export class ThrowawayServer {
  public readonly socketDir: string;
  public readonly logFile: string;

  private currentPort: number;
  private harness = false;

  public constructor(
    private readonly dataDir: string,
    port: number,
  ) {
    this.currentPort = port;
    this.socketDir = path.dirname(dataDir);
    this.logFile = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.log`);
  }

  /** The port it listens on: the one it was given, or another if that was taken when it started. */
  public get port(): number {
    return this.currentPort;
  }

  /** Creates the data folder (trust authentication: only the local postgres user can reach it). */
  public initdb(): CommandResult {
    return runAsPostgres('initdb', ['-D', this.dataDir, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C', '--no-sync']);
  }

  /** Writes the parameters to custom.conf, as the operator writes the Cluster's. */
  public configure(parameters: Readonly<Record<string, string>>): void {
    this.writeHarness();
    writeAsPostgres(path.join(this.dataDir, 'custom.conf'), lines(parameters, quoteSetting));
    fs.appendFileSync(path.join(this.dataDir, 'postgresql.conf'), "\ninclude 'harness.conf'\ninclude 'custom.conf'\n");
  }

  /** The harness's own settings: where it listens. */
  private writeHarness(): void {
    const harness = { listen_addresses: '127.0.0.1', port: String(this.currentPort), unix_socket_directories: this.socketDir };
    writeAsPostgres(path.join(this.dataDir, 'harness.conf'), lines(harness, quoteSetting));
    this.harness = true;
  }

  /**
   * Starts the server and waits until it accepts connections (pg_ctl -w: it polls the server), or
   * fails. Its port was free when chosen; should another process have bound it since, the server
   * starts again on another.
   */
  public start(): CommandResult {
    for (let attempt = 1; ; attempt++) {
      fs.rmSync(this.logFile, { force: true });
      const result = runAsPostgres('pg_ctl', ['start', '-D', this.dataDir, '-l', this.logFile, '-w', '-t', String(START_WAIT_S)]);
      const log = fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
      const output = `${result.output}${log}`;
      if (result.status === 0 || attempt >= START_ATTEMPTS || !this.harness || !/could not bind|address already in use/i.test(output)) {
        return { status: result.status, output };
      }
      this.currentPort = freeLocalPortSync();
      this.writeHarness();
    }
  }

  /** `SHOW <name>` for each name, in order. */
  public show(names: readonly string[]): string[] {
    for (const name of names) {
      if (!/^[a-z_][a-z0-9_.]*$/.test(name)) {
        throw new Error(`not a parameter name: ${name}`);
      }
    }
    const args = ['-X', '-A', '-t', '-h', this.socketDir, '-p', String(this.port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1'];
    const result = runAsPostgres('psql', [...args, ...names.flatMap((name) => ['-c', `SHOW ${name}`])]);
    if (result.status !== 0) {
      throw new Error(`psql failed: ${result.output}`);
    }
    return result.output.trim().split('\n');
  }

  public stop(): void {
    runAsPostgres('pg_ctl', ['stop', '-D', this.dataDir, '-m', 'immediate', '-w', '-t', '10']);
  }
}

/** A postgresql.conf string value. */
function quoteSetting(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function lines(settings: Readonly<Record<string, string>>, quote: (value: string) => string): string {
  return Object.entries(settings).map(([name, value]) => `${name} = ${quote(value)}\n`).join('');
}

function writeAsPostgres(file: string, content: string): void {
  fs.writeFileSync(file, content);
  const owner = fs.statSync(path.dirname(file));
  fs.chownSync(file, owner.uid, owner.gid);
}

/**
 * A setting as a comparable value: memory in bytes, time in milliseconds, booleans, numbers,
 * text. PostgreSQL prints `60s` back as `1min` and `on` as `on`; both sides go through this.
 */
export function normaliseSetting(value: string): string {
  const memory: Record<string, number> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
  const time: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };
  const trimmed = value.trim();
  const quantity = /^(-?\d+(?:\.\d+)?)\s*([a-zA-Z]+)?$/.exec(trimmed);
  if (quantity) {
    const [, amount, unit] = quantity;
    if (unit === undefined) {
      return `number:${Number(amount)}`;
    }
    if (unit in memory) {
      return `bytes:${Number(amount) * memory[unit]}`;
    }
    if (unit in time) {
      return `ms:${Number(amount) * time[unit]}`;
    }
  }
  const booleans: Record<string, boolean> = { on: true, true: true, yes: true, off: false, false: false, no: false };
  const lower = trimmed.toLowerCase();
  return lower in booleans ? `bool:${booleans[lower]}` : `text:${lower}`;
}

/** A server started as CloudNativePG 1.22 runs one: TLS 1.3 only, SCRAM passwords. */
export interface TlsServer {
  /** Temporary folder owned by the postgres user; remove it after `server.stop()`. */
  readonly workDir: string;
  readonly dataDir: string;
  readonly server: ThrowawayServer;
}

/**
 * initdb, a throw-away self-signed key pair standing in for the cert-manager Secret (owned by
 * postgres, 0600), the TLS settings CloudNativePG fixes itself, and start. Throws with the
 * server's output when a step fails.
 */
export async function startTlsServer(): Promise<TlsServer> {
  const workDir = postgresOwnedTempDir();
  const dataDir = path.join(workDir, 'data');
  const server = new ThrowawayServer(dataDir, await freeLocalPort());
  const init = server.initdb();
  if (init.status !== 0) {
    throw new Error(`initdb failed: ${init.output}`);
  }
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-keyout', path.join(dataDir, 'server.key'), '-out', path.join(dataDir, 'server.crt')], { stdio: 'ignore' });
  const postgresUser = fs.statSync(dataDir);
  for (const file of ['server.key', 'server.crt']) {
    fs.chownSync(path.join(dataDir, file), postgresUser.uid, postgresUser.gid);
    fs.chmodSync(path.join(dataDir, file), 0o600);
  }
  server.configure({ ssl: 'on', ssl_cert_file: 'server.crt', ssl_key_file: 'server.key', ssl_min_protocol_version: 'TLSv1.3', password_encryption: 'scram-sha-256' });
  const start = server.start();
  if (start.status !== 0) {
    throw new Error(`start failed: ${start.output}`);
  }
  return { workDir, dataDir, server };
}
