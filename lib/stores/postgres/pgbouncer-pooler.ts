import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  Pooler,
  PoolerSpecDeploymentStrategyRollingUpdateMaxSurge,
  PoolerSpecDeploymentStrategyRollingUpdateMaxUnavailable,
  PoolerSpecPgbouncerPoolMode,
  PoolerSpecTemplateSpecContainersResourcesLimits,
  PoolerSpecTemplateSpecContainersResourcesRequests,
  PoolerSpecType,
} from '../../../imports/postgresql.cnpg.io';
import { ImageReference, imageReference } from '../../platform/image-reference';
import { workloadLabels } from '../../platform/labels';
import { pinnedReference, THIRD_PARTY_IMAGES } from '../../platform/third-party-images';
import { INetworkPeer } from '../../platform/network-peer';
import { restrictedContainerSecurityContext } from '../../platform/security-contexts';
import { IWorkload, WorkloadFootprint, singleContainerFootprint } from '../../platform/workload-footprint';
import { zoneAndHostSpread } from '../../platform/zone-and-host-spread';
import { zoneNodeAffinity } from '../../platform/zone-node-affinity';
import { DisruptionBudget } from '../../workloads/disruption-budget';
import { resourceMap } from './resource-quantities';
import { ipBlockPeers, TcpFlowPolicy } from './tcp-flow-policy';

/** PgBouncer 1.23.0, CloudNativePG 1.22.5's default, as lib/platform/third-party-images.ts pins it. */
export const PGBOUNCER_IMAGE: ImageReference = pinnedReference(THIRD_PARTY_IMAGES.pgbouncer);
/** Port PgBouncer serves clients on (the Pooler Service's port). */
export const PGBOUNCER_PORT = 5432;
/** Port of the PgBouncer exporter the operator runs beside PgBouncer. */
export const PGBOUNCER_METRICS_PORT = 9127;
/** PgBouncer HBA rules that refuse every TCP client that has not negotiated TLS. */
export const PGBOUNCER_REJECT_PLAINTEXT: readonly string[] = ['hostnossl all all 0.0.0.0/0 reject', 'hostnossl all all ::/0 reject'];
/** Server connections a pod may open on top of `defaultPoolSize` when clients have waited too long. */
const RESERVE_POOL_SIZE = 5;
const EPHEMERAL_STORAGE_GI = 1;

export interface PgBouncerPoolerProps {
  /** Object name of the Pooler, which is also the name of its Service. */
  readonly name: string;
  readonly namespaceName: string;
  /** The PostgreSQL instances the pooler forwards to. */
  readonly instances: INetworkPeer;
  /** Name of the CloudNativePG Cluster. */
  readonly clusterName: string;
  /**
   * The PgBouncer image. Named rather than left to the operator, whose default (for a container
   * that names none) changes with the operator's version and is pulled by tag.
   * @default PGBOUNCER_IMAGE
   */
  readonly image?: ImageReference;
  /** PgBouncer pods. */
  readonly replicas: number;
  /** CPU per pod (requests = limits). */
  readonly cpuMillis: number;
  /** Memory per pod (requests = limits). */
  readonly memoryMi: number;
  /** Client connections one pod accepts (`max_client_conn`). */
  readonly maxClientConnections: number;
  /** Server connections one pod keeps per database and user (`default_pool_size`). */
  readonly defaultPoolSize: number;
  /** Prometheus, allowed to scrape the exporter. */
  readonly metricsScraper: INetworkPeer;
  /** The operator's PgBouncer manager in each pod watches the Pooler and its Secrets through the API server. */
  readonly kubernetesApiCidrs: readonly string[];
  /** Ports of the API server behind `kubernetesApiCidrs`. */
  readonly kubernetesApiPorts: readonly number[];
  /** Zones to run in; an empty list means any zone. */
  readonly zones: readonly string[];
  /** Refuse to schedule rather than break the spread over zones and nodes. */
  readonly strictTopologySpread: boolean;
}

/**
 * A CloudNativePG `Pooler`: PgBouncer in transaction mode in front of the cluster's primary (the
 * `-rw` service). Clients reach it through the Service named after it; it reaches the instances.
 * Both legs are TLS: toward clients PgBouncer presents the Cluster's server certificate
 * (`serverTLSSecret`, which therefore names this Service too) and refuses plaintext (`pgHba`);
 * toward PostgreSQL it verifies the server against the Cluster's server CA (`verify-ca`) and logs
 * in with the operator's client certificate for `cnpg_pooler_pgbouncer`.
 * Transaction pooling shares server connections between transactions, so clients must not rely on
 * session state (session-level prepared statements, advisory locks, LISTEN, SET without LOCAL).
 * @see https://cloudnative-pg.io/documentation/1.22/connection_pooling/
 */
export class PgBouncerPooler extends Construct implements IWorkload, INetworkPeer {
  public readonly name: string;
  public readonly peerName: string;
  public readonly namespaceName: string;
  public readonly footprint: WorkloadFootprint;
  /** DNS name of the Service the operator creates for the Pooler. */
  public readonly serviceHost: string;
  /** Most server connections one pod opens to PostgreSQL (`max_db_connections`). */
  public readonly serverConnectionsPerPod: number;
  /** Pods that can run at once: the replicas plus one during a rolling update. */
  public readonly maxPods: number;
  private readonly labels: Record<string, string>;
  /**
   * The label the operator gives every pod of the Pooler (and its Deployment selects on); the
   * template's own labels are descriptive only.
   */
  private readonly podLabels: Record<string, string>;

  public constructor(scope: Construct, id: string, props: PgBouncerPoolerProps) {
    super(scope, id);
    this.name = props.name;
    this.peerName = props.name;
    this.namespaceName = props.namespaceName;
    this.serviceHost = `${props.name}.${props.namespaceName}.svc.cluster.local`;
    this.serverConnectionsPerPod = props.defaultPoolSize + RESERVE_POOL_SIZE;
    this.maxPods = props.replicas + 1;
    this.labels = workloadLabels(props.name, 'connection-pooler');
    this.podLabels = { 'cnpg.io/poolerName': props.name };
    this.footprint = singleContainerFootprint({ maxPods: this.maxPods, cpuMillis: props.cpuMillis, memoryMi: props.memoryMi, ephemeralStorageGi: EPHEMERAL_STORAGE_GI });

    const resources = { cpuMillis: props.cpuMillis, memoryMi: props.memoryMi, ephemeralStorageGi: EPHEMERAL_STORAGE_GI };

    new Pooler(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespaceName, labels: this.labels },
      spec: {
        cluster: { name: props.clusterName },
        type: PoolerSpecType.RW,
        instances: props.replicas,
        deploymentStrategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: PoolerSpecDeploymentStrategyRollingUpdateMaxSurge.fromNumber(1),
            maxUnavailable: PoolerSpecDeploymentStrategyRollingUpdateMaxUnavailable.fromNumber(0),
          },
        },
        pgbouncer: {
          poolMode: PoolerSpecPgbouncerPoolMode.TRANSACTION,
          parameters: {
            max_client_conn: String(props.maxClientConnections),
            default_pool_size: String(props.defaultPoolSize),
            reserve_pool_size: String(RESERVE_POOL_SIZE),
            // Caps the pod's server connections whatever the number of users, so that
            // PostgreSQL's max_connections can be sized from it.
            max_db_connections: String(this.serverConnectionsPerPod),
          },
          // CloudNativePG 1.22 runs PgBouncer with client_tls_sslmode = prefer and does not let a
          // Pooler change it, so a client could still log in without TLS. These rules come before
          // the operator's closing `host all all ... md5` lines and refuse any TCP connection that
          // is not TLS; the operator's own `local` (unix socket) admin rule is unaffected.
          pgHba: [...PGBOUNCER_REJECT_PLAINTEXT],
        },
        monitoring: { enablePodMonitor: true },
        template: {
          metadata: { labels: this.labels },
          spec: {
            // The operator sets its own restricted pod and container security contexts (UID 998)
            // over these; they are stated here so that the intent survives an operator change.
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            affinity: {
              nodeAffinity: zoneNodeAffinity(props.zones),
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: this.podLabels } } },
                ],
              },
            },
            topologySpreadConstraints: zoneAndHostSpread(this.podLabels, props.strictTopologySpread),
            containers: [
              {
                name: 'pgbouncer',
                image: imageReference(props.image ?? PGBOUNCER_IMAGE),
                resources: {
                  requests: resourceMap(resources, PoolerSpecTemplateSpecContainersResourcesRequests.fromString),
                  limits: resourceMap(resources, PoolerSpecTemplateSpecContainersResourcesLimits.fromString),
                },
                securityContext: restrictedContainerSecurityContext(),
              },
            ],
          },
        },
      },
    });

    new DisruptionBudget(this, 'PodDisruptionBudget', {
      name: props.name,
      namespace: props.namespaceName,
      labels: this.labels,
      selector: this.podLabels,
    });

    const podSelector = { matchLabels: this.podLabels };
    new TcpFlowPolicy(this, 'AllowEgressToInstances', {
      name: `${props.name}-allow-egress-to-${props.instances.peerName}`,
      namespace: props.namespaceName,
      labels: this.labels,
      podSelector,
      egressTo: [props.instances.toNetworkPolicyPeer(props.namespaceName)],
      ports: [PGBOUNCER_PORT],
    });
    new TcpFlowPolicy(this, 'AllowEgressToKubernetesApi', {
      name: `${props.name}-allow-egress-to-kubernetes-api`,
      namespace: props.namespaceName,
      labels: this.labels,
      podSelector,
      egressTo: ipBlockPeers(props.kubernetesApiCidrs),
      ports: props.kubernetesApiPorts,
    });
    new TcpFlowPolicy(this, 'AllowMetricsScrape', {
      name: `${props.name}-allow-metrics-scrape`,
      namespace: props.namespaceName,
      labels: this.labels,
      podSelector,
      ingressFrom: [props.metricsScraper.toNetworkPolicyPeer(props.namespaceName)],
      ports: [PGBOUNCER_METRICS_PORT],
    });
  }

  /** Opens PgBouncer's port to `client` (ingress here; the client opens its own egress). */
  public allowClient(client: INetworkPeer): void {
    new TcpFlowPolicy(this, `AllowFrom-${client.peerName}`, {
      name: `${this.name}-allow-from-${client.peerName}`,
      namespace: this.namespaceName,
      labels: this.labels,
      podSelector: { matchLabels: this.podLabels },
      ingressFrom: [client.toNetworkPolicyPeer(this.namespaceName)],
      ports: [PGBOUNCER_PORT],
    });
  }

  public toNetworkPolicyPeer(fromNamespace: string): k8s.NetworkPolicyPeer {
    const podSelector = { matchLabels: this.podLabels };
    if (fromNamespace === this.namespaceName) {
      return { podSelector };
    }
    return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.namespaceName } }, podSelector };
  }
}
