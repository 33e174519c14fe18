import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { gibibytes } from '../platform/quantities';
import { IStoreClient } from '../platform/store-client';
import { SECRET_RELOAD_ANNOTATION } from '../security/secret-reload';
import { DEFAULT_CERTIFICATE_LIFETIME, TlsCertificate } from '../security/tls-certificate';
import { VaultSecret } from '../security/vault-secret';
import { UnhealthyPodEviction } from '../workloads/disruption-budget';
import { HostSeparation } from '../workloads/restricted-pod-spec';
import { RestrictedWorkload } from '../workloads/restricted-workload';
import { trustedCaFile } from '../workloads/workload-conventions';
import { RedisBootstrap } from './redis/redis-bootstrap';
import { RedisClusterPolicies } from './redis/redis-cluster-policies';
import { RedisClusterProps, redisClusterFootprint, RedisNodeSizing, redisNodeSizing, validateRedisClusterProps } from './redis/redis-cluster-props';
import { ImageReference } from '../platform/image-reference';
import { RedisEvictionPolicy, renderRedisConfig } from './redis/redis-config';
import {
  CONFIG_FILE, DEFAULT_REDIS_EXPORTER_IMAGE, DEFAULT_REDIS_IMAGE, MAX_MEMORY_PERCENT, PROBE_FILE, REDIS_CLUSTER_BUS_PORT, REDIS_METRICS_PORT, REDIS_PORT,
  START_FILE, TLS_FILES, TLS_RELOAD_FILE,
} from './redis/redis-constants';
import { exporterContainer, redisContainer } from './redis/redis-containers';
import { REDIS_PROBE_SCRIPT } from './redis/redis-probe-script';
import { REDIS_START_SCRIPT } from './redis/redis-start-script';
import { REDIS_TLS_RELOAD_SCRIPT } from './redis/redis-tls-reload-script';

export { RedisEvictionPolicy } from './redis/redis-config';
export { RedisClusterProps } from './redis/redis-cluster-props';
export { DEFAULT_REDIS_EXPORTER_IMAGE, DEFAULT_REDIS_IMAGE, REDIS_CLUSTER_BUS_PORT, REDIS_METRICS_PORT, REDIS_PORT } from './redis/redis-constants';

/**
 * Redis 7.0 in cluster mode: a StatefulSet of `primaries x (1 + replicasPerPrimary)` nodes with AOF
 * persistence on a volume each, stable per-pod hostnames announced to clients, a metrics sidecar, and
 * an idempotent Job that forms the cluster once. Closed to every flow but the ones asked for:
 * `allowFrom(client)` or `connect(client)` opens a client's way in.
 */
export class RedisCluster extends RestrictedWorkload {
  public readonly primaries: number;
  public readonly replicasPerPrimary: number;
  /** Pods, i.e. cluster nodes. */
  public readonly nodeCount: number;
  /** Name of the headless Service that gives every pod its DNS name. */
  public readonly headlessServiceName: string;
  /**
   * The name Prometheus checks the exporters' certificate against, `<headless service>.<namespace>.svc`:
   * the exporters serve the nodes' certificate, which carries it.
   */
  public readonly metricsServerName: string;
  /** The Secret holding the password of the default user, and its key. */
  public readonly passwordSecret: VaultSecret;
  public readonly passwordSecretKey: string;
  /**
   * The nodes' certificate Secret. Clients trust its `ca.crt` only (the Secret also holds the
   * nodes' private key), e.g. through a client's `trustCertificateAuthority()`.
   */
  public readonly caSecretName: string;
  private readonly passwordSource: k8s.EnvVarSource;

  public constructor(scope: Construct, id: string, props: RedisClusterProps) {
    validateRedisClusterProps(id, props);
    super(scope, id, { namespace: props.namespace, component: 'cache', zones: props.zones, errorLabel: `RedisCluster ${id}`, footprint: redisClusterFootprint(props) });
    const sizing = redisNodeSizing(props);
    this.primaries = sizing.primaries;
    this.replicasPerPrimary = sizing.replicasPerPrimary;
    this.nodeCount = this.primaries * (1 + this.replicasPerPrimary);
    this.headlessServiceName = `${id}-headless`;
    this.metricsServerName = `${this.headlessServiceName}.${this.namespaceName}.svc`;
    this.passwordSecret = props.passwordSecret;
    this.passwordSecretKey = props.passwordSecretKey ?? 'password';
    this.passwordSource = props.passwordSecret.envValue(this.passwordSecretKey);
    this.caSecretName = `${id}-tls`;
    const image = props.image ?? DEFAULT_REDIS_IMAGE;

    this.createServiceAccount();
    const headlessDomains = [`${this.headlessServiceName}.${this.namespaceName}.svc`, `${this.headlessServiceName}.${this.namespaceName}.svc.cluster.local`];
    new TlsCertificate(this, 'TlsCertificate', {
      namespace: this.namespaceName,
      secretName: this.caSecretName,
      // The client Service first (the common name), then every node by the name it announces and
      // clients are redirected to, and a wildcard for nodes added later, until cert-manager has re-issued.
      dnsNames: [
        `${id}.${this.namespaceName}.svc`,
        this.serviceHost,
        ...headlessDomains,
        ...headlessDomains.map((domain) => `*.${domain}`),
        ...Array.from({ length: this.nodeCount }, (_, ordinal) => headlessDomains.map((domain) => `${id}-${ordinal}.${domain}`)).flat(),
      ],
      issuer: props.tlsIssuer,
      // Each node presents it as a client too, to the others' cluster bus and to its primary.
      clientAuth: true,
      ...(props.tlsCertificateLifetime ?? DEFAULT_CERTIFICATE_LIFETIME),
    });
    const configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: this.objectMetadata(`${id}-config`),
      data: {
        [CONFIG_FILE]: renderRedisConfig({
          tlsPort: REDIS_PORT,
          tls: TLS_FILES,
          clusterNodeTimeoutMillis: props.nodeTimeoutMillis ?? 5000,
          maxMemoryMi: Math.floor((sizing.memoryMi * MAX_MEMORY_PERCENT) / 100),
          evictionPolicy: props.evictionPolicy ?? RedisEvictionPolicy.NO_EVICTION,
          extraDirectives: props.extraConfig ?? {},
        }),
        [START_FILE]: REDIS_START_SCRIPT,
        [TLS_RELOAD_FILE]: REDIS_TLS_RELOAD_SCRIPT,
        [PROBE_FILE]: REDIS_PROBE_SCRIPT,
      },
    });
    this.renderStatefulSet(props, sizing, image, configMap.name);
    // Headless: nodes must resolve each other, and the bootstrap must reach them, before any of them is ready.
    this.createService('HeadlessService', this.headlessServiceName, [
      { name: 'redis', port: REDIS_PORT, targetPort: k8s.IntOrString.fromString('redis'), protocol: 'TCP' },
      { name: 'cluster-bus', port: REDIS_CLUSTER_BUS_PORT, targetPort: k8s.IntOrString.fromString('cluster-bus'), protocol: 'TCP' },
      // One endpoint per pod, for a ServiceMonitor to scrape every node.
      { name: 'metrics', port: REDIS_METRICS_PORT, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP', appProtocol: 'https' },
    ], { headless: true });
    this.createService('Service', id, [{ name: 'redis', port: REDIS_PORT, targetPort: k8s.IntOrString.fromString('redis'), protocol: 'TCP' }]);
    // A not-ready node may be a replica still copying its primary; evict it only while no other node is down.
    this.createDisruptionBudget(UnhealthyPodEviction.IF_HEALTHY_BUDGET);

    const bootstrapName = `${id}-bootstrap`;
    new RedisBootstrap(this, 'Bootstrap', {
      namespace: props.namespace,
      name: bootstrapName,
      serviceAccountName: id,
      image,
      nodeAddresses: this.nodeAddresses(),
      replicasPerPrimary: this.replicasPerPrimary,
      caSecretName: this.caSecretName,
      passwordSource: this.passwordSource,
    });
    new RedisClusterPolicies(this, 'ClusterPolicies', { clusterName: id, bootstrapName, namespace: this.namespaceName, labels: this.labels });
    this.allowIngressFrom(props.metricsScraper, [REDIS_METRICS_PORT], 'metrics-scrape');
  }

  /** Every node's stable address, `<pod>.<headless service>.<namespace>.svc.cluster.local:6379`. */
  public nodeAddresses(): string[] {
    return Array.from(
      { length: this.nodeCount },
      (_, ordinal) => `${this.name}-${ordinal}.${this.headlessServiceName}.${this.namespaceName}.svc.cluster.local:${REDIS_PORT}`,
    );
  }

  /** Every node as a TLS URL, `rediss://<pod>.<headless service>.<namespace>.svc.cluster.local:6379`, for cluster clients' seed lists. */
  public tlsNodeUrls(): string[] {
    return this.nodeAddresses().map((address) => `rediss://${address}`);
  }

  /**
   * Lets `client` reach every node on the client port: ingress here and the client's egress there,
   * since the namespace denies both directions. Cluster clients talk to every node, so all are open.
   */
  public allowFrom(client: IStoreClient): void {
    this.allowIngressFrom(client, [REDIS_PORT], `from-${client.peerName}`);
    client.allowEgressTo(this, [REDIS_PORT]);
  }

  /**
   * What a client needs to connect: `REDIS_CLUSTER_NODES`, the comma-separated seed nodes
   * (`host:port`) a cluster client discovers the slot map from, the same as TLS URLs in
   * `REDIS_CLUSTER_URLS`, `REDIS_TLS_CA_FILE` (`caFile`, where the client has the CA that signed
   * the nodes' certificate; every node speaks TLS only) and `REDIS_PASSWORD` from the Secret.
   * @param caFile - default: where `trustCertificateAuthority(caSecretName)` mounts it
   */
  public connectionEnv(caFile = trustedCaFile(this.caSecretName)): k8s.EnvVar[] {
    return [
      { name: 'REDIS_CLUSTER_NODES', value: this.nodeAddresses().join(',') },
      { name: 'REDIS_CLUSTER_URLS', value: this.tlsNodeUrls().join(',') },
      { name: 'REDIS_TLS_CA_FILE', value: caFile },
      { name: 'REDIS_PASSWORD', valueFrom: this.passwordSource },
    ];
  }

  /** `allowFrom(client)`, the CA mounted in the client's pods, and the connection settings in its environment. */
  public connect(client: IStoreClient): void {
    this.allowFrom(client);
    client.addEnvironment(...this.connectionEnv(client.trustCertificateAuthority(this.caSecretName)));
  }

  private renderStatefulSet(props: RedisClusterProps, sizing: RedisNodeSizing, image: ImageReference, configMapName: string): void {
    const podFqdn = `$(POD_NAME).${this.headlessServiceName}.${this.namespaceName}.svc.cluster.local`;
    new k8s.KubeStatefulSet(this, 'StatefulSet', {
      // The nodes read the password as environment variables (REDIS_PASSWORD, REDISCLI_AUTH): Reloader restarts them when it changes.
      metadata: { ...this.objectMetadata(), annotations: { [SECRET_RELOAD_ANNOTATION]: this.passwordSecret.secretName } },
      spec: {
        replicas: this.nodeCount,
        serviceName: this.headlessServiceName,
        // Nodes are peers: they must all start at once for the bootstrap to find them.
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        revisionHistoryLimit: 5,
        minReadySeconds: 10,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        selector: { matchLabels: { ...this.selector } },
        template: {
          metadata: { labels: { ...this.labels, 'app.kubernetes.io/version': image.tag } },
          // UID/GID 10001 like every pod of the platform, not the image's 999: redis-server writes only
          // to its volume, which fsGroup gives to that user.
          spec: this.podSpec({
            // SIGTERM makes Redis fsync the AOF and, as a primary, wait for replicas to catch up (shutdown-timeout 10 s).
            terminationGracePeriodSeconds: 30,
            // Two nodes on one machine would let a single machine failure take a primary and its replica.
            hostSeparation: HostSeparation.APART,
            strictTopologySpread: props.strictTopologySpread,
            containers: [
              redisContainer({ image, cpuMillis: sizing.cpuMillis, memoryMi: sizing.memoryMi, podFqdn, passwordSource: this.passwordSource }),
              exporterContainer({ image: props.exporterImage ?? DEFAULT_REDIS_EXPORTER_IMAGE, podFqdn, passwordSource: this.passwordSource }),
            ],
            volumes: [
              { name: 'config', configMap: { name: configMapName, defaultMode: 0o444 } },
              // Readable by the pod's group (fsGroup) only: it holds the private key.
              { name: 'tls', secret: { secretName: this.caSecretName, defaultMode: 0o440 } },
            ],
          }),
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels: { ...this.labels } },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: props.storageClass,
              resources: { requests: { storage: gibibytes(sizing.storageGi) } },
            },
          },
        ],
      },
    });
  }
}
