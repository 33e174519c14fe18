import { createHash } from 'node:crypto';
import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { gibibytes, memoryQuantity } from '../platform/quantities';
import { IStoreClient } from '../platform/store-client';
import { SECRET_RELOAD_ANNOTATION, secretsReadAsEnvironment } from '../security/secret-reload';
import { DEFAULT_CERTIFICATE_LIFETIME, TlsCertificate } from '../security/tls-certificate';
import { UnhealthyPodEviction } from '../workloads/disruption-budget';
import { HostSeparation, podPlacement } from '../workloads/restricted-pod-spec';
import { RestrictedWorkload } from '../workloads/restricted-workload';
import { trustedCaFile } from '../workloads/workload-conventions';
import { RedisBootstrap } from './redis/redis-bootstrap';
import { RedisClusterPolicies } from './redis/redis-cluster-policies';
import { PlannedRedisNode, planRedisPlacement, RedisPlacement, RedisZoneSet } from './redis/redis-placement';
import { RedisClusterProps, redisClusterFootprint, RedisNodeSizing, redisNodeSizing, validateRedisClusterProps } from './redis/redis-cluster-props';
import { ImageReference } from '../platform/image-reference';
import { RedisEvictionPolicy, renderRedisConfig } from './redis/redis-config';
import { BOOTSTRAP_ACCESS, EXPORTER_ACCESS, RedisAccess, REPLICATION_ACCESS } from './redis/redis-access';
import {
  ACL_FILE, ACL_RULES_FILE, BOOTSTRAP_USER, CONFIG_FILE, DEFAULT_REDIS_EXPORTER_IMAGE, DEFAULT_REDIS_IMAGE, EXPORTER_USER, MAX_MEMORY_PERCENT, PROBE_FILE,
  REDIS_CLUSTER_BUS_PORT, REDIS_METRICS_PORT, REDIS_PORT, REPLICATION_USER, ROLE_FILE, RUN_DIR_MI, START_FILE, TERMINATION_GRACE_SECONDS, TLS_FILES,
  TLS_RELOAD_FILE, USERS_FILE, ZONE_LABEL,
} from './redis/redis-constants';
import { exporterContainer, CREDENTIALS_VOLUME, redisContainer, RUN_VOLUME } from './redis/redis-containers';
import { REDIS_PROBE_SCRIPT } from './redis/redis-probe-script';
import { REDIS_ROLE_SCRIPT } from './redis/redis-role-script';
import { REDIS_START_SCRIPT } from './redis/redis-start-script';
import { REDIS_TLS_RELOAD_SCRIPT } from './redis/redis-tls-reload-script';
import { REDIS_USERS_SCRIPT } from './redis/redis-users-script';
import { RedisUser, RedisUsers } from './redis/redis-users';

export { RedisEvictionPolicy } from './redis/redis-config';
export { RedisClusterProps } from './redis/redis-cluster-props';
export { RedisAccess } from './redis/redis-access';
export { RedisUser } from './redis/redis-users';
export { PlannedRedisNode, RedisPlacement, RedisZoneSet } from './redis/redis-placement';
/** Pod template annotation: a digest of the config ConfigMap, so that a change of redis.conf, the users' rules or a script rolls the nodes. */
export const CONFIG_CHECKSUM_ANNOTATION = 'generator-platform.dev/config-checksum';
export { DEFAULT_REDIS_EXPORTER_IMAGE, DEFAULT_REDIS_IMAGE, REDIS_CLUSTER_BUS_PORT, REDIS_METRICS_PORT, REDIS_PORT, ZONE_LABEL } from './redis/redis-constants';

/**
 * Redis 7.0 in cluster mode: `primaries x (1 + replicasPerPrimary)` nodes with AOF persistence on a
 * volume each, stable per-pod hostnames announced to clients, a metrics sidecar, and an idempotent
 * Job that forms the cluster once. Closed to every flow but the ones asked for:
 * `allowFrom(client)` or `connect(client)` opens a client's way in.
 *
 * Zones: one StatefulSet per zone, `<id>-<zone>`, pinned to it, so that a node's zone follows from
 * its name; each shard's primary runs in one zone and its replica in the next (planRedisPlacement),
 * and the bootstrap pairs them so. The loss of any one zone leaves a copy of every slot range in
 * the others, and a majority of the primaries there to promote the replicas. A primary hands its
 * role to its replica before it stops, and a planned primary takes it back once in sync
 * (REDIS_ROLE_SCRIPT), so restarts, drains and the zones' independent rollouts keep one primary
 * per zone and never leave a slot range without one.
 *
 * Authentication: one ACL user per client, each with its own password from Vault and only the
 * commands and keys it needs (RedisAccess); the default user is off. The exporter, the bootstrap
 * Job and replication have users of their own; `connect(client)` adds one for the client
 * (`<client>:` keys), `addUser()` one with any access. The nodes read the passwords as files,
 * never from the environment or a command line: at start they write the ACL file with hashes
 * only, and a rotated password is applied without a restart, the previous one staying valid for an
 * hour (see REDIS_USERS_SCRIPT).
 */
export class RedisCluster extends RestrictedWorkload {
  public readonly primaries: number;
  public readonly replicasPerPrimary: number;
  /** Pods, i.e. cluster nodes. */
  public readonly nodeCount: number;
  /** Which zone each node runs in, as which ordinal of which StatefulSet, and the shard it was planned to serve as primary or replica. */
  public readonly placement: RedisPlacement;
  /** Name of the headless Service that gives every pod its DNS name. */
  public readonly headlessServiceName: string;
  /**
   * The name Prometheus checks the exporters' certificate against, `<headless service>.<namespace>.svc`:
   * the exporters serve the nodes' certificate, which carries it.
   */
  public readonly metricsServerName: string;
  /**
   * The nodes' certificate Secret. Clients trust its `ca.crt` only (the Secret also holds the
   * nodes' private key), e.g. through a client's `trustCertificateAuthority()`.
   */
  public readonly caSecretName: string;
  private readonly users: RedisUsers;

  public constructor(scope: Construct, id: string, props: RedisClusterProps) {
    validateRedisClusterProps(id, props);
    super(scope, id, { namespace: props.namespace, component: 'cache', zones: props.zones, errorLabel: `RedisCluster ${id}`, footprint: redisClusterFootprint(props) });
    const sizing = redisNodeSizing(props);
    this.primaries = sizing.primaries;
    this.replicasPerPrimary = sizing.replicasPerPrimary;
    this.nodeCount = this.primaries * (1 + this.replicasPerPrimary);
    this.placement = planRedisPlacement(id, props.zones, this.primaries, this.replicasPerPrimary);
    this.headlessServiceName = `${id}-headless`;
    this.metricsServerName = `${this.headlessServiceName}.${this.namespaceName}.svc`;
    this.caSecretName = `${id}-tls`;
    this.users = new RedisUsers(this, 'Users', { clusterName: id, namespaceName: this.namespaceName, vaultPathPrefix: props.vaultPathPrefix });
    const exporterUser = this.users.add(EXPORTER_USER, EXPORTER_ACCESS);
    const bootstrapUser = this.users.add(BOOTSTRAP_USER, BOOTSTRAP_ACCESS);
    this.users.add(REPLICATION_USER, REPLICATION_ACCESS);
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
        ...this.plannedNodes().flatMap((node) => headlessDomains.map((domain) => `${node.podName}.${domain}`)),
      ],
      issuer: props.tlsIssuer,
      // Each node presents it as a client too, to the others' cluster bus and to its primary.
      clientAuth: true,
      ...(props.tlsCertificateLifetime ?? DEFAULT_CERTIFICATE_LIFETIME),
    });
    const configData = (): Record<string, string> => ({
      [CONFIG_FILE]: renderRedisConfig({
        tlsPort: REDIS_PORT,
        tls: TLS_FILES,
        clusterNodeTimeoutMillis: props.nodeTimeoutMillis ?? 5000,
        replicasPerPrimary: this.replicasPerPrimary,
        maxMemoryMi: Math.floor((sizing.memoryMi * MAX_MEMORY_PERCENT) / 100),
        evictionPolicy: props.evictionPolicy ?? RedisEvictionPolicy.NO_EVICTION,
        aclFile: ACL_FILE,
        replicationUser: REPLICATION_USER,
        extraDirectives: props.extraConfig ?? {},
      }),
      // Resolved at synth time: connect() and addUser() add users after construction.
      [ACL_RULES_FILE]: this.users.aclRules(),
      [START_FILE]: REDIS_START_SCRIPT,
      [USERS_FILE]: REDIS_USERS_SCRIPT,
      [TLS_RELOAD_FILE]: REDIS_TLS_RELOAD_SCRIPT,
      [ROLE_FILE]: REDIS_ROLE_SCRIPT,
      [PROBE_FILE]: REDIS_PROBE_SCRIPT,
    });
    const configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: this.objectMetadata(`${id}-config`),
      data: Lazy.any({ produce: configData }),
    });
    // Resolved at synth time too, from the same data: a pod template that changes with the files rolls the nodes.
    const configChecksum: string = Lazy.any({ produce: () => createHash('sha256').update(JSON.stringify(configData())).digest('hex') });
    for (const zoneSet of this.placement.sets) {
      this.renderStatefulSet(zoneSet, props, sizing, image, configMap.name, { exporterUser, handoverUser: bootstrapUser, configChecksum });
    }
    // Headless: nodes must resolve each other, and the bootstrap must reach them, before any of them is ready.
    this.createService('HeadlessService', this.headlessServiceName, [
      { name: 'redis', port: REDIS_PORT, targetPort: k8s.IntOrString.fromString('redis'), protocol: 'TCP' },
      { name: 'cluster-bus', port: REDIS_CLUSTER_BUS_PORT, targetPort: k8s.IntOrString.fromString('cluster-bus'), protocol: 'TCP' },
      // One endpoint per pod, for a ServiceMonitor to scrape every node.
      { name: 'metrics', port: REDIS_METRICS_PORT, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP', appProtocol: 'https' },
    ], { headless: true });
    this.createService('Service', id, [{ name: 'redis', port: REDIS_PORT, targetPort: k8s.IntOrString.fromString('redis'), protocol: 'TCP' }]);
    // One budget over every zone's nodes, not one per zone: a shard's primary and replica are in
    // two zones, and per-zone budgets would let a drain in each take both at once. A not-ready node
    // may be a replica still copying its primary; evict it only while no other node is down.
    this.createDisruptionBudget(UnhealthyPodEviction.IF_HEALTHY_BUDGET);

    const bootstrapName = `${id}-bootstrap`;
    new RedisBootstrap(this, 'Bootstrap', {
      namespace: props.namespace,
      name: bootstrapName,
      serviceAccountName: id,
      image,
      primaryAddresses: this.placement.primaries.map((node) => this.nodeAddress(node)),
      replicaAddresses: this.placement.replicas.map((node) => this.nodeAddress(node)),
      caSecretName: this.caSecretName,
      username: bootstrapUser.name,
      passwordSource: bootstrapUser.credentials.envValue('password'),
    });
    new RedisClusterPolicies(this, 'ClusterPolicies', { clusterName: id, bootstrapName, namespace: this.namespaceName, labels: this.labels });
    this.allowIngressFrom(props.metricsScraper, [REDIS_METRICS_PORT], 'metrics-scrape');
  }

  /** Every node's stable address, `<id>-<zone>-<ordinal>.<headless service>.<namespace>.svc.cluster.local:6379`, zone by zone. */
  public nodeAddresses(): string[] {
    return this.plannedNodes().map((node) => this.nodeAddress(node));
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
   * Adds the ACL user `name` with `access` and its password from Vault at
   * `<vaultPathPrefix>/redis/<name>` (Secret `<cluster>-<name>-credentials`, `username` and
   * `password`). The nodes accept it after their next start, which the new password file in their
   * pod template brings about.
   */
  public addUser(name: string, access: RedisAccess): RedisUser {
    return this.users.add(name, access);
  }

  /**
   * What a client needs to connect as `user`: `REDIS_CLUSTER_NODES`, the comma-separated seed
   * nodes (`host:port`) a cluster client discovers the slot map from, the same as TLS URLs in
   * `REDIS_CLUSTER_URLS`, `REDIS_TLS_CA_FILE` (`caFile`, where the client has the CA that signed
   * the nodes' certificate; every node speaks TLS only), `REDIS_USERNAME`, `REDIS_PASSWORD` from the
   * user's Secret and, for a user confined to a key prefix, `REDIS_KEY_PREFIX`.
   * @param caFile - default: where `trustCertificateAuthority(caSecretName)` mounts it
   */
  public connectionEnv(user: RedisUser, caFile = trustedCaFile(this.caSecretName)): k8s.EnvVar[] {
    return [
      { name: 'REDIS_CLUSTER_NODES', value: this.nodeAddresses().join(',') },
      { name: 'REDIS_CLUSTER_URLS', value: this.tlsNodeUrls().join(',') },
      { name: 'REDIS_TLS_CA_FILE', value: caFile },
      { name: 'REDIS_USERNAME', value: user.name },
      { name: 'REDIS_PASSWORD', valueFrom: user.credentials.envValue('password') },
      ...(user.access.keyPrefix !== undefined ? [{ name: 'REDIS_KEY_PREFIX', value: user.access.keyPrefix }] : []),
    ];
  }

  /**
   * Gives `client` its own user, confined to the keys and channels `<client>:*`
   * (`RedisAccess.keyPrefix`), then `allowFrom(client)`, the CA mounted in the client's pods, and
   * the connection settings in its environment.
   */
  public connect(client: IStoreClient): RedisUser {
    const user = this.addUser(client.name, RedisAccess.keyPrefix(`${client.name}:`));
    this.allowFrom(client);
    client.addEnvironment(...this.connectionEnv(user, client.trustCertificateAuthority(this.caSecretName)));
    return user;
  }

  private plannedNodes(): PlannedRedisNode[] {
    return this.placement.sets.flatMap((zoneSet) => zoneSet.nodes);
  }

  private nodeAddress(node: PlannedRedisNode): string {
    return `${node.podName}.${this.headlessServiceName}.${this.namespaceName}.svc.cluster.local:${REDIS_PORT}`;
  }

  /** The StatefulSet of one zone's nodes, pinned to the zone. */
  private renderStatefulSet(
    zoneSet: RedisZoneSet,
    props: RedisClusterProps,
    sizing: RedisNodeSizing,
    image: ImageReference,
    configMapName: string,
    options: { readonly exporterUser: RedisUser; readonly handoverUser: RedisUser; readonly configChecksum: string },
  ): void {
    const podFqdn = `$(POD_NAME).${this.headlessServiceName}.${this.namespaceName}.svc.cluster.local`;
    const containers = [
      redisContainer({ image, cpuMillis: sizing.cpuMillis, memoryMi: sizing.memoryMi, podFqdn, primaryOrdinals: zoneSet.primaryOrdinals, handoverUser: options.handoverUser.name }),
      exporterContainer({
        image: props.exporterImage ?? DEFAULT_REDIS_EXPORTER_IMAGE,
        podFqdn,
        username: options.exporterUser.name,
        passwordSource: options.exporterUser.credentials.envValue('password'),
      }),
    ];
    // The cluster's selector labels (Services, NetworkPolicies, the budget and the ServiceMonitor
    // select every zone's nodes by them) and the zone, which keeps the sets' selectors apart.
    const podLabels = { ...this.selector, [ZONE_LABEL]: zoneSet.zone };
    const podSpec = this.podSpec({
      // SIGTERM makes Redis fsync the AOF and, as a primary, wait for replicas to catch up
      // (shutdown-timeout 10 s); before it, the preStop hook hands a primary's role over.
      terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
      // Two nodes on one machine would let a single machine failure take a primary and its replica.
      hostSeparation: HostSeparation.APART,
      strictTopologySpread: props.strictTopologySpread,
      containers,
      volumes: [
        { name: 'config', configMap: { name: configMapName, defaultMode: 0o444 } },
        // Readable by the pod's group (fsGroup) only: it holds the private key.
        { name: 'tls', secret: { secretName: this.caSecretName, defaultMode: 0o440 } },
        // Every user's password, by the pod's group only; resolved at synth time, when every user is added.
        { name: CREDENTIALS_VOLUME, projected: { defaultMode: 0o440, sources: Lazy.any({ produce: () => this.users.passwordFiles() }) } },
        // The ACL file and the node user's password: in memory, never on a disk.
        { name: RUN_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: memoryQuantity(RUN_DIR_MI) } },
      ],
    });
    // Pinned to the set's zone (its volumes stay there too); apart from every other node of the
    // cluster, whatever its zone. Nothing to spread over zones within one zone.
    const { affinity } = podPlacement({ selector: this.selector, zones: [zoneSet.zone], strict: props.strictTopologySpread ?? true, hostSeparation: HostSeparation.APART });
    new k8s.KubeStatefulSet(this, `StatefulSet-${zoneSet.zone}`, {
      // Only the exporter reads a password from its environment (at start): Reloader restarts the
      // nodes when it is rotated. The redis container reads every password as a file and applies
      // a rotation itself, without a restart.
      metadata: {
        ...this.objectMetadata(zoneSet.name),
        annotations: { [SECRET_RELOAD_ANNOTATION]: secretsReadAsEnvironment(containers).join(',') },
      },
      spec: {
        replicas: zoneSet.nodes.length,
        serviceName: this.headlessServiceName,
        // Nodes are peers: they must all start at once for the bootstrap to find them.
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        revisionHistoryLimit: 5,
        minReadySeconds: 10,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        selector: { matchLabels: podLabels },
        template: {
          metadata: {
            labels: { ...this.labels, ...podLabels, 'app.kubernetes.io/version': image.tag },
            annotations: { [CONFIG_CHECKSUM_ANNOTATION]: options.configChecksum },
          },
          // UID/GID 10001 like every pod of the platform, not the image's 999: redis-server writes only
          // to its volume, which fsGroup gives to that user.
          spec: { ...podSpec, affinity, topologySpreadConstraints: undefined },
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
