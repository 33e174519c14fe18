import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ImageReference } from '../platform/image-reference';
import { selectorLabels, workloadLabels } from '../platform/labels';
import { NamespaceBaseline } from '../platform/namespace-baseline';
import { INetworkPeer, tcpPorts } from '../platform/network-peer';
import { cpuQuantity, gibibytes, memoryQuantity } from '../platform/quantities';
import { IWorkload, WorkloadFootprint, singleContainerFootprint } from '../platform/workload-footprint';
import { zoneNodeAffinity } from '../platform/zone-node-affinity';
import { PROBE_PERIOD_SECONDS } from '../platform/probes';
import { CertificateLifetime, DEFAULT_CERTIFICATE_LIFETIME, ICertificateIssuer, TlsCertificate } from '../security/tls-certificate';
import { SECRET_RELOAD_ANNOTATION } from '../security/secret-reload';
import { VaultSecret } from '../security/vault-secret';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, RUN_AS_ID } from '../platform/security-contexts';
import { LongRunningService } from '../services/long-running-service';
import { imageReference } from '../platform/image-reference';
import { IStoreClient } from '../platform/store-client';
import { REDIS_BOOTSTRAP_SCRIPT } from './redis/redis-bootstrap-script';
import { OWNED_DIRECTIVES, RedisEvictionPolicy, renderRedisConfig } from './redis/redis-config';
import { REDIS_PROBE_SCRIPT } from './redis/redis-probe-script';
import { REDIS_START_SCRIPT } from './redis/redis-start-script';
import { REDIS_TLS_RELOAD_SCRIPT } from './redis/redis-tls-reload-script';

export { RedisEvictionPolicy } from './redis/redis-config';

/**
 * TLS port for clients, replication and the bootstrap Job; there is no plaintext port. Redis's
 * usual number, so clients, Services and NetworkPolicies need no second port.
 */
export const REDIS_PORT = 6379;
/** Port of the cluster bus between nodes: Redis always uses the client port + 10000. */
export const REDIS_CLUSTER_BUS_PORT = REDIS_PORT + 10000;
/** Port of the redis_exporter sidecar, HTTPS only. */
export const REDIS_METRICS_PORT = 9121;

/** redis 7.0.15 (Debian bookworm based). Tag only: pin the digest in the environment config. */
export const DEFAULT_REDIS_IMAGE: ImageReference = { repository: 'docker.io/library/redis', tag: '7.0.15' };
/** oliver006/redis_exporter v1.58.0. Tag only: pin the digest in the environment config. */
export const DEFAULT_REDIS_EXPORTER_IMAGE: ImageReference = { repository: 'docker.io/oliver006/redis_exporter', tag: 'v1.58.0' };

/** Where the pods mount things; also the keys of the ConfigMaps. */
const CONFIG_DIR = '/etc/redis';
const CONFIG_FILE = 'redis.conf';
const PROBE_FILE = 'probe.sh';
const START_FILE = 'start.sh';
/** Beside the start script, which runs it. */
const TLS_RELOAD_FILE = 'reload-tls.sh';
const SCRIPT_DIR = '/opt/bootstrap';
const BOOTSTRAP_FILE = 'bootstrap-cluster.sh';
const DATA_DIR = '/data';
/** The certificate Secret's mount in every container: the key pair in the redis and exporter containers, only `ca.crt` elsewhere. */
const TLS_DIR = '/etc/redis-tls';
const TLS_FILES = { certFile: `${TLS_DIR}/tls.crt`, keyFile: `${TLS_DIR}/tls.key`, caCertFile: `${TLS_DIR}/ca.crt` };
/** Seconds between two checks of the mounted certificate for a renewal (see the reload script). */
const TLS_RELOAD_SECONDS = 30;

/** Share of the container memory limit given to the dataset (`maxmemory`); see the `memoryMi` prop. */
const MAX_MEMORY_PERCENT = 70;
/** Ephemeral storage of the redis container: container logs only, the data is on the volume. */
const REDIS_EPHEMERAL_MI = 768;
const EXPORTER_RESOURCES = { cpuMillis: 100, memoryMi: 128, ephemeralMi: 256 };
const BOOTSTRAP_RESOURCES = { cpuMillis: 100, memoryMi: 64, ephemeralMi: 64 };
/** Seconds the bootstrap script waits for every node to answer, then for the cluster to be healthy. */
const BOOTSTRAP_WAIT_SECONDS = 300;

export interface RedisClusterProps {
  /** The namespace to run in; the cluster counts its pods into the namespace quota. */
  readonly namespace: NamespaceBaseline;
  /**
   * The Secret holding the password of the default user. Referenced by every container, never read.
   */
  readonly passwordSecret: VaultSecret;
  /**
   * Key of `passwordSecret` that holds the password.
   * @default 'password'
   */
  readonly passwordSecretKey?: string;
  /** Availability zones the nodes run in and are spread over. */
  readonly zones: readonly string[];
  /** Prometheus, allowed to scrape the exporter's `metrics` port. */
  readonly metricsScraper: INetworkPeer;
  /**
   * cert-manager issuer of the nodes' TLS certificate (the internal CA). Nodes, the bootstrap, the
   * exporter and every client verify the nodes against the CA it puts in the Secret's `ca.crt`.
   */
  readonly tlsIssuer: ICertificateIssuer;
  /**
   * Lifetime of the nodes' certificate and how early cert-manager renews it; a renewed certificate
   * is reloaded without a restart.
   * @default - 2160 hours (90 days), renewed 720 hours (30 days) before expiry
   */
  readonly tlsCertificateLifetime?: CertificateLifetime;
  /**
   * Primaries, each owning an equal share of the 16384 hash slots. At least 3: a failover needs a
   * majority of primaries to agree.
   * @default 3
   */
  readonly primaries?: number;
  /**
   * Replicas per primary, 0 or 1. Without a replica a primary that fails takes its slots down with
   * it (and with `cluster-require-full-coverage` the whole cluster); production and staging use 1.
   * @default 1
   */
  readonly replicasPerPrimary?: number;
  /**
   * CPU per node (requests = limits).
   * @default 2000
   */
  readonly cpuMillis?: number;
  /**
   * Memory per node (requests = limits); 70% of it is the dataset (`maxmemory`), the rest is for
   * copy-on-write during AOF rewrites and full syncs, client buffers and fragmentation.
   * @default 4096
   */
  readonly memoryMi?: number;
  /**
   * Size of each node's data volume (append-only files and `nodes.conf`). An AOF rewrite briefly
   * needs room for two copies of the dataset.
   * @default 20
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#volume-claim-templates
   */
  readonly storageGi?: number;
  /**
   * StorageClass of the data volumes.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Milliseconds a node may be unreachable before it is failed over (`cluster-node-timeout`). 5 s
   * fails over a lost node quickly while riding out a short network blip or a fork of a 3 Gi
   * dataset; Redis's own default of 15 s leaves the affected slots unwritable three times as long.
   * @default 5000
   */
  readonly nodeTimeoutMillis?: number;
  /**
   * What a node does when the dataset reaches `maxmemory`.
   * @default RedisEvictionPolicy.NO_EVICTION
   */
  readonly evictionPolicy?: RedisEvictionPolicy;
  /**
   * Extra `redis.conf` directives, for tuning the construct does not model. Directives the construct
   * sets itself are refused.
   * @default {}
   */
  readonly extraConfig?: Readonly<Record<string, string>>;
  /**
   * Refuse to schedule rather than put two nodes on one machine or break the spread over zones.
   * Off only where the cluster has fewer machines than nodes (a laptop, a preview cluster).
   * @default true
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity
   */
  readonly strictTopologySpread?: boolean;
  /**
   * The Redis image; a 7.0 release with `sh` and `redis-cli` (the bootstrap and probes use them).
   * @default DEFAULT_REDIS_IMAGE
   */
  readonly image?: ImageReference;
  /**
   * The redis_exporter image of the metrics sidecar.
   * @default DEFAULT_REDIS_EXPORTER_IMAGE
   */
  readonly exporterImage?: ImageReference;
}

/**
 * Redis 7.0 in cluster mode: a StatefulSet of `primaries x (1 + replicasPerPrimary)` nodes with AOF
 * persistence on a volume each, stable per-pod hostnames announced to clients, a metrics sidecar, and
 * an idempotent Job that forms the cluster once. Closed to every flow but the ones asked for:
 * `allowFrom(client)` or `connect(client)` opens a client's way in.
 */
export class RedisCluster extends Construct implements IWorkload, INetworkPeer {
  public readonly name: string;
  public readonly peerName: string;
  public readonly namespaceName: string;
  public readonly footprint: WorkloadFootprint;
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
  /** DNS name of the client Service, which reaches any node (a seed for cluster discovery). */
  public readonly serviceHost: string;
  /** The Secret holding the password of the default user, and its key. */
  public readonly passwordSecret: VaultSecret;
  public readonly passwordSecretKey: string;
  /**
   * The nodes' certificate Secret. Clients trust its `ca.crt` only (the Secret also holds the
   * nodes' private key), e.g. through `LongRunningService.trustCertificateAuthority()`.
   */
  public readonly caSecretName: string;
  private readonly passwordSource: k8s.EnvVarSource;
  private readonly labels: Record<string, string>;

  public constructor(scope: Construct, id: string, props: RedisClusterProps) {
    super(scope, id);
    validateProps(id, props);
    this.name = id;
    this.peerName = id;
    this.namespaceName = props.namespace.namespaceName;
    this.primaries = props.primaries ?? 3;
    this.replicasPerPrimary = props.replicasPerPrimary ?? 1;
    this.nodeCount = this.primaries * (1 + this.replicasPerPrimary);
    this.headlessServiceName = `${id}-headless`;
    this.metricsServerName = `${this.headlessServiceName}.${this.namespaceName}.svc`;
    this.serviceHost = `${id}.${this.namespaceName}.svc.cluster.local`;
    this.labels = workloadLabels(id, 'cache');
    this.passwordSecret = props.passwordSecret;
    this.passwordSecretKey = props.passwordSecretKey ?? 'password';
    this.passwordSource = props.passwordSecret.envValue(this.passwordSecretKey);
    this.caSecretName = `${id}-tls`;

    const cpuMillis = props.cpuMillis ?? 2000;
    const memoryMi = props.memoryMi ?? 4096;
    const storageGi = props.storageGi ?? 20;
    const image = props.image ?? DEFAULT_REDIS_IMAGE;
    const bootstrapName = `${id}-bootstrap`;

    this.footprint = {
      // A StatefulSet replaces pods one by one and never surges.
      maxPods: this.nodeCount,
      podCpuMillis: cpuMillis + EXPORTER_RESOURCES.cpuMillis,
      podMemoryMi: memoryMi + EXPORTER_RESOURCES.memoryMi,
      podEphemeralStorageGi: (REDIS_EPHEMERAL_MI + EXPORTER_RESOURCES.ephemeralMi) / 1024,
      podClaimStorageGi: storageGi,
      podClaimCount: 1,
      largestContainerCpuMillis: cpuMillis,
      largestContainerMemoryMi: memoryMi,
      largestClaimGi: storageGi,
    };
    props.namespace.addWorkload(this);
    // The bootstrap pod runs beside all nodes (first rollout, an Argo CD re-run), so the quota counts it too.
    props.namespace.addWorkload({
      footprint: singleContainerFootprint({ maxPods: 1, cpuMillis: BOOTSTRAP_RESOURCES.cpuMillis, memoryMi: BOOTSTRAP_RESOURCES.memoryMi, ephemeralStorageGi: BOOTSTRAP_RESOURCES.ephemeralMi / 1024 }),
    });

    const metadata = (name: string) => ({ name, namespace: this.namespaceName, labels: this.labels });

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: metadata(id),
      automountServiceAccountToken: false,
    });

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
    const tlsCaEnv: k8s.EnvVar = { name: 'REDIS_TLS_CA_FILE', value: TLS_FILES.caCertFile };
    const tlsCaVolume: k8s.Volume = {
      name: 'tls-ca',
      secret: { secretName: this.caSecretName, items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 },
    };
    const tlsCaMount: k8s.VolumeMount = { name: 'tls-ca', mountPath: TLS_DIR, readOnly: true };

    const configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: metadata(`${id}-config`),
      data: {
        [CONFIG_FILE]: renderRedisConfig({
          tlsPort: REDIS_PORT,
          tls: TLS_FILES,
          clusterNodeTimeoutMillis: props.nodeTimeoutMillis ?? 5000,
          maxMemoryMi: Math.floor((memoryMi * MAX_MEMORY_PERCENT) / 100),
          evictionPolicy: props.evictionPolicy ?? RedisEvictionPolicy.NO_EVICTION,
          extraDirectives: props.extraConfig ?? {},
        }),
        [START_FILE]: REDIS_START_SCRIPT,
        [TLS_RELOAD_FILE]: REDIS_TLS_RELOAD_SCRIPT,
        [PROBE_FILE]: REDIS_PROBE_SCRIPT,
      },
    });

    const podFqdn = `$(POD_NAME).${this.headlessServiceName}.${this.namespaceName}.svc.cluster.local`;
    const probe = (mode: string) => ({ exec: { command: ['sh', `${CONFIG_DIR}/${PROBE_FILE}`, mode] } });
    const redisQuantities = quantities(cpuMillis, memoryMi, REDIS_EPHEMERAL_MI);
    const exporterQuantities = quantities(EXPORTER_RESOURCES.cpuMillis, EXPORTER_RESOURCES.memoryMi, EXPORTER_RESOURCES.ephemeralMi);
    const strict = props.strictTopologySpread ?? true;
    const sameMachine: k8s.PodAffinityTerm = { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selectorLabels(id) } };

    new k8s.KubeStatefulSet(this, 'StatefulSet', {
      // The nodes read the password as environment variables (REDIS_PASSWORD, REDISCLI_AUTH): Reloader restarts them when it changes.
      metadata: { ...metadata(id), annotations: { [SECRET_RELOAD_ANNOTATION]: this.passwordSecret.secretName } },
      spec: {
        replicas: this.nodeCount,
        serviceName: this.headlessServiceName,
        // Nodes are peers: they must all start at once for the bootstrap to find them.
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        revisionHistoryLimit: 5,
        minReadySeconds: 10,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        selector: { matchLabels: selectorLabels(id) },
        template: {
          metadata: { labels: { ...this.labels, 'app.kubernetes.io/version': image.tag } },
          spec: {
            serviceAccountName: id,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            // SIGTERM makes Redis fsync the AOF and, as a primary, wait for replicas to catch up (shutdown-timeout 10 s).
            terminationGracePeriodSeconds: 30,
            // UID/GID 10001 like every pod of the platform, not the image's 999: redis-server writes only
            // to its volume, which fsGroup gives to that user.
            securityContext: restrictedPodSecurityContext(),
            affinity: {
              nodeAffinity: zoneNodeAffinity(props.zones),
              // Two nodes on one machine would let a single machine failure take a primary and its replica.
              podAntiAffinity: strict
                ? { requiredDuringSchedulingIgnoredDuringExecution: [sameMachine] }
                : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: sameMachine }] },
            },
            topologySpreadConstraints: [
              {
                topologyKey: 'topology.kubernetes.io/zone',
                maxSkew: 1,
                whenUnsatisfiable: strict ? 'DoNotSchedule' : 'ScheduleAnyway',
                labelSelector: { matchLabels: selectorLabels(id) },
              },
            ],
            containers: [
              {
                name: 'redis',
                image: imageReference(image),
                imagePullPolicy: 'Always',
                // Not the image's entrypoint (it only adds a chown as root): the start script refreshes
                // the nodes' IPs in nodes.conf from their hostnames, starts the certificate reload
                // loop, then execs redis-server.
                command: ['sh', `${CONFIG_DIR}/${START_FILE}`],
                // Per-pod settings and the password go on the command line (Kubernetes expands $(VAR)),
                // so the shared ConfigMap holds neither. Redis replaces its process title, so the
                // password does not stay readable in the process list.
                args: [
                  `${CONFIG_DIR}/${CONFIG_FILE}`,
                  '--dir', DATA_DIR,
                  '--cluster-announce-hostname', '$(POD_FQDN)',
                  '--requirepass', '$(REDIS_PASSWORD)',
                  '--masterauth', '$(REDIS_PASSWORD)',
                ],
                ports: [
                  { name: 'redis', containerPort: REDIS_PORT, protocol: 'TCP' },
                  { name: 'cluster-bus', containerPort: REDIS_CLUSTER_BUS_PORT, protocol: 'TCP' },
                ],
                env: [
                  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  { name: 'POD_FQDN', value: podFqdn },
                  { name: 'REDIS_DATA_DIR', value: DATA_DIR },
                  { name: 'REDIS_PORT', value: String(REDIS_PORT) },
                  { name: 'REDIS_TLS_CERT_FILE', value: TLS_FILES.certFile },
                  { name: 'REDIS_TLS_KEY_FILE', value: TLS_FILES.keyFile },
                  tlsCaEnv,
                  { name: 'REDIS_TLS_RELOAD_SECONDS', value: String(TLS_RELOAD_SECONDS) },
                  { name: 'REDIS_PASSWORD', valueFrom: this.passwordSource },
                  // redis-cli in the probes and the reload loop reads the password from here.
                  { name: 'REDISCLI_AUTH', valueFrom: this.passwordSource },
                ],
                resources: { requests: redisQuantities, limits: redisQuantities },
                securityContext: restrictedContainerSecurityContext(RUN_AS_ID),
                // Loading a large AOF takes a while; up to 5 minutes before the node is restarted.
                startupProbe: { ...probe('started'), periodSeconds: PROBE_PERIOD_SECONDS, timeoutSeconds: 3, failureThreshold: 60 },
                readinessProbe: { ...probe('ready'), periodSeconds: PROBE_PERIOD_SECONDS, timeoutSeconds: 3, failureThreshold: 2, successThreshold: 1 },
                livenessProbe: { ...probe('alive'), periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
                volumeMounts: [
                  { name: 'data', mountPath: DATA_DIR },
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  // The folder, not the files (subPath), so that the kubelet swaps in a renewed certificate.
                  { name: 'tls', mountPath: TLS_DIR, readOnly: true },
                ],
              },
              {
                name: 'exporter',
                image: imageReference(props.exporterImage ?? DEFAULT_REDIS_EXPORTER_IMAGE),
                imagePullPolicy: 'Always',
                ports: [{ name: 'metrics', containerPort: REDIS_METRICS_PORT, protocol: 'TCP' }],
                env: [
                  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  { name: 'POD_FQDN', value: podFqdn },
                  // This pod's node only; Prometheus scrapes every pod, so the cluster is covered. By
                  // its DNS name, not 127.0.0.1: the exporter checks the name against the certificate.
                  { name: 'REDIS_ADDR', value: `rediss://$(POD_FQDN):${REDIS_PORT}` },
                  { name: 'REDIS_EXPORTER_TLS_CA_CERT_FILE', value: TLS_FILES.caCertFile },
                  { name: 'REDIS_PASSWORD', valueFrom: this.passwordSource },
                  { name: 'REDIS_EXPORTER_WEB_LISTEN_ADDRESS', value: `:${REDIS_METRICS_PORT}` },
                  // /metrics over HTTPS only, with the node's certificate (it names the headless
                  // Service, which Prometheus verifies). redis_exporter loads the key pair on every
                  // TLS handshake (GetCertificate), so a renewed certificate is served without a restart.
                  { name: 'REDIS_EXPORTER_TLS_SERVER_CERT_FILE', value: TLS_FILES.certFile },
                  { name: 'REDIS_EXPORTER_TLS_SERVER_KEY_FILE', value: TLS_FILES.keyFile },
                  { name: 'REDIS_EXPORTER_TLS_SERVER_MIN_VERSION', value: 'TLS1.2' },
                ],
                resources: { requests: exporterQuantities, limits: exporterQuantities },
                securityContext: restrictedContainerSecurityContext(RUN_AS_ID),
                // The exporter answers even when Redis is down (it reports redis_up 0), so these only
                // check the exporter itself; Redis's own probes decide whether the pod is ready.
                readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
                livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 },
                // The whole Secret, like the redis container: the key pair to serve, ca.crt to verify Redis.
                volumeMounts: [{ name: 'tls', mountPath: TLS_DIR, readOnly: true }],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: configMap.name, defaultMode: 0o444 } },
              // Readable by the pod's group (fsGroup) only: it holds the private key.
              { name: 'tls', secret: { secretName: this.caSecretName, defaultMode: 0o440 } },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels: this.labels },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: props.storageClass,
              resources: { requests: { storage: gibibytes(storageGi) } },
            },
          },
        ],
      },
    });

    new k8s.KubeService(this, 'HeadlessService', {
      metadata: metadata(this.headlessServiceName),
      spec: {
        clusterIp: 'None',
        // Nodes must resolve each other, and the bootstrap must reach them, before any of them is ready.
        publishNotReadyAddresses: true,
        selector: selectorLabels(id),
        ports: [
          { name: 'redis', port: REDIS_PORT, targetPort: k8s.IntOrString.fromString('redis'), protocol: 'TCP' },
          { name: 'cluster-bus', port: REDIS_CLUSTER_BUS_PORT, targetPort: k8s.IntOrString.fromString('cluster-bus'), protocol: 'TCP' },
          // One endpoint per pod, for a ServiceMonitor to scrape every node.
          { name: 'metrics', port: REDIS_METRICS_PORT, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP', appProtocol: 'https' },
        ],
      },
    });

    new k8s.KubeService(this, 'Service', {
      metadata: metadata(id),
      spec: {
        type: 'ClusterIP',
        selector: selectorLabels(id),
        ports: [{ name: 'redis', port: REDIS_PORT, targetPort: k8s.IntOrString.fromString('redis'), protocol: 'TCP' }],
      },
    });

    new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
      metadata: metadata(id),
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: selectorLabels(id) },
        // A not-ready node may be a replica still copying its primary; evict it only while no other node is down.
        unhealthyPodEvictionPolicy: 'IfHealthyBudget',
      },
    });

    this.renderBootstrap(bootstrapName, image, tlsCaEnv, tlsCaVolume, tlsCaMount);
    this.renderNetworkPolicies(bootstrapName, props.metricsScraper);
  }

  public toNetworkPolicyPeer(fromNamespace: string): k8s.NetworkPolicyPeer {
    const podSelector = { matchLabels: selectorLabels(this.name) };
    if (fromNamespace === this.namespaceName) {
      return { podSelector };
    }
    return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.namespaceName } }, podSelector };
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
    new k8s.KubeNetworkPolicy(this, `AllowFrom-${client.peerName}`, {
      metadata: { name: `${this.name}-allow-from-${client.peerName}`, namespace: this.namespaceName, labels: this.labels },
      spec: {
        podSelector: { matchLabels: selectorLabels(this.name) },
        policyTypes: ['Ingress'],
        ingress: [{ from: [client.toNetworkPolicyPeer(this.namespaceName)], ports: tcpPorts(REDIS_PORT) }],
      },
    });
    client.allowEgressTo(this, [REDIS_PORT]);
  }

  /**
   * What a client needs to connect: `REDIS_CLUSTER_NODES`, the comma-separated seed nodes
   * (`host:port`) a cluster client discovers the slot map from, the same as TLS URLs in
   * `REDIS_CLUSTER_URLS`, `REDIS_TLS_CA_FILE` (`caFile`, where the client has the CA that signed
   * the nodes' certificate; every node speaks TLS only) and `REDIS_PASSWORD` from the Secret.
   * @param caFile - default: where `trustCertificateAuthority(caSecretName)` mounts it
   */
  public connectionEnv(caFile = `${LongRunningService.TRUSTED_CA_ROOT}/${this.caSecretName}/ca.crt`): k8s.EnvVar[] {
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

  private renderBootstrap(bootstrapName: string, image: ImageReference, tlsCaEnv: k8s.EnvVar, tlsCaVolume: k8s.Volume, tlsCaMount: k8s.VolumeMount): void {
    const labels = workloadLabels(bootstrapName, 'cache-bootstrap');
    const scripts = new k8s.KubeConfigMap(this, 'BootstrapScript', {
      metadata: { name: bootstrapName, namespace: this.namespaceName, labels },
      data: { [BOOTSTRAP_FILE]: REDIS_BOOTSTRAP_SCRIPT },
    });
    const resources = quantities(BOOTSTRAP_RESOURCES.cpuMillis, BOOTSTRAP_RESOURCES.memoryMi, BOOTSTRAP_RESOURCES.ephemeralMi);
    new k8s.KubeJob(this, 'BootstrapJob', {
      metadata: {
        name: bootstrapName,
        namespace: this.namespaceName,
        labels,
        // A Job's template is immutable: Argo CD runs it as a hook after each sync, replacing the
        // previous run, instead of failing to apply a changed template. The script is idempotent.
        annotations: {
          'argocd.argoproj.io/hook': 'PostSync',
          'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
        },
      },
      spec: {
        // The script waits for the nodes itself; a retry covers a pod lost to a node drain.
        backoffLimit: 3,
        activeDeadlineSeconds: 2 * BOOTSTRAP_WAIT_SECONDS + 300,
        // Kept a day for its logs; the next sync's hook replaces it anyway.
        ttlSecondsAfterFinished: 86400,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: this.name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(),
            containers: [
              {
                name: 'bootstrap',
                image: imageReference(image),
                imagePullPolicy: 'Always',
                command: ['sh', `${SCRIPT_DIR}/${BOOTSTRAP_FILE}`],
                env: [
                  { name: 'REDIS_NODES', value: this.nodeAddresses().join(' ') },
                  { name: 'REDIS_CLUSTER_REPLICAS', value: String(this.replicasPerPrimary) },
                  { name: 'REDIS_WAIT_SECONDS', value: String(BOOTSTRAP_WAIT_SECONDS) },
                  tlsCaEnv,
                  { name: 'REDISCLI_AUTH', valueFrom: this.passwordSource },
                ],
                resources: { requests: resources, limits: resources },
                securityContext: restrictedContainerSecurityContext(RUN_AS_ID),
                volumeMounts: [{ name: 'scripts', mountPath: SCRIPT_DIR, readOnly: true }, tlsCaMount],
              },
            ],
            volumes: [{ name: 'scripts', configMap: { name: scripts.name, defaultMode: 0o444 } }, tlsCaVolume],
          },
        },
      },
    });
  }

  private renderNetworkPolicies(bootstrapName: string, metricsScraper: INetworkPeer): void {
    const nodes = this.toNetworkPolicyPeer(this.namespaceName);
    const bootstrap: k8s.NetworkPolicyPeer = { podSelector: { matchLabels: selectorLabels(bootstrapName) } };
    const policy = (id: string, name: string, podSelector: Record<string, string>, spec: Omit<k8s.NetworkPolicySpec, 'podSelector'>) =>
      new k8s.KubeNetworkPolicy(this, id, {
        metadata: { name, namespace: this.namespaceName, labels: this.labels },
        spec: { podSelector: { matchLabels: podSelector }, ...spec },
      });

    policy('AllowClusterPeers', `${this.name}-allow-cluster-peers`, selectorLabels(this.name), {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [nodes], ports: tcpPorts(REDIS_PORT, REDIS_CLUSTER_BUS_PORT) }],
      // Replication uses the client port, gossip and failover the bus.
      egress: [{ to: [nodes], ports: tcpPorts(REDIS_PORT, REDIS_CLUSTER_BUS_PORT) }],
    });
    policy('AllowFromBootstrap', `${this.name}-allow-from-bootstrap`, selectorLabels(this.name), {
      policyTypes: ['Ingress'],
      ingress: [{ from: [bootstrap], ports: tcpPorts(REDIS_PORT) }],
    });
    policy('BootstrapAllowEgress', `${bootstrapName}-allow-egress-to-${this.name}`, selectorLabels(bootstrapName), {
      policyTypes: ['Egress'],
      egress: [{ to: [nodes], ports: tcpPorts(REDIS_PORT) }],
    });
    policy('AllowMetricsScrape', `${this.name}-allow-metrics-scrape`, selectorLabels(this.name), {
      policyTypes: ['Ingress'],
      ingress: [{ from: [metricsScraper.toNetworkPolicyPeer(this.namespaceName)], ports: tcpPorts(REDIS_METRICS_PORT) }],
    });
  }
}


function quantities(cpuMillis: number, memoryMi: number, ephemeralMi: number): Record<string, k8s.Quantity> {
  return { 'cpu': cpuQuantity(cpuMillis), 'memory': memoryQuantity(memoryMi), 'ephemeral-storage': memoryQuantity(ephemeralMi) };
}

function validateProps(id: string, props: RedisClusterProps): void {
  const fail = (field: string, value: unknown, fix: string): never => {
    throw new Error(`RedisCluster ${id}: ${field} is ${JSON.stringify(value)}; ${fix}`);
  };
  if (!/^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/.test(id)) {
    fail('the construct id (used as the object name)', id, 'use a lower-case DNS label of at most 42 characters');
  }
  if (props.zones.length === 0) {
    fail('zones', props.zones, 'list at least one zone');
  }
  const primaries = props.primaries ?? 3;
  if (!Number.isInteger(primaries) || primaries < 3 || primaries > 100) {
    fail('primaries', primaries, 'use 3 to 100: Redis Cluster needs at least 3 primaries for a majority to fail a node over');
  }
  const replicas = props.replicasPerPrimary ?? 1;
  if (replicas !== 0 && replicas !== 1) {
    fail('replicasPerPrimary', replicas, 'use 1 (a primary that fails is replaced by its replica) or 0 where losing a node may take the cluster down');
  }
  const cpu = props.cpuMillis ?? 2000;
  if (!Number.isInteger(cpu) || cpu < 100) {
    fail('cpuMillis', cpu, 'use a whole number of millicores, at least 100');
  }
  const memory = props.memoryMi ?? 4096;
  if (!Number.isInteger(memory) || memory < 256) {
    fail('memoryMi', memory, 'use a whole number of mebibytes, at least 256');
  }
  const storage = props.storageGi ?? 20;
  if (!Number.isInteger(storage) || storage < 1) {
    fail('storageGi', storage, 'use a whole number of gibibytes, at least 1');
  }
  if (storage * 1024 < 2 * memory) {
    fail('storageGi', storage, `use at least ${Math.ceil((2 * memory) / 1024)}: an AOF rewrite briefly needs room for two copies of the dataset`);
  }
  const timeout = props.nodeTimeoutMillis ?? 5000;
  if (!Number.isInteger(timeout) || timeout < 1000 || timeout > 60000) {
    fail('nodeTimeoutMillis', timeout, 'use 1000 to 60000 milliseconds');
  }
  for (const directive of Object.keys(props.extraConfig ?? {})) {
    if (OWNED_DIRECTIVES.has(directive.toLowerCase())) {
      fail('a directive of extraConfig', directive, 'the construct sets it itself; use the matching prop or leave it out');
    }
    if (!/^[a-z][a-z0-9-]*$/.test(directive)) {
      fail('a directive of extraConfig', directive, 'use a redis.conf directive name in lower case, e.g. hz');
    }
  }
}
