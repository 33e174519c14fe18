import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OAUTH2_PROXY_SESSION_ACCESS } from '../../../lib/security/oauth2-proxy-args';
import { LongRunningService } from '../../../lib/services/long-running-service';
import { RedisClusterProps } from '../../../lib/stores/redis-cluster';
import { find, objectsOf } from '../../support/kube';
import { IMAGE, oneReplica, prometheus, smallResources } from '../../support/service-fixtures';
import { minimalRedis } from './redis-fixtures';
import { RedisProcess, redisCliAs, redisCliWithInput, startRedis } from './redis-servers';
import { createTestCertificateAuthority, issueTestKeyPair, TestCertificateAuthority, TestKeyPair } from './test-certificates';

/**
 * Runs the rendered Redis files the way the pods do, on 127.0.0.1, over TLS only. What is
 * replaced, and why:
 * - the ConfigMap mount (`/etc/redis/`) by a folder holding its files; the data volume (`/data`) and
 *   the memory volume (`/run/redis/`) by a folder per node (each node makes its own node password),
 *   so redis.conf, which names the ACL file there, is written per node;
 * - the mounted certificate Secret (`/etc/redis-tls/`) by a throwaway CA and a key pair for
 *   `localhost` and 127.0.0.1 (the pod DNS names exist only in the cluster); the users' password
 *   Secrets (`/etc/redis-credentials/`) by a file per user with a random test password. Like the
 *   kubelet's mounts, both folders are symlinks that a renewal or rotation swaps in one rename;
 * - `$(POD_FQDN)` by 127.0.0.1, `REDIS_PORT`, and the reload interval (1 s instead of 30 s);
 * added: `--tls-port` (six nodes share one host) and `--bind 127.0.0.1` (nothing listens beyond loopback).
 */

export const ANNOUNCED_HOST = '127.0.0.1';
const POD_PATHS = { config: '/etc/redis', tls: '/etc/redis-tls', credentials: '/etc/redis-credentials', run: '/run/redis', data: '/data' };

/** One rendered node: its pod, the zone its StatefulSet pins it to, and the planned primaries' count of that set. */
export interface RenderedRedisNode {
  readonly podName: string;
  readonly zone: string;
  /** Its address as clients and the bootstrap name it, `<pod>.<headless service>...:6379`. */
  readonly address: string;
  /** The set's REDIS_PRIMARY_ORDINALS: pods with a lower ordinal are planned primaries. */
  readonly primaryOrdinals: string;
}

/** The rendered files and the containers' plain (not Secret) environment. */
export interface RenderedRedis {
  /** The config ConfigMap's files: redis.conf, acl-rules.conf and the scripts. */
  readonly files: Readonly<Record<string, string>>;
  readonly bootstrapScript: string;
  /** The redis container's command followed by its arguments. */
  readonly serverCommand: readonly string[];
  readonly serverEnv: Readonly<Record<string, string>>;
  readonly bootstrapEnv: Readonly<Record<string, string>>;
  readonly exporterEnv: Readonly<Record<string, string>>;
  /** Every user with a password from a Secret: the projected volume's file names. */
  readonly users: readonly string[];
  /** Every node, zone by zone, in the order of the client's REDIS_CLUSTER_NODES. */
  readonly nodes: readonly RenderedRedisNode[];
  /** The redis container's preStop command. */
  readonly preStopCommand: readonly string[];
}

function plainEnv(container: any): Record<string, string> {
  return Object.fromEntries(container.env.filter((v: any) => v.value !== undefined).map((v: any) => [v.name, v.value]));
}

/** The cluster as the environment chart renders it: api and generator connected, and the sign-in proxy's session user. */
export function renderRedis(overrides: Partial<RedisClusterProps> = {}): RenderedRedis {
  const { chart, redis } = minimalRedis(overrides);
  for (const client of ['api', 'generator']) {
    redis.connect(new LongRunningService(chart, client, {
      namespace: redis.namespace, component: 'backend', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 8080,
    }));
  }
  redis.addUser('oauth2-proxy', OAUTH2_PROXY_SESSION_ACCESS);
  const objects = objectsOf(chart);
  const sets = objects.filter((o) => o.kind === 'StatefulSet' && o.metadata.name.startsWith('redis-'));
  const pod = sets[0].spec.template.spec;
  const [server, exporter] = pod.containers;
  const nodes = sets.flatMap((set): RenderedRedisNode[] => {
    const zone = set.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values[0];
    const primaryOrdinals = plainEnv(set.spec.template.spec.containers[0]).REDIS_PRIMARY_ORDINALS;
    return Array.from({ length: set.spec.replicas }, (_, ordinal) => {
      const podName = `${set.metadata.name}-${ordinal}`;
      return { podName, zone, primaryOrdinals, address: redis.nodeAddresses().find((address) => address.startsWith(`${podName}.`))! };
    });
  });
  const job = find(objects, 'Job', 'redis-bootstrap').spec.template.spec.containers[0];
  return {
    files: find(objects, 'ConfigMap', 'redis-config').data,
    bootstrapScript: find(objects, 'ConfigMap', 'redis-bootstrap').data['bootstrap-cluster.sh'],
    serverCommand: [...server.command, ...server.args],
    serverEnv: plainEnv(server),
    bootstrapEnv: plainEnv(job),
    exporterEnv: plainEnv(exporter),
    users: pod.volumes.find((volume: any) => volume.name === 'credentials').projected.sources.map((source: any) => source.secret.items[0].path),
    nodes,
    preStopCommand: server.lifecycle.preStop.exec.command,
  };
}

/** A random password of 32 letters and digits, as the Vault password policy of docs/security.md makes them. */
export function testPassword(): string {
  return randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 32).padEnd(32, '7');
}

/** Swaps `link` to point at `target` in one rename, as the kubelet swaps a Secret volume's contents. */
function swapSymlink(link: string, target: string): void {
  fs.symlinkSync(target, `${link}.new`);
  fs.renameSync(`${link}.new`, link);
}

/** The test's stand-ins for the pod's mounts, shared by every node, and the users' current passwords. */
export class RedisTestEnvironment {
  public readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-env-'));
  public readonly ca: TestCertificateAuthority;
  /** A CA that signed nothing the nodes present. */
  public readonly otherCa: TestCertificateAuthority;
  public readonly initialKeyPair: TestKeyPair;
  public readonly passwords: Record<string, string>;
  private readonly configDir = path.join(this.root, 'config');
  private readonly tlsMount = path.join(this.root, 'tls');
  private readonly credentialsMount = path.join(this.root, 'credentials');
  private generation = 0;

  public constructor(public readonly rendered: RenderedRedis) {
    const pki = path.join(this.root, 'pki');
    fs.mkdirSync(pki);
    this.ca = createTestCertificateAuthority(pki, 'test-ca');
    this.otherCa = createTestCertificateAuthority(pki, 'other-ca');
    this.initialKeyPair = issueTestKeyPair(this.ca, pki, 'node-1', ['DNS:localhost', 'IP:127.0.0.1']);
    this.installKeyPair(this.initialKeyPair);
    this.passwords = Object.fromEntries(rendered.users.map((user) => [user, testPassword()]));
    this.installPasswords();
    fs.mkdirSync(this.configDir);
    for (const [name, content] of Object.entries(rendered.files)) {
      fs.writeFileSync(path.join(this.configDir, name), content);
    }
    fs.writeFileSync(path.join(this.configDir, 'bootstrap-cluster.sh'), rendered.bootstrapScript);
  }

  /** The pod's path `value` (a mount or a file in one) as it is on this machine, for the node whose folder is `nodeDir`. */
  public localPath(value: string, nodeDir = ''): string {
    const replacements: [string, string][] = [
      [POD_PATHS.tls, this.tlsMount], [POD_PATHS.credentials, this.credentialsMount], [POD_PATHS.config, this.configDir],
      [POD_PATHS.run, path.join(nodeDir, 'run')], [POD_PATHS.data, nodeDir],
    ];
    const match = replacements.find(([pod]) => value === pod || value.startsWith(`${pod}/`));
    return match ? match[1] + value.slice(match[0].length) : value;
  }

  public get caFile(): string {
    return path.join(this.tlsMount, 'ca.crt');
  }

  public get credentialsDir(): string {
    return this.credentialsMount;
  }

  public scriptFile(name: string): string {
    return path.join(this.configDir, name);
  }

  /** Puts `pair` and the CA in a new folder and swaps the certificate mount to it. */
  public installKeyPair(pair: TestKeyPair): void {
    const folder = path.join(this.root, `tls-${++this.generation}`);
    fs.mkdirSync(folder);
    fs.copyFileSync(pair.certFile, path.join(folder, 'tls.crt'));
    fs.copyFileSync(pair.keyFile, path.join(folder, 'tls.key'));
    fs.copyFileSync(this.ca.certFile, path.join(folder, 'ca.crt'));
    swapSymlink(this.tlsMount, folder);
  }

  /** Gives `user` a new password, written as External Secrets and the kubelet would: a new folder swapped in. */
  public rotatePassword(user: string, password = testPassword()): string {
    this.passwords[user] = password;
    this.installPasswords();
    return password;
  }

  /** Starts a node the way its container does; `dir` restarts it on the data of an earlier run. */
  public startNode(port: number, dir = fs.mkdtempSync(path.join(os.tmpdir(), `redis-${port}-`)), extraEnv: Record<string, string> = {}): RedisProcess {
    fs.mkdirSync(path.join(dir, 'run'), { recursive: true });
    const config = path.join(dir, 'redis.conf');
    fs.writeFileSync(config, this.rendered.files['redis.conf'].split(`${POD_PATHS.tls}/`).join(`${this.tlsMount}/`).split(`${POD_PATHS.run}/`).join(`${path.join(dir, 'run')}/`));
    const env = Object.fromEntries(Object.entries(this.rendered.serverEnv).map(([name, value]) => [name, this.localPath(value, dir)]));
    const podValues: Record<string, string> = { [`${POD_PATHS.config}/redis.conf`]: config, '$(POD_FQDN)': ANNOUNCED_HOST };
    return startRedis(port, () => [
      ...this.rendered.serverCommand.map((arg) => podValues[arg] ?? this.localPath(arg, dir)),
      '--tls-port', String(port), '--bind', '127.0.0.1',
    ], { dir, env: { ...env, REDIS_DATA_DIR: dir, REDIS_PORT: String(port), REDIS_RELOAD_SECONDS: '1', ...extraEnv } });
  }

  /**
   * The bootstrap Job's environment, logging in as the bootstrap user, with the rendered node `i`
   * (in the order of `rendered.nodes`) at `127.0.0.1:<ports[i]>`: the rendered plan decides which
   * of them are primaries and which replica follows which.
   */
  public bootstrapEnv(ports: readonly number[]): Record<string, string> {
    const local = (addresses: string) => addresses.split(' ').filter((address) => address !== '').map((address) => {
      const index = this.rendered.nodes.findIndex((node) => node.address === address);
      if (index < 0 || index >= ports.length) {
        throw new Error(`no port for the rendered node ${address}: ${ports.length} ports for ${this.rendered.nodes.length} nodes`);
      }
      return `127.0.0.1:${ports[index]}`;
    }).join(' ');
    return {
      ...Object.fromEntries(Object.entries(this.rendered.bootstrapEnv).map(([name, value]) => [name, this.localPath(value)])),
      REDIS_PRIMARIES: local(this.rendered.bootstrapEnv.REDIS_PRIMARIES),
      REDIS_REPLICAS: local(this.rendered.bootstrapEnv.REDIS_REPLICAS),
      REDIS_WAIT_SECONDS: '20',
      REDISCLI_AUTH: this.passwords.bootstrap,
    };
  }

  /** What a node's pod has besides the container's shared environment: its name, and its set's planned primaries. */
  public podEnv(node: RenderedRedisNode): Record<string, string> {
    return { POD_NAME: node.podName, REDIS_PRIMARY_ORDINALS: node.primaryOrdinals };
  }

  /** The environment of the scripts run in the redis container of the node in `dir` (the probes, the preStop hook). */
  public containerEnv(node: RedisProcess, podEnv: Record<string, string> = {}): Record<string, string> {
    return {
      ...Object.fromEntries(Object.entries(this.rendered.serverEnv).map(([name, value]) => [name, this.localPath(value, node.dir)])),
      REDIS_PORT: String(node.port),
      ...podEnv,
    };
  }

  /** redis-cli over TLS as `user` with its current password (or `password`). */
  public cli(port: number, user: string, ...command: string[]): string {
    return redisCliAs(port, user, this.passwords[user], '--tls', '--cacert', this.caFile, ...command);
  }

  /** redis-cli over TLS as `user` with `password`. */
  public cliWithPassword(port: number, user: string | undefined, password: string, ...command: string[]): string {
    return redisCliAs(port, user, password, '--tls', '--cacert', this.caFile, ...command);
  }

  /** redis-cli over TLS as the node's own user of the node in `nodeDir`, as the probes and reload loops log in. */
  public nodeCli(node: RedisProcess, ...command: string[]): string {
    return redisCliWithInput(node.port, 'node', this.nodeAuth(node), undefined, '--tls', '--cacert', this.caFile, ...command);
  }

  /** The password the node's start script made for its own user. */
  public nodeAuth(node: RedisProcess): string {
    return fs.readFileSync(path.join(node.dir, 'run', 'node.auth'), 'utf8');
  }

  public remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  private installPasswords(): void {
    const folder = path.join(this.root, `credentials-${++this.generation}`);
    fs.mkdirSync(folder);
    for (const [user, password] of Object.entries(this.passwords)) {
      fs.writeFileSync(path.join(folder, user), password);
    }
    swapSymlink(this.credentialsMount, folder);
  }
}
