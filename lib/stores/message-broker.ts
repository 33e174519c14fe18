import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { RabbitmqCluster, Vhost, VhostSpecDefaultQueueType } from '../../imports/rabbitmq.com';
import { ImageReference } from '../platform/image-reference';
import { PLATFORM_NAME } from '../platform/labels';
import { NamespaceBaseline } from '../platform/namespace-baseline';
import { INetworkPeer, tcpPorts } from '../platform/network-peer';
import { PropError } from '../platform/prop-error';
import { IWorkload, WorkloadFootprint } from '../platform/workload-footprint';
import { CertificateLifetime, DEFAULT_CERTIFICATE_LIFETIME, ICertificateIssuer, TlsCertificate } from '../security/tls-certificate';
import { DisruptionBudget } from '../workloads/disruption-budget';
import { brokerCertificateDnsNames } from './rabbitmq/broker-certificate';
import { addBrokerNetworkPolicies, BrokerPolicyTarget, brokerPolicy } from './rabbitmq/broker-network-policies';
import { DISTRIBUTION_OPTFILE_KEY, DISTRIBUTION_TLS_DIR, distributionOptions } from './rabbitmq/distribution-tls';
import { RABBITMQ_IMAGE, rabbitmqClusterSpec, SETUP_CONTAINER } from './rabbitmq/rabbitmq-cluster-spec';

export { AMQPS_PORT, MANAGEMENT_TLS_PORT, PROMETHEUS_TLS_PORT } from './rabbitmq/broker-network-policies';
export { RABBITMQ_IMAGE } from './rabbitmq/rabbitmq-cluster-spec';
/** Name of the rabbitmq_prometheus port in the Services the operator creates when TLS is on. */
export const PROMETHEUS_TLS_PORT_NAME = 'prometheus-tls';

export interface MessageBrokerProps {
  /** The namespace to run in; the broker counts itself into its quota. */
  readonly namespace: NamespaceBaseline;
  /** RabbitMQ nodes: 1, or an odd number of at least 3 so that pause_minority keeps a majority. */
  readonly replicas: number;
  /** CPU per node (requests = limits). */
  readonly cpuMillis: number;
  /** Memory per node (requests = limits); the operator sets RabbitMQ's memory limit from it. */
  readonly memoryMi: number;
  /** Persistent volume per node for the message store. */
  readonly storageGi: number;
  /** Availability zones the nodes are spread over. */
  readonly zones: readonly string[];
  /** Prometheus, allowed to scrape the rabbitmq_prometheus port. */
  readonly metricsScraper: INetworkPeer;
  /** The Kubernetes API server: peer discovery lists the cluster's endpoints through it. */
  readonly kubernetesApi: INetworkPeer;
  /**
   * Issuer of the server certificate (the internal CA): clients, Prometheus, KEDA and the
   * operators verify the broker against its `ca.crt`.
   */
  readonly tlsIssuer: ICertificateIssuer;
  /**
   * Lifetime of the server certificate and how early cert-manager renews it.
   * @default - 2160 hours (90 days), renewed 720 hours before expiry
   */
  readonly tlsCertificateLifetime?: CertificateLifetime;
  /**
   * StorageClass of the message store.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Seconds a stopping node may take. The operator's preStop hook waits until every quorum queue
   * keeps a majority without this node (`rabbitmq-upgrade await_online_quorum_plus_one`) and
   * until it has drained; the operator's default is a week, which blocks node drains for days.
   * @default 600
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * RabbitMQ image, a 3.12 release with the management plugin (the Cluster Operator 2.7 runs
   * 3.12); the operator runs it for the setup init container too.
   * @default RABBITMQ_IMAGE
   */
  readonly image?: ImageReference;
  /**
   * Virtual host the platform's topology lives in.
   * @default 'generator-platform'
   */
  readonly vhostName?: string;
  /**
   * Namespace of the RabbitMQ Cluster and Messaging Topology operators, which call the management API.
   * @default 'rabbitmq-system'
   */
  readonly operatorNamespace?: string;
}

/**
 * A clustered RabbitMQ on the RabbitMQ Cluster Operator: quorum queues by default, pause_minority
 * on partitions, one node per host, spread over zones, protected by a PodDisruptionBudget, and
 * closed to every flow but AMQP from granted clients and KEDA, the operators, Prometheus and its own nodes.
 *
 * TLS only, in every environment: a cert-manager Certificate from `tlsIssuer` (the client Service
 * and every node's name) serves AMQPS, the management API and the Prometheus endpoint, and the
 * plain listeners are off. Development and previews get the same listeners as production so that
 * a client that cannot speak TLS fails there first. Peers are asked for a certificate but not
 * required to present one (the operator sets `verify_peer` without `fail_if_no_peer_cert`):
 * clients authenticate with their RabbitMQ user.
 *
 * Erlang distribution (between the nodes, and from the CLI tools the operator runs in the pods:
 * preStop, post-deploy, rebalancing) is TLS only as well, with mutual verification, as RabbitMQ's
 * guide for the operator does it (cluster-operator docs/examples/mtls-inter-node): `envConfig`
 * passes `-proto_dist inet_tls -ssl_dist_optfile` to the server and to the CLI tools, the options
 * file (a ConfigMap) requires a peer certificate from the internal CA in both directions, and the
 * same certificate serves as every node's and every CLI tool's. A connecting node checks the
 * certificate against the host part of the node name it dials, which the operator sets to
 * `<name>-server-N.<name>-nodes.<namespace>`: the certificate carries those names too.
 *
 * The Messaging Topology Operator reaches the management API over HTTPS and verifies it against
 * its system trust store: `tlsIssuer` must be the cluster's CA, whose certificate the cluster's
 * CA chart delivers into the operator's namespace and the add-on's patch mounts under
 * `/etc/ssl/certs/` (charts/cluster-certificate-authority-chart.ts, lib/gitops/addon-catalog.ts).
 */
export class MessageBroker extends Construct implements IWorkload, INetworkPeer {
  public readonly name: string;
  public readonly peerName: string;
  public readonly namespaceName: string;
  public readonly vhostName: string;
  public readonly footprint: WorkloadFootprint;
  /** DNS name of the client Service the operator creates (named after the cluster). */
  public readonly serviceHost: string;
  /**
   * The cert-manager Secret of the server certificate; clients trust its `ca.crt` (the internal
   * CA), never its key.
   */
  public readonly tlsSecretName: string;
  private readonly labels: Record<string, string>;
  /** Where the broker's NetworkPolicies go and which pods they open. */
  private readonly policyTarget: BrokerPolicyTarget;

  public constructor(scope: Construct, id: string, props: MessageBrokerProps) {
    super(scope, id);
    validate(id, props);
    this.name = id;
    this.peerName = id;
    this.namespaceName = props.namespace.namespaceName;
    this.vhostName = props.vhostName ?? 'generator-platform';
    this.serviceHost = `${id}.${this.namespaceName}.svc.cluster.local`;
    this.tlsSecretName = `${id}-tls`;
    // The operator labels the pods it creates with the cluster's name.
    this.labels = { 'app.kubernetes.io/name': id };
    this.footprint = {
      maxPods: props.replicas,
      podCpuMillis: props.cpuMillis + SETUP_CONTAINER.cpuMillis,
      podMemoryMi: props.memoryMi + SETUP_CONTAINER.memoryMi,
      podEphemeralStorageGi: 2,
      podClaimStorageGi: props.storageGi,
      podClaimCount: 1,
      largestContainerCpuMillis: props.cpuMillis,
      largestContainerMemoryMi: props.memoryMi,
      largestClaimGi: props.storageGi,
    };
    props.namespace.addWorkload(this);
    const metadataLabels = { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/component': 'message-broker' };
    this.policyTarget = { clusterName: id, namespace: this.namespaceName, labels: metadataLabels, podLabels: this.labels };

    const distributionConfigMapName = `${id}-distribution-tls`;
    const lifetime = props.tlsCertificateLifetime ?? DEFAULT_CERTIFICATE_LIFETIME;
    new TlsCertificate(this, 'ServerCertificate', {
      namespace: this.namespaceName,
      secretName: this.tlsSecretName,
      dnsNames: brokerCertificateDnsNames(id, this.namespaceName, props.replicas),
      issuer: props.tlsIssuer,
      durationHours: lifetime.durationHours,
      renewBeforeHours: lifetime.renewBeforeHours,
      clientAuth: true,
    });

    new RabbitmqCluster(this, 'Resource', {
      metadata: { name: id, namespace: this.namespaceName, labels: metadataLabels },
      spec: rabbitmqClusterSpec({
        image: props.image ?? RABBITMQ_IMAGE,
        replicas: props.replicas,
        cpuMillis: props.cpuMillis,
        memoryMi: props.memoryMi,
        storageGi: props.storageGi,
        storageClass: props.storageClass,
        terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 600,
        zones: props.zones,
        podLabels: this.labels,
        tlsSecretName: this.tlsSecretName,
        distributionConfigMapName,
      }),
    });

    new k8s.KubeConfigMap(this, 'DistributionConfig', {
      metadata: { name: distributionConfigMapName, namespace: this.namespaceName, labels: metadataLabels },
      data: { [DISTRIBUTION_OPTFILE_KEY]: distributionOptions(DISTRIBUTION_TLS_DIR) },
    });

    new Vhost(this, 'Vhost', {
      metadata: { name: `${id}-${this.vhostName}`, namespace: this.namespaceName, labels: metadataLabels },
      spec: {
        name: this.vhostName,
        // Quorum queues replicate every message to a majority of nodes: no loss on a node failure.
        defaultQueueType: VhostSpecDefaultQueueType.QUORUM,
        rabbitmqClusterReference: { name: id },
      },
    });

    // A node that is not ready holds no quorum-queue majority; evicting it never costs one.
    new DisruptionBudget(this, 'PodDisruptionBudget', { name: id, namespace: this.namespaceName, labels: metadataLabels, selector: this.labels });

    addBrokerNetworkPolicies(this, {
      ...this.policyTarget,
      operatorNamespace: props.operatorNamespace ?? 'rabbitmq-system',
      metricsScraper: props.metricsScraper,
      kubernetesApi: props.kubernetesApi,
    });
  }

  public toNetworkPolicyPeer(fromNamespace: string): k8s.NetworkPolicyPeer {
    const podSelector = { matchLabels: { ...this.labels } };
    return fromNamespace === this.namespaceName
      ? { podSelector }
      : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.namespaceName } }, podSelector };
  }

  /** Lets `peer` reach the broker on `port`; the peer opens its own egress. */
  public allowIngressFrom(peer: INetworkPeer, port: number): void {
    brokerPolicy(this, `AllowFrom-${peer.peerName}-${port}`, `from-${peer.peerName}`, this.policyTarget, {
      policyTypes: ['Ingress'],
      ingress: [{ from: [peer.toNetworkPolicyPeer(this.namespaceName)], ports: tcpPorts(port) }],
    });
  }
}

function validate(id: string, props: MessageBrokerProps): void {
  const fail = (field: string, value: unknown, fix: string): never => {
    throw new PropError(id, field, value, fix, `MessageBroker ${id}`);
  };
  if (!Number.isInteger(props.replicas) || props.replicas < 1 || (props.replicas > 1 && (props.replicas < 3 || props.replicas % 2 === 0))) {
    fail('replicas', props.replicas, 'use 1, or an odd number of at least 3 so that pause_minority always leaves a majority running');
  }
  if (props.memoryMi < 1024) {
    fail('memoryMi', props.memoryMi, 'give each node at least 1024 MiB');
  }
  if (props.zones.length === 0) {
    fail('zones', props.zones, 'list at least one zone');
  }
  const grace = props.terminationGracePeriodSeconds;
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 120 || grace > 3600)) {
    fail('terminationGracePeriodSeconds', grace, 'use 120 to 3600 seconds: long enough for quorum queues to hand over, short enough for node drains');
  }
}
