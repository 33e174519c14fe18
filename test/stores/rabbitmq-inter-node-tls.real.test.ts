import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { find, KubeObject, objectsOf } from '../support/kube';
import { brokerScope } from './support/rabbitmq-fixtures';
import { Epmd, RabbitmqServer, startEpmd, startRabbitmq } from './support/rabbitmq-server';
import { createTestCertificateAuthority, issueTestKeyPair, TestKeyPair } from './support/test-certificates';

/**
 * Erlang distribution between the broker's nodes, and from the CLI tools, over mutually verified
 * TLS as MessageBroker renders it, on two real rabbitmq-server nodes (Debian 12's 3.10 on Erlang
 * 25; the cluster runs 3.12) that form a cluster. What is taken from the rendered objects and what
 * stands in for the pods:
 * - `envConfig` becomes each node's rabbitmq-env.conf and the ConfigMap's `ssl_dist_optfile` a file
 *   in its folder; only the mount paths are replaced by the node's folder;
 * - the broker certificate's Secret: a throwaway CA and one key pair for the rendered
 *   Certificate's dnsNames, shared by both nodes and the CLI tools as the pods share the Secret;
 * - the pods' DNS names: both node hosts, named as the operator names them
 *   (`<cluster>-server-N.<cluster>-nodes.<namespace>`), resolve to 127.0.0.1 through an Erlang
 *   inetrc; both nodes register with one epmd, so their names (the part before `@`) differ, where
 *   the operator names every node `rabbit`;
 * - the operator's `rabbitmqctl` calls in the pods: rabbitmqctl with the node's rabbitmq-env.conf.
 */

const BOOT_TIMEOUT_MS = 60_000;
/** How long a log line the test waits for may trail the event; the wait ends as soon as it is there. */
const LOG_TIMEOUT_MS = 30_000;
const COOKIE = 'inter-node-tls-test-cookie';

const { chart } = brokerScope();
const objects = objectsOf(chart);
const cluster = find(objects, 'RabbitmqCluster', 'rabbitmq');
const certificate = find(objects, 'Certificate', cluster.spec.tls.secretName);
const pod = cluster.spec.override.statefulSet.spec.template.spec;
const rabbitmqContainer = pod.containers.find((c: any) => c.name === 'rabbitmq');

/** The rendered volume mounted for Erlang distribution whose source has `field` (secret or configMap), with its mount path. */
function distributionMount(field: 'secret' | 'configMap'): { mountPath: string; volume: any } {
  const mounts = rabbitmqContainer.volumeMounts.map((mount: any) => ({ mountPath: mount.mountPath, volume: pod.volumes.find((v: any) => v.name === mount.name) }));
  const matching = mounts.filter((m: any) => m.volume?.[field] && m.mountPath.startsWith('/etc/rabbitmq/'));
  expect(matching).toHaveLength(1);
  return matching[0];
}

const tlsMount = distributionMount('secret');
const configMount = distributionMount('configMap');
const optfileConfigMap: KubeObject = find(objects, 'ConfigMap', configMount.volume.configMap.name);
/** The ConfigMap's files by name, as the mount shows them. */
const configFiles: Record<string, string> = optfileConfigMap.data;
/** A host of node 0 (in the test's inetrc) that the certificate does not carry. */
const UNNAMED_HOST = 'rabbitmq-server-0.elsewhere.apps';
/** The operator's node host for pod `index`. */
const nodeHost = (index: number) => `${cluster.metadata.name}-server-${index}.${cluster.metadata.name}-nodes.${cluster.metadata.namespace}`;

/** `text` with every path under the rendered mount `mountPath` moved to `localDir`. */
function relocate(text: string, mountPath: string, localDir: string): string {
  return text.split(`${mountPath}/`).join(`${localDir}/`);
}

/**
 * The rendered distribution configuration for a node (or a CLI tool) whose files are under
 * `relativeDir` of the node's folder `nodeDir`: the `envConfig` naming the optfile there, and the
 * optfile naming the TLS files in its `tls/`. File paths are relative to `nodeDir`.
 */
function distributionFiles(nodeDir: string, relativeDir: string): Record<string, string> {
  const local = (...names: string[]) => path.join(nodeDir, relativeDir, ...names);
  return {
    [path.join(relativeDir, 'rabbitmq-env.conf')]: relocate(cluster.spec.rabbitmq.envConfig, configMount.mountPath, local('distribution')),
    ...Object.fromEntries(Object.entries(configFiles).map(([name, content]) => [
      path.join(relativeDir, 'distribution', name), relocate(content, tlsMount.mountPath, local('tls')),
    ])),
  };
}

/** The TLS files of a CLI tool with its own trust and certificate, under `cli/<name>/tls/` of a node's folder. */
function cliTlsFiles(name: string, ca: string, pair: TestKeyPair): Record<string, string> {
  return {
    [`cli/${name}/tls/ca.crt`]: ca,
    [`cli/${name}/tls/tls.crt`]: fs.readFileSync(pair.certFile, 'utf8'),
    [`cli/${name}/tls/tls.key`]: fs.readFileSync(pair.keyFile, 'utf8'),
  };
}

describe('Erlang distribution over mutual TLS, as MessageBroker renders it, between two real rabbitmq-server nodes', () => {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rabbitmq-inter-node-tls-'));
  let epmd: Epmd | undefined;
  const nodes: RabbitmqServer[] = [];

  beforeAll(async () => {
    // The nodes run as the rabbitmq user and read the inetrc from here.
    fs.chmodSync(workDir, 0o755);
    const ca = createTestCertificateAuthority(workDir, 'internal-ca');
    const otherCa = createTestCertificateAuthority(workDir, 'other-ca');
    const dnsNames = certificate.spec.dnsNames.map((name: string) => `DNS:${name}`);
    const brokerPair = issueTestKeyPair(ca, workDir, 'rabbitmq-tls', dnsNames);
    const foreignPair = issueTestKeyPair(otherCa, workDir, 'foreign', dnsNames);
    const caPem = fs.readFileSync(ca.certFile, 'utf8');
    const inetrc = path.join(workDir, 'inetrc');
    fs.writeFileSync(inetrc, `{host, {127,0,0,1}, ["${nodeHost(0)}", "${nodeHost(1)}", "${UNNAMED_HOST}"]}.\n{lookup, [file, native]}.\n`, { mode: 0o644 });

    epmd = await startEpmd(BOOT_TIMEOUT_MS);
    for (const index of [0, 1]) {
      nodes.push(await startRabbitmq({ caFile: ca.certFile, certFile: brokerPair.certFile, keyFile: brokerPair.keyFile }, BOOT_TIMEOUT_MS, {
        nodeName: `rabbit-${index}@${nodeHost(index)}`,
        epmdPort: epmd.port,
        erlangCookie: COOKIE,
        env: { ERL_INETRC: inetrc },
        extraFiles: (dir) => ({
          // The node's rabbitmq-env.conf and optfile; the harness keeps its key pair and CA in `tls/`.
          ...distributionFiles(dir, '.'),
          // CLI tools beside the node that must not get in: one from another CA, one trusting the
          // internal CA but presenting a certificate from another, one without TLS.
          ...distributionFiles(dir, 'cli/foreign'),
          ...cliTlsFiles('foreign', fs.readFileSync(otherCa.certFile, 'utf8'), foreignPair),
          ...distributionFiles(dir, 'cli/impostor'),
          ...cliTlsFiles('impostor', caPem, foreignPair),
          'cli/plain/rabbitmq-env.conf': '',
        }),
      }));
    }
  }, 3 * BOOT_TIMEOUT_MS);

  afterAll(async () => {
    try {
      for (const node of nodes.reverse()) {
        await node.stop();
      }
      await epmd?.stop();
    } finally {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  }, 2 * BOOT_TIMEOUT_MS);

  /** rabbitmqctl against node `index`, from that node, with its rendered configuration. */
  function rabbitmqctl(index: number, args: string[]) {
    return nodes[index].rabbitmqctl(['-n', nodes[index].nodeName, ...args]);
  }

  test('the certificate names each node as its Erlang node name does, which the dialing end verifies', () => {
    expect(certificate.spec.dnsNames).toEqual(expect.arrayContaining([nodeHost(0), nodeHost(1), nodeHost(2)]));
    expect(certificate.spec.usages).toEqual(expect.arrayContaining(['server auth', 'client auth']));
  });

  test('both nodes run Erlang distribution over TLS, and the CLI tools reach them with the rendered arguments', async () => {
    // Both CLI runs at once: each is a VM start of its own, seconds on a loaded machine.
    const results = await Promise.all([0, 1].map((index) => rabbitmqctl(index, ['eval', 'init:get_argument(proto_dist).'])));
    for (const result of results) {
      expect(`${result.code}: ${result.output}`).toMatch(/^0: \{ok,\[\["inet_tls"\]\]\}/);
    }
  });

  test('node 1 joins node 0 over TLS distribution, and the cluster runs both', async () => {
    for (const args of [['stop_app'], ['join_cluster', nodes[0].nodeName], ['start_app']]) {
      const result = await rabbitmqctl(1, args);
      expect(`${args.join(' ')}: ${result.code}: ${result.output}`).toMatch(new RegExp(`^${args.join(' ')}: 0: `));
    }
    const status = await rabbitmqctl(0, ['cluster_status', '--formatter', 'json']);
    expect(status.code).toBe(0);
    const running = JSON.parse(status.output.slice(status.output.indexOf('{'))).running_nodes;
    expect([...running].sort()).toEqual([nodes[0].nodeName, nodes[1].nodeName].sort());
  });

  /**
   * What node 0 logs from now on, once it matches `pattern` or after LOG_TIMEOUT_MS: the node logs
   * the refused handshake a moment after the CLI gave up, later still on a loaded machine.
   */
  async function nodeLogAfter(start: number, pattern: RegExp): Promise<string> {
    const deadline = Date.now() + LOG_TIMEOUT_MS;
    let log = nodes[0].output().slice(start);
    while (!pattern.test(log) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      log = nodes[0].output().slice(start);
    }
    return log;
  }

  test.each([
    ['a CLI tool with a certificate from another CA cannot reach a node: it rejects the node', 'foreign', nodeHost(0), /received CLIENT ALERT: Fatal - Unknown CA/],
    ['a CLI tool that trusts the internal CA but presents a certificate from another cannot reach a node: the node rejects it', 'impostor', nodeHost(0), /generated SERVER ALERT: Fatal - Unknown CA/],
    ['a CLI tool speaking plain Erlang distribution cannot reach a node: the node expects TLS', 'plain', nodeHost(0), /unsupported_record_type/],
    ['the rendered configuration cannot reach a node by a host its certificate does not name: the dialing end checks it', undefined, UNNAMED_HOST, /received CLIENT ALERT: Fatal - Handshake Failure/],
  ])('%s', async (_, cli, host, nodeLog) => {
    const node = nodes[0];
    const start = node.output().length;
    const env: Record<string, string> = cli ? { RABBITMQ_CONF_ENV_FILE: path.join(node.dir, 'cli', cli, 'rabbitmq-env.conf') } : {};
    const result = await node.rabbitmqctl(['-n', `${node.nodeName.split('@')[0]}@${host}`, 'status'], env);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('TCP connection succeeded but Erlang distribution failed');
    expect(await nodeLogAfter(start, nodeLog)).toMatch(nodeLog);
  });
});
