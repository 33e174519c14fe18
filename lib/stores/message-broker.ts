import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { RabbitmqCluster, Vhost, VhostSpecDefaultQueueType } from '../../imports/rabbitmq.com';
import { PLATFORM_NAME } from '../platform/labels';
import { NamespaceBaseline } from '../platform/namespace-baseline';
import { INetworkPeer, tcpPorts } from '../platform/network-peer';
import { cpuQuantity, gibibytes, memoryQuantity } from '../platform/quantities';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../platform/security-contexts';
import { IWorkload, WorkloadFootprint } from '../platform/workload-footprint';
import { zoneNodeAffinity } from '../platform/zone-node-affinity';
import { CertificateLifetime, DEFAULT_CERTIFICATE_LIFETIME, ICertificateIssuer, TlsCertificate } from '../security/tls-certificate';

/** RabbitMQ 3.12 with the management plugin; the Cluster Operator 2.7 supports 3.12. */
export const RABBITMQ_IMAGE = 'rabbitmq:3.12.14-management';
/**
 * The broker's listeners. Its non-TLS listeners are off (`disableNonTLSListeners`), so the
 * operator opens only the TLS ports below: AMQP over TLS, the management API over HTTPS and
 * rabbitmq_prometheus over HTTPS, each named in the client Service (`amqps`, `management-tls`,
 * `prometheus-tls`).
 */
export const AMQPS_PORT = 5671;
export const MANAGEMENT_TLS_PORT = 15671;
export const PROMETHEUS_TLS_PORT = 15691;
/** Name of the rabbitmq_prometheus port in the Services the operator creates when TLS is on. */
export const PROMETHEUS_TLS_PORT_NAME = 'prometheus-tls';
/** Lifetime of the server certificate when the caller names none: 90 days, renewed 30 days before expiry. */
/** epmd, Erlang distribution and the CLI tools' distribution ports, used between cluster nodes. */
const INTER_NODE_PORTS = [4369, 25672, 35672, 35673, 35674, 35675, 35676, 35677, 35678, 35679, 35680, 35681, 35682];
/** UID and GID of the rabbitmq user in the official image. */
const RABBITMQ_ID = 999;
/** Where the broker certificate's Secret is mounted for Erlang distribution. */
const DISTRIBUTION_TLS_DIR = '/etc/rabbitmq/distribution-tls';
/** Where the ConfigMap with the `ssl_dist_optfile` is mounted. */
const DISTRIBUTION_CONFIG_DIR = '/etc/rabbitmq/distribution';
/** The key of the `ssl_dist_optfile` in its ConfigMap, and its file name under DISTRIBUTION_CONFIG_DIR. */
const DISTRIBUTION_OPTFILE_KEY = 'inter_node_tls.config';

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
    // The user comes from the pod: the rabbitmq image's own 999, which owns its files.
    const restricted = restrictedContainerSecurityContext();
    const resources = (cpuMillis: number, memoryMi: number, ephemeralGi: number) => {
      const amounts = { 'cpu': cpuQuantity(cpuMillis), 'memory': memoryQuantity(memoryMi), 'ephemeral-storage': gibibytes(ephemeralGi) };
      return { requests: amounts, limits: amounts };
    };

    const distributionConfigMapName = `${id}-distribution-tls`;
    const lifetime = props.tlsCertificateLifetime ?? DEFAULT_CERTIFICATE_LIFETIME;
    const ns = this.namespaceName;
    new TlsCertificate(this, 'ServerCertificate', {
      namespace: ns,
      secretName: this.tlsSecretName,
      // The client Service (clients, KEDA, the topology operator's `<name>.<namespace>.svc`), each
      // node by its Erlang node name's host (`rabbit@<pod>.<name>-nodes.<namespace>`, verified by the
      // peer that dials it over TLS distribution), and by its stable DNS names, as Prometheus, which
      // scrapes pods, knows it.
      dnsNames: [
        ...serviceNames(id, ns),
        ...nodeHosts(id, ns, props.replicas),
        ...Array.from({ length: props.replicas }, (_, index) => `${id}-server-${index}.${id}-nodes.${ns}.svc`),
        ...Array.from({ length: props.replicas }, (_, index) => `${id}-server-${index}.${id}-nodes.${ns}.svc.cluster.local`),
      ],
      issuer: props.tlsIssuer,
      durationHours: lifetime.durationHours,
      renewBeforeHours: lifetime.renewBeforeHours,
      clientAuth: true,
    });

    new RabbitmqCluster(this, 'Resource', {
      metadata: { name: id, namespace: this.namespaceName, labels: metadataLabels },
      spec: {
        replicas: props.replicas,
        image: RABBITMQ_IMAGE,
        // One Secret for both: cert-manager's Secret holds tls.crt, tls.key and ca.crt. Operator
        // 2.7 projects a separate CA Secret whole into the same folder, so a CA Secret that also
        // holds a tls.crt would overwrite the server certificate (rabbitmq/cluster-operator#1616).
        tls: { secretName: this.tlsSecretName, caSecretName: this.tlsSecretName, disableNonTlsListeners: true },
        resources: {
          requests: { cpu: cpuQuantity(props.cpuMillis), memory: memoryQuantity(props.memoryMi) },
          limits: { cpu: cpuQuantity(props.cpuMillis), memory: memoryQuantity(props.memoryMi) },
        },
        persistence: { storageClassName: props.storageClass, storage: gibibytes(props.storageGi) },
        terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 600,
        rabbitmq: {
          envConfig: distributionEnvConfig(),
          additionalConfig: [
            // A minority side stops serving rather than accept writes that the majority never sees.
            'cluster_partition_handling = pause_minority',
            'disk_free_limit.absolute = 2GB',
            'log.console.level = info',
            'log.console.formatter = json',
          ].join('\n'),
        },
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: this.labels } },
            ],
          },
          nodeAffinity: zoneNodeAffinity(props.zones),
        },
        override: {
          statefulSet: {
            spec: {
              template: {
                spec: {
                  securityContext: restrictedPodSecurityContext(RABBITMQ_ID),
                  topologySpreadConstraints: [
                    {
                      topologyKey: 'topology.kubernetes.io/zone',
                      maxSkew: 1,
                      whenUnsatisfiable: props.zones.length > 1 ? 'DoNotSchedule' : 'ScheduleAnyway',
                      labelSelector: { matchLabels: this.labels },
                    },
                  ],
                  initContainers: [
                    {
                      name: 'setup-container',
                      securityContext: restricted,
                      resources: resources(SETUP_CONTAINER.cpuMillis, SETUP_CONTAINER.memoryMi, 1),
                    },
                  ],
                  containers: [
                    {
                      name: 'rabbitmq',
                      securityContext: restricted,
                      resources: resources(props.cpuMillis, props.memoryMi, 2),
                      volumeMounts: [
                        { name: 'tmp', mountPath: '/tmp' },
                        { name: 'distribution-tls', mountPath: DISTRIBUTION_TLS_DIR, readOnly: true },
                        { name: 'distribution-config', mountPath: DISTRIBUTION_CONFIG_DIR, readOnly: true },
                      ],
                    },
                  ],
                  volumes: [
                    { name: 'tmp', emptyDir: { sizeLimit: gibibytes(1) } },
                    // Readable by the group only: fsGroup makes it the rabbitmq user's.
                    { name: 'distribution-tls', secret: { secretName: this.tlsSecretName, defaultMode: 0o440 } },
                    { name: 'distribution-config', configMap: { name: distributionConfigMapName } },
                  ],
                },
              },
            },
          },
        },
      },
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

    new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
      metadata: { name: id, namespace: this.namespaceName, labels: metadataLabels },
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: this.labels },
        // A node that is not ready holds no quorum-queue majority; evicting it never costs one.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });

    const operators = new OperatorPeer(props.operatorNamespace ?? 'rabbitmq-system');
    const policy = (name: string, spec: Omit<k8s.NetworkPolicySpec, 'podSelector'>) =>
      new k8s.KubeNetworkPolicy(this, `NetworkPolicy-${name}`, {
        metadata: { name: `${id}-allow-${name}`, namespace: this.namespaceName, labels: metadataLabels },
        spec: { podSelector: { matchLabels: this.labels }, ...spec },
      });
    const self = { podSelector: { matchLabels: this.labels } };
    policy('cluster-nodes', {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [self], ports: tcpPorts(...INTER_NODE_PORTS, AMQPS_PORT) }],
      egress: [{ to: [self], ports: tcpPorts(...INTER_NODE_PORTS, AMQPS_PORT) }],
    });
    policy('operators', { policyTypes: ['Ingress'], ingress: [{ from: [operators.toNetworkPolicyPeer()], ports: tcpPorts(MANAGEMENT_TLS_PORT) }] });
    policy('metrics-scrape', { policyTypes: ['Ingress'], ingress: [{ from: [props.metricsScraper.toNetworkPolicyPeer(this.namespaceName)], ports: tcpPorts(PROMETHEUS_TLS_PORT) }] });
    policy('egress-to-kubernetes-api', { policyTypes: ['Egress'], egress: [{ to: [props.kubernetesApi.toNetworkPolicyPeer(this.namespaceName)], ports: tcpPorts(443, 6443) }] });
  }

  public toNetworkPolicyPeer(fromNamespace: string): k8s.NetworkPolicyPeer {
    const podSelector = { matchLabels: { ...this.labels } };
    return fromNamespace === this.namespaceName
      ? { podSelector }
      : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.namespaceName } }, podSelector };
  }

  /** Lets `peer` reach the broker on `port`; the peer opens its own egress. */
  public allowIngressFrom(peer: INetworkPeer, port: number): void {
    new k8s.KubeNetworkPolicy(this, `AllowFrom-${peer.peerName}-${port}`, {
      metadata: {
        name: `${this.name}-allow-from-${peer.peerName}`,
        namespace: this.namespaceName,
        labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/component': 'message-broker' },
      },
      spec: {
        podSelector: { matchLabels: { ...this.labels } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [peer.toNetworkPolicyPeer(this.namespaceName)], ports: tcpPorts(port) }],
      },
    });
  }
}

/** The client Service's names, short to fully qualified. */
function serviceNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

/** Each node's host in its Erlang node name, as the operator names nodes: `rabbit@<pod>.<name>-nodes.<namespace>`. */
function nodeHosts(cluster: string, namespace: string, replicas: number): string[] {
  return Array.from({ length: replicas }, (_, index) => `${cluster}-server-${index}.${cluster}-nodes.${namespace}`);
}

/**
 * The operator's `rabbitmq-env.conf`: Erlang distribution over TLS with the options file, for the
 * server and for the CLI tools (which must speak TLS to reach a node at all).
 */
function distributionEnvConfig(): string {
  const args = `-proto_dist inet_tls -ssl_dist_optfile ${DISTRIBUTION_CONFIG_DIR}/${DISTRIBUTION_OPTFILE_KEY}`;
  return [`SERVER_ADDITIONAL_ERL_ARGS="${args}"`, `RABBITMQ_CTL_ERL_ARGS="${args}"`].join('\n') + '\n';
}

/**
 * The `ssl_dist_optfile` (Erlang terms): both ends present the broker certificate from `tlsDir`
 * and verify the other's against the internal CA. The accepting end requires a certificate
 * (`fail_if_no_peer_cert`, a server-only option); the dialing end also checks the host of the node
 * name it dials (Erlang sends it as server_name_indication), which the certificate lists.
 */
function distributionOptions(tlsDir: string): string {
  const common = [
    `{cacertfile, "${tlsDir}/ca.crt"}`,
    `{certfile, "${tlsDir}/tls.crt"}`,
    `{keyfile, "${tlsDir}/tls.key"}`,
    '{secure_renegotiate, true}',
    '{verify, verify_peer}',
  ];
  const section = (role: string, options: string[]) => `  {${role}, [\n${options.map((option) => `    ${option}`).join(',\n')}\n  ]}`;
  return `[\n${section('server', [...common, '{fail_if_no_peer_cert, true}'])},\n${section('client', common)}\n].\n`;
}

/** The init container the operator adds to copy configuration and the Erlang cookie. */
const SETUP_CONTAINER = { cpuMillis: 100, memoryMi: 512 };

/** The RabbitMQ Cluster and Messaging Topology operators' pods. */
class OperatorPeer {
  public constructor(private readonly namespace: string) {}

  public toNetworkPolicyPeer(): k8s.NetworkPolicyPeer {
    return {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.namespace } },
      podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['rabbitmq-cluster-operator', 'messaging-topology-operator'] }] },
    };
  }
}

function validate(id: string, props: MessageBrokerProps): void {
  const fail = (field: string, value: unknown, fix: string): never => {
    throw new Error(`MessageBroker ${id}: ${field} is ${JSON.stringify(value)}; ${fix}`);
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
