import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as amqp from 'amqplib';
import { find, KubeObject, kinds } from '../support/kube';
import { renderScaledJobQueue } from './support/rabbitmq-fixtures';
import { RabbitmqServer, startRabbitmq } from './support/rabbitmq-server';
import { createTestCertificateAuthority, issueTestKeyPair, TestCertificateAuthority } from './support/test-certificates';

/**
 * The job queue's users and KEDA's queue-depth trigger, as JobQueue renders them, against a real
 * rabbitmq-server (Debian 12's 3.10; the cluster runs 3.12) that listens with TLS only, as the
 * Cluster Operator configures it. What is replaced, and why:
 * - the Messaging Topology Operator: the rendered Vhost, Exchanges, Queues, Bindings, Users (with
 *   their tags) and Permissions (with their regexes) become a definitions file the node loads at
 *   boot. The delivery-limit Policy is left out: 3.10 has no `apply-to: quorum_queues`, and a
 *   policy changes neither the depth nor what a user may do. One user is added: KEDA's, without
 *   its Permission, to show what the Permission is needed for;
 * - Vault: each user's properties are test values (passwords with characters a URI must escape),
 *   and the derived keys (`amqps_uri`, `tls`) are the rendered templates filled in as External
 *   Secrets does, `urlquery` being Go's url.QueryEscape;
 * - the broker certificate's Secret: a throwaway CA and a key pair made with openssl for the
 *   rendered Certificate's dnsNames;
 * - the client Service: 127.0.0.1 and a free port. Clients still verify the certificate against
 *   the host name in the rendered URI, as KEDA's Go client does (amqp091-go uses it as the TLS
 *   server name);
 * - KEDA 2.13's rabbitmq scaler: amqplib does what it does in AMQP mode (pkg/scalers/rabbitmq_scaler.go,
 *   getConnectionAndChannel and getQueueStatus): dial the `host` URI, with the trigger's `vhostName`,
 *   over TLS trusting only `ca`, open a channel, passively declare `queueName`; the metric is the
 *   declare-ok's message count.
 */

const BOOT_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * Bound of the waits for an outcome that is due (a queue length settling, deliveries, a refusal):
 * each ends as soon as it is there, so the bound only matters on a loaded machine, where 2-5 s were
 * too short.
 */
const SETTLE_TIMEOUT_MS = 30_000;
const QUEUE = 'generation.jobs';

const objects = renderScaledJobQueue();
const scaledObject = find(objects, 'ScaledObject', 'generator-queue-depth');
const [trigger] = scaledObject.spec.triggers;
const triggerAuthentication = find(objects, 'TriggerAuthentication', trigger.authenticationRef.name);
const brokerCertificate = find(objects, 'Certificate', 'rabbitmq-tls');
const kedaUser = find(objects, 'User', 'rabbitmq-keda');
/** KEDA's user with its tags but no Permission. */
const UNPERMITTED_USER = { name: 'keda-without-permission', password: 'unpermitted' };

/**
 * The test's Vault: each credentials Secret's properties. The RabbitMQ user is named after the
 * Secret. No space in the password: `urlquery` turns it into `+`, which a URI's user info keeps as `+`.
 */
function vaultProperties(secretName: string): Record<string, string> {
  return { username: secretName.replace(/-credentials$/, ''), password: `t3st/${secretName}:p@ss%w0rd+` };
}

/** Go's url.QueryEscape, which `urlquery` applies: everything but letters, digits and `-_.~` escaped, a space as `+`. */
function queryEscape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

/** The Secret External Secrets writes from `externalSecret`: the Vault properties, and the derived keys rendered from them. */
function externalSecretData(externalSecret: KubeObject): Record<string, string> {
  const properties = vaultProperties(externalSecret.metadata.name);
  const derived: Record<string, string> = externalSecret.spec.target.template?.data ?? {};
  const render = (template: string) =>
    template.replace(/\{\{(.*?)\}\}/g, (expression: string, body: string) => {
      const match = /^\s*\.(\w+)\s*(\|\s*urlquery\s*)?$/.exec(body);
      if (!match || !(match[1] in properties)) {
        throw new Error(`the test renders only {{ .property }} and {{ .property | urlquery }}; got ${expression}`);
      }
      return match[2] ? queryEscape(properties[match[1]]) : properties[match[1]];
    });
  return { ...properties, ...Object.fromEntries(Object.entries(derived).map(([key, template]) => [key, render(template)])) };
}

interface TestPki {
  readonly ca: TestCertificateAuthority;
  /** A CA that signed nothing the broker presents. */
  readonly otherCa: TestCertificateAuthority;
}

/** The definitions file the node loads: the rendered topology, users and permissions. */
function definitions(): object {
  const spec = (kind: string) => kinds(objects, kind).map((object) => object.spec);
  // The topology operator creates each user from the username and password in its credentials Secret.
  const credentials = (user: KubeObject) => vaultProperties(user.spec.importCredentialsSecret.name);
  return {
    vhosts: spec('Vhost').map((vhost) => ({ name: vhost.name })),
    users: [
      ...kinds(objects, 'User').map((user) => ({ name: credentials(user).username, password: credentials(user).password, tags: user.spec.tags.join(',') })),
      { ...UNPERMITTED_USER, tags: kedaUser.spec.tags.join(',') },
    ],
    permissions: spec('Permission').map((permission) => ({
      user: credentials(find(objects, 'User', permission.userReference.name)).username, vhost: permission.vhost, ...permission.permissions,
    })),
    exchanges: spec('Exchange').map((exchange) => ({
      name: exchange.name, vhost: exchange.vhost, type: exchange.type, durable: exchange.durable, auto_delete: exchange.autoDelete, internal: false, arguments: exchange.arguments ?? {},
    })),
    queues: spec('Queue').map((queue) => ({
      name: queue.name, vhost: queue.vhost, durable: queue.durable, auto_delete: queue.autoDelete, arguments: { ...queue.arguments, 'x-queue-type': queue.type },
    })),
    bindings: spec('Binding').map((binding) => ({
      source: binding.source, vhost: binding.vhost, destination: binding.destination, destination_type: binding.destinationType, routing_key: binding.routingKey ?? '', arguments: binding.arguments ?? {},
    })),
  };
}

describe('the job queue on a real rabbitmq-server over TLS, as KEDA and the clients reach it', () => {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rabbitmq-queue-depth-'));
  const open: amqp.ChannelModel[] = [];
  let pki: TestPki;
  let server: RabbitmqServer;

  /** The value of one key of a Secret the pods or KEDA read: the broker certificate's (cert-manager) or a credentials Secret (External Secrets). */
  function secretValue(secretName: string, key: string): string {
    if (secretName === brokerCertificate.spec.secretName) {
      expect(key).toBe('ca.crt');
      return fs.readFileSync(pki.ca.certFile, 'utf8');
    }
    const value = externalSecretData(find(objects, 'ExternalSecret', secretName))[key];
    if (value === undefined) {
      throw new Error(`Secret ${secretName} has no key ${key}`);
    }
    return value;
  }

  /** The environment variable `name` of a Deployment's container, resolved as the kubelet would. */
  function deploymentEnv(deployment: string, name: string): string {
    const variable = find(objects, 'Deployment', deployment).spec.template.spec.containers[0].env.find((v: any) => v.name === name);
    return variable.value ?? secretValue(variable.valueFrom.secretKeyRef.name, variable.valueFrom.secretKeyRef.key);
  }

  /**
   * Connects to a rendered `amqps://` URI at the test broker: 127.0.0.1 and its port stand in for
   * the Service's address, and the certificate is verified against the URI's host name and `ca`.
   */
  async function connect(renderedUri: string, ca: string, options: { servername?: string; vhost?: string } = {}): Promise<amqp.ChannelModel> {
    const url = new URL(renderedUri);
    const servername = options.servername ?? url.hostname;
    url.hostname = '127.0.0.1';
    url.port = String(server.port);
    if (options.vhost !== undefined) {
      url.pathname = `/${encodeURIComponent(options.vhost)}`;
    }
    const connection = await amqp.connect(url.toString(), { ca: [ca], servername, timeout: CONNECT_TIMEOUT_MS });
    // A channel the server closes is reported on the connection too; the tests assert on the channel.
    connection.on('error', () => undefined);
    open.push(connection);
    return connection;
  }

  /** The TriggerAuthentication's parameters, resolved from their Secrets as KEDA does. */
  function kedaParameters(): Record<string, string> {
    return Object.fromEntries(triggerAuthentication.spec.secretTargetRef.map((ref: any) => [ref.parameter, secretValue(ref.name, ref.key)]));
  }

  /** KEDA's connection, from its parameters. */
  async function kedaConnection(): Promise<amqp.ChannelModel> {
    const parameters = kedaParameters();
    expect(Object.keys(parameters).sort()).toEqual(['ca', 'host', 'tls']);
    // KEDA builds its TLS config only for `tls: enable`, and uses `ca` as the only trusted root.
    expect(parameters.tls).toBe('enable');
    return connect(parameters.host, parameters.ca, { vhost: trigger.metadata.vhostName });
  }

  /** What KEDA reports for the trigger: the message count of a passive declare of `queueName`. */
  async function kedaQueueLength(): Promise<number> {
    const connection = await kedaConnection();
    try {
      const channel = await connection.createChannel();
      return (await channel.checkQueue(trigger.metadata.queueName)).messageCount;
    } finally {
      await connection.close();
    }
  }

  /**
   * KEDA's reading once it equals `expected`, or the last one after SETTLE_TIMEOUT_MS. A quorum queue applies
   * acknowledgements and returns through its Raft log, a moment after the client sent them; KEDA
   * reads every 15 s.
   */
  async function settledQueueLength(expected: number): Promise<number> {
    let length = await kedaQueueLength();
    for (const deadline = Date.now() + SETTLE_TIMEOUT_MS; length !== expected && Date.now() < deadline; length = await kedaQueueLength()) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return length;
  }

  /** Runs `operation` on a new channel and returns the error the server closed the channel with, or 'not refused'. */
  async function refusal(connection: amqp.ChannelModel, operation: (channel: amqp.ConfirmChannel) => Promise<unknown>): Promise<string> {
    const channel = await connection.createConfirmChannel();
    const closedWith = new Promise<string>((resolve) => channel.once('error', (error: Error) => resolve(error.message)));
    await operation(channel).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([closedWith, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('not refused'), SETTLE_TIMEOUT_MS)))]);
    clearTimeout(timer);
    return result;
  }

  /** The internal CA, as the pods mount it from the broker certificate's Secret. */
  const internalCa = () => secretValue(brokerCertificate.spec.secretName, 'ca.crt');

  /** Publishes `count` jobs as the api does, through the exchange and routing key it is given, and waits for the broker's confirms. */
  async function publishJobs(count: number): Promise<void> {
    const connection = await connect(deploymentEnv('api', 'RABBITMQ_URL'), internalCa());
    const channel = await connection.createConfirmChannel();
    for (let job = 0; job < count; job++) {
      channel.publish(deploymentEnv('api', 'RABBITMQ_EXCHANGE'), deploymentEnv('api', 'RABBITMQ_ROUTING_KEY'), Buffer.from(JSON.stringify({ job })), { persistent: true, mandatory: true });
    }
    await channel.waitForConfirms();
    await connection.close();
  }

  /** The generator's connection, as its environment gives it. */
  const generatorConnection = () => connect(deploymentEnv('generator', 'RABBITMQ_URL'), internalCa());

  beforeAll(async () => {
    pki = { ca: createTestCertificateAuthority(workDir, 'test-ca'), otherCa: createTestCertificateAuthority(workDir, 'other-ca') };
    const serverPair = issueTestKeyPair(pki.ca, workDir, 'rabbitmq', brokerCertificate.spec.dnsNames.map((name: string) => `DNS:${name}`));
    const definitionsFile = path.join(workDir, 'definitions.json');
    fs.writeFileSync(definitionsFile, JSON.stringify(definitions(), null, 2));
    server = await startRabbitmq({ caFile: pki.ca.certFile, certFile: serverPair.certFile, keyFile: serverPair.keyFile, definitionsFile }, BOOT_TIMEOUT_MS);
  }, BOOT_TIMEOUT_MS + 10_000);

  afterEach(async () => {
    await Promise.all(open.splice(0).map((connection) => connection.close().catch(() => undefined)));
  });

  afterAll(async () => {
    try {
      await server?.stop();
    } finally {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  }, 30_000);

  beforeEach(async () => {
    // The generator may read the queue, so it may empty it too.
    const channel = await (await generatorConnection()).createChannel();
    await channel.purgeQueue(QUEUE);
  });

  test('KEDA dials AMQP over TLS, on the port its NetworkPolicy opens, as a user with no tag whose permission matches nothing', () => {
    expect(trigger.metadata).toMatchObject({ protocol: 'amqp', mode: 'QueueLength', queueName: QUEUE });
    const host = new URL(kedaParameters().host);
    expect(host.protocol).toBe('amqps:');
    expect(brokerCertificate.spec.dnsNames).toContain(host.hostname);
    const ingress = find(objects, 'NetworkPolicy', 'rabbitmq-allow-from-keda').spec.ingress;
    expect(ingress).toEqual([{ from: [expect.objectContaining({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } } })], ports: [{ protocol: 'TCP', port: Number(host.port) }] }]);
    expect(kedaUser.spec.tags).toEqual([]);
    expect(find(objects, 'Permission', 'rabbitmq-keda').spec.permissions).toEqual({ configure: '^$', write: '^$', read: '^$' });
  });

  test('KEDA reads the queue depth: published jobs count, jobs a consumer holds unacknowledged do not, and count again once requeued', async () => {
    expect(await settledQueueLength(0)).toBe(0);
    await publishJobs(7);
    expect(await settledQueueLength(7)).toBe(7);

    const channel = await (await generatorConnection()).createChannel();
    await channel.prefetch(3);
    const held: amqp.ConsumeMessage[] = [];
    await channel.consume(deploymentEnv('generator', 'RABBITMQ_QUEUE'), (message) => message && held.push(message), { noAck: false });
    const delivered = async (count: number) => {
      for (const deadline = Date.now() + SETTLE_TIMEOUT_MS; held.length < count && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return held.length;
    };
    expect(await delivered(3)).toBe(3);
    // Only the ready messages: the 3 in progress hold no replica.
    expect(await settledQueueLength(4)).toBe(4);

    // The consumer finishes one job and takes the next.
    channel.ack(held[0]);
    expect(await delivered(4)).toBe(4);
    expect(await settledQueueLength(3)).toBe(3);

    // It stops with 3 jobs unacknowledged: they are ready again, the finished one is gone.
    await channel.close();
    expect(await settledQueueLength(6)).toBe(6);
  });

  test('KEDA\'s user can neither take, publish, purge nor delete jobs', async () => {
    await publishJobs(2);
    const connection = await kedaConnection();
    const refused = (kind: string, name: string) =>
      `Channel closed by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - access to ${kind} '${name}' in vhost 'generator-platform' refused for user 'rabbitmq-keda'"`;
    const publish = (exchange: string, routingKey: string) => (channel: amqp.ConfirmChannel) =>
      new Promise((resolve, reject) => channel.publish(exchange, routingKey, Buffer.from('{}'), {}, (error) => (error ? reject(error) : resolve(undefined))));
    expect(await refusal(connection, (channel) => channel.get(QUEUE))).toBe(refused('queue', QUEUE));
    expect(await refusal(connection, (channel) => channel.consume(QUEUE, () => undefined))).toBe(refused('queue', QUEUE));
    expect(await refusal(connection, publish('generation', 'jobs'))).toBe(refused('exchange', 'generation'));
    // The default exchange is checked as `amq.default`, which `^$` does not match.
    expect(await refusal(connection, publish('', QUEUE))).toBe(refused('exchange', 'amq.default'));
    expect(await refusal(connection, (channel) => channel.purgeQueue(QUEUE))).toBe(refused('queue', QUEUE));
    expect(await refusal(connection, (channel) => channel.deleteQueue(QUEUE))).toBe(refused('queue', QUEUE));
    expect(await settledQueueLength(2)).toBe(2);
  });

  test('the Permission, though it matches nothing, is what lets KEDA\'s user open the vhost: without it, the passive declare never happens', async () => {
    const uri = new URL(kedaParameters().host);
    uri.username = UNPERMITTED_USER.name;
    uri.password = UNPERMITTED_USER.password;
    await expect(connect(uri.toString(), internalCa(), { vhost: trigger.metadata.vhostName })).rejects.toThrow('Expected ConnectionOpenOk; got <ConnectionClose channel:0>');
  });

  test('TLS only: a client that does not trust the CA, or that expects another name, fails verification; plaintext AMQP gets no connection', async () => {
    const uri = kedaParameters().host;
    await expect(connect(uri, fs.readFileSync(pki.otherCa.certFile, 'utf8'))).rejects.toThrow(/self[- ]signed|unable to verify|unable to get/i);
    await expect(connect(uri, internalCa(), { servername: 'rabbitmq.elsewhere.svc.cluster.local' })).rejects.toThrow(/does not match certificate's altnames/);
    const plaintext = new URL(uri.replace(/^amqps:/, 'amqp:'));
    plaintext.hostname = '127.0.0.1';
    plaintext.port = String(server.port);
    await expect(amqp.connect(plaintext.toString(), { timeout: CONNECT_TIMEOUT_MS })).rejects.toThrow(/ECONNRESET|Socket closed/);
    expect(await settledQueueLength(0)).toBe(0);
  });
});
