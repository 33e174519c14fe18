import { Construct } from 'constructs';
import { ScaledObject, TriggerAuthentication } from '../../imports/keda.sh';
import {
  Binding,
  BindingSpecDestinationType,
  Exchange,
  Permission,
  Policy,
  PolicySpecApplyTo,
  Queue,
  User,
} from '../../imports/rabbitmq.com';
import { PLATFORM_NAME } from '../platform/labels';
import { INetworkPeer } from '../platform/network-peer';
import { VaultSecret } from '../security/vault-secret';
import { IStoreClient } from '../platform/store-client';
import { IExternallyScaledWorkload } from '../workloads/externally-scaled-workload';
import { AMQPS_PORT, MessageBroker } from './message-broker';

export interface JobQueueProps {
  readonly broker: MessageBroker;
  /** Vault KV prefix of this environment; each client's credentials live at `<prefix>/rabbitmq/<client>`. */
  readonly vaultPathPrefix: string;
  /**
   * Name of the quorum queue; the exchange is its first dot-separated word.
   * @default 'generation.jobs'
   */
  readonly queueName?: string;
  /**
   * Deliveries after which a message that keeps failing goes to the dead-letter queue.
   * @default 5
   */
  readonly deliveryLimit?: number;
}

export interface QueueScalingOptions {
  /** The KEDA operator's pods, which read the queue depth over AMQPS. */
  readonly kedaOperator: INetworkPeer;
  /**
   * Ready messages one consumer replica is expected to work through.
   * @default 5
   */
  readonly messagesPerReplica?: number;
}

/**
 * The generation job queue, as Messaging Topology Operator resources: a direct exchange, a quorum
 * queue whose failing messages go to a dead-letter queue after a delivery limit, and one
 * RabbitMQ user per client with only the permission it is granted.
 */
export class JobQueue extends Construct {
  public readonly queueName: string;
  public readonly exchangeName: string;
  public readonly routingKey: string;
  private readonly broker: MessageBroker;
  private readonly vaultPathPrefix: string;
  private readonly clients = new Set<string>();
  private readonly labels = { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/component': 'message-broker' };

  public constructor(scope: Construct, id: string, props: JobQueueProps) {
    super(scope, id);
    this.broker = props.broker;
    this.vaultPathPrefix = props.vaultPathPrefix;
    this.queueName = props.queueName ?? 'generation.jobs';
    if (!/^[a-z]+(\.[a-z-]+)+$/.test(this.queueName)) {
      throw new Error(`JobQueue ${id}: queueName is ${JSON.stringify(this.queueName)}; use dot-separated lower-case words such as generation.jobs`);
    }
    const deliveryLimit = props.deliveryLimit ?? 5;
    if (!Number.isInteger(deliveryLimit) || deliveryLimit < 1 || deliveryLimit > 100) {
      throw new Error(`JobQueue ${id}: deliveryLimit is ${deliveryLimit}; use 1 to 100 deliveries`);
    }
    [this.exchangeName, this.routingKey] = [this.queueName.split('.')[0], this.queueName.split('.').slice(1).join('.')];
    const deadLetterExchange = `${this.exchangeName}.dead-letter`;
    const deadLetterQueue = `${this.queueName}.dead-letter`;
    const cluster = { name: this.broker.name };
    const vhost = this.broker.vhostName;
    const meta = (name: string) => ({ name: `${this.broker.name}-${name.replace(/\./g, '-')}`, namespace: this.broker.namespaceName, labels: this.labels });

    new Exchange(this, 'Exchange', { metadata: meta(`exchange-${this.exchangeName}`), spec: { name: this.exchangeName, type: 'direct', durable: true, autoDelete: false, vhost, rabbitmqClusterReference: cluster } });
    new Exchange(this, 'DeadLetterExchange', { metadata: meta(`exchange-${deadLetterExchange}`), spec: { name: deadLetterExchange, type: 'fanout', durable: true, autoDelete: false, vhost, rabbitmqClusterReference: cluster } });
    new Queue(this, 'Queue', { metadata: meta(`queue-${this.queueName}`), spec: { name: this.queueName, type: 'quorum', durable: true, autoDelete: false, vhost, rabbitmqClusterReference: cluster } });
    new Queue(this, 'DeadLetterQueue', { metadata: meta(`queue-${deadLetterQueue}`), spec: { name: deadLetterQueue, type: 'quorum', durable: true, autoDelete: false, vhost, rabbitmqClusterReference: cluster } });
    new Binding(this, 'Binding', {
      metadata: meta(`binding-${this.queueName}`),
      spec: { source: this.exchangeName, destination: this.queueName, destinationType: BindingSpecDestinationType.QUEUE, routingKey: this.routingKey, vhost, rabbitmqClusterReference: cluster },
    });
    new Binding(this, 'DeadLetterBinding', {
      metadata: meta(`binding-${deadLetterQueue}`),
      spec: { source: deadLetterExchange, destination: deadLetterQueue, destinationType: BindingSpecDestinationType.QUEUE, vhost, rabbitmqClusterReference: cluster },
    });
    // A policy rather than queue arguments: it can be changed later without re-declaring the queue.
    new Policy(this, 'DeliveryLimitPolicy', {
      metadata: meta(`policy-${this.queueName}`),
      spec: {
        name: `${this.queueName}.delivery-limit`,
        pattern: `^${this.queueName.replace(/\./g, '\\.')}$`,
        applyTo: PolicySpecApplyTo.QUORUM_UNDERSCORE_QUEUES,
        priority: 10,
        definition: {
          'delivery-limit': deliveryLimit,
          'dead-letter-exchange': deadLetterExchange,
          // At-least-once dead-lettering never drops a message in transit; it requires reject-publish.
          'dead-letter-strategy': 'at-least-once',
          'overflow': 'reject-publish',
        },
        vhost,
        rabbitmqClusterReference: cluster,
      },
    });
  }

  /** Lets `client` publish jobs to the exchange, and nothing else. */
  public grantPublish(client: IStoreClient): void {
    this.grant(client, { write: `^${escape(this.exchangeName)}$` });
    client.addEnvironment({ name: 'RABBITMQ_EXCHANGE', value: this.exchangeName }, { name: 'RABBITMQ_ROUTING_KEY', value: this.routingKey });
  }

  /** Lets `client` consume jobs from the queue, and nothing else. */
  public grantConsume(client: IStoreClient): void {
    this.grant(client, { read: `^${escape(this.queueName)}$` });
    client.addEnvironment({ name: 'RABBITMQ_QUEUE', value: this.queueName });
  }

  /**
   * Scales `consumer` on the queue's ready messages with a KEDA ScaledObject, between the bounds of
   * its `Replicas.autoscaled(...)`. KEDA reads the depth over AMQPS, as clients do, verifying the
   * broker against the `ca.crt` of its certificate (the TriggerAuthentication's `tls: enable` and
   * `ca`), with a passive `queue.declare`, whose message count is the ready messages only. AMQP
   * rather than the management API because the pinned KEDA 2.13 applies `ca` to AMQP connections
   * only: its HTTP client ignores it until 2.14 (kedacore/keda#5672), so it could not verify the
   * internal CA. A passive declare needs only access to the vhost, which a Permission gives even
   * when it matches nothing: KEDA's user may configure, write and read nothing, and has no
   * management tag (test/stores/rabbitmq-queue-depth.real.test.ts).
   *
   * Jobs delivered but not yet acknowledged are not counted: jobs in progress hold no replica, and
   * a scale-in may stop a busy consumer, which then has its drain timeout to finish.
   */
  public scaleConsumer(consumer: IExternallyScaledWorkload, options: QueueScalingOptions): void {
    const messagesPerReplica = options.messagesPerReplica ?? 5;
    if (!Number.isInteger(messagesPerReplica) || messagesPerReplica < 1) {
      throw new Error(`JobQueue: messagesPerReplica is ${messagesPerReplica}; use a whole number of at least 1`);
    }
    const scalerName = `${consumer.name}-queue-depth`;
    consumer.useExternalScaler(scalerName);
    const monitor = this.user('keda', { configure: '^$', write: '^$', read: '^$' }, {
      amqps_uri: this.amqpsUri(),
      // A TriggerAuthentication takes parameters from Secrets only; this one is a constant.
      tls: 'enable',
    });
    this.broker.allowIngressFrom(options.kedaOperator, AMQPS_PORT);

    const namespace = consumer.namespaceName;
    const labels = { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/name': consumer.name };
    new TriggerAuthentication(consumer, 'QueueDepthAuthentication', {
      metadata: { name: scalerName, namespace, labels },
      spec: {
        secretTargetRef: [
          { parameter: 'host', name: monitor.secretName, key: 'amqps_uri' },
          { parameter: 'tls', name: monitor.secretName, key: 'tls' },
          // Only the CA certificate is read from the broker's Secret, never its key.
          { parameter: 'ca', name: this.broker.tlsSecretName, key: 'ca.crt' },
        ],
      },
    });
    new ScaledObject(consumer, 'QueueDepthScaler', {
      metadata: { name: scalerName, namespace, labels },
      spec: {
        scaleTargetRef: { ...consumer.workloadReference },
        minReplicaCount: consumer.replicas.min,
        maxReplicaCount: consumer.replicas.max,
        pollingInterval: 15,
        // A generation runs for minutes: scale in slowly so that in-flight jobs are not drained needlessly.
        cooldownPeriod: 300,
        fallback: { failureThreshold: 3, replicas: consumer.replicas.min },
        advanced: {
          horizontalPodAutoscalerConfig: {
            name: scalerName,
            behavior: {
              scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 4, periodSeconds: 30 }] },
              scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
            },
          },
        },
        triggers: [
          {
            type: 'rabbitmq',
            // KEDA's AMQP mode takes no `timeout` and no `MessageRate` mode.
            metadata: { protocol: 'amqp', mode: 'QueueLength', value: String(messagesPerReplica), queueName: this.queueName, vhostName: this.broker.vhostName },
            authenticationRef: { name: scalerName },
          },
        ],
      },
    });
  }

  private grant(client: IStoreClient, permissions: { write?: string; read?: string }): void {
    if (this.clients.has(client.name)) {
      throw new Error(`${client.name} already has access to ${this.queueName}; grant publish and consume to separate services`);
    }
    const credentials = this.user(client.name, { configure: '^$', write: permissions.write ?? '^$', read: permissions.read ?? '^$' }, {
      amqps_uri: this.amqpsUri(),
    });
    this.broker.allowIngressFrom(client, AMQPS_PORT);
    client.allowEgressTo(this.broker, [AMQPS_PORT]);
    // The broker listens with TLS only: the client verifies it against the internal CA, by the
    // name in RABBITMQ_HOST (which the certificate carries).
    const caFile = client.trustCertificateAuthority(this.broker.tlsSecretName);
    client.addEnvironment(
      { name: 'RABBITMQ_HOST', value: this.broker.serviceHost },
      { name: 'RABBITMQ_PORT', value: String(AMQPS_PORT) },
      { name: 'RABBITMQ_VHOST', value: this.broker.vhostName },
      { name: 'RABBITMQ_USERNAME', valueFrom: credentials.envValue('username') },
      { name: 'RABBITMQ_PASSWORD', valueFrom: credentials.envValue('password') },
      { name: 'RABBITMQ_URL', valueFrom: credentials.envValue('amqps_uri') },
      { name: 'RABBITMQ_CA_FILE', value: caFile },
    );
  }

  /** The broker's AMQPS URI with a user's credentials, as an External Secrets template over its Vault properties. */
  private amqpsUri(): string {
    const address = `${this.broker.serviceHost}:${AMQPS_PORT}/${encodeURIComponent(this.broker.vhostName)}`;
    return `amqps://{{ .username | urlquery }}:{{ .password | urlquery }}@${address}`;
  }

  /** A RabbitMQ user with no tags (no management access) and `permissions` in the vhost. */
  private user(
    clientName: string,
    permissions: { configure: string; write: string; read: string },
    derivedKeys?: Record<string, string>,
  ): VaultSecret {
    const name = `${this.broker.name}-${clientName}`;
    const scope = new Construct(this, `Client-${clientName}`);
    const secret = new VaultSecret(scope, 'Credentials', {
      namespace: this.broker.namespaceName,
      secretName: `${name}-credentials`,
      vaultPath: `${this.vaultPathPrefix}/rabbitmq/${clientName}`,
      keys: ['username', 'password'],
      derivedKeys,
      // The password is the platform's on both ends (the User object sets it, the client reads it);
      // generated, the user is named after its client.
      generatableKeys: ['password'],
      valuesWhenGenerated: { username: clientName },
    });
    new User(scope, 'User', {
      metadata: { name, namespace: this.broker.namespaceName, labels: this.labels },
      spec: { tags: [], importCredentialsSecret: { name: secret.secretName }, rabbitmqClusterReference: { name: this.broker.name } },
    });
    new Permission(scope, 'Permission', {
      metadata: { name, namespace: this.broker.namespaceName, labels: this.labels },
      spec: { vhost: this.broker.vhostName, userReference: { name }, permissions, rabbitmqClusterReference: { name: this.broker.name } },
    });
    this.clients.add(clientName);
    return secret;
  }
}

function escape(name: string): string {
  return name.replace(/\./g, '\\.');
}
