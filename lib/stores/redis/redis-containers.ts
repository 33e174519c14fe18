import { k8s } from 'cdk8s-plus-27';
import { ImageReference, imageReference } from '../../platform/image-reference';
import { memoryQuantity } from '../../platform/quantities';
import { restrictedContainerSecurityContext, RUN_AS_ID } from '../../platform/security-contexts';
import { guaranteedResources } from '../../workloads/container-resources';
import { livenessProbe, ProbeCheck, readinessProbe, startupProbe } from '../../workloads/probes';
import {
  ACL_FILE, ACL_RULES_FILE, CONFIG_DIR, CONFIG_FILE, CREDENTIALS_DIR, DATA_DIR, EXPORTER_RESOURCES, HANDOVER_WAIT_SECONDS, NODE_AUTH_FILE, PROBE_FILE,
  REDIS_CLUSTER_BUS_PORT, REDIS_EPHEMERAL_MI, REDIS_METRICS_PORT, REDIS_PORT, RELOAD_SECONDS, ROLE_FILE, ROTATION_OVERLAP_SECONDS, RUN_DIR, START_FILE, TLS_DIR,
  TLS_FILES,
} from './redis-constants';

/** Volumes of the redis container besides the data: the users' password files and the memory-backed folder of the ACL file. */
export const CREDENTIALS_VOLUME = 'credentials';
export const RUN_VOLUME = 'run';

export interface RedisContainerOptions {
  readonly image: ImageReference;
  readonly cpuMillis: number;
  readonly memoryMi: number;
  /** The pod's own DNS name, which it announces and its certificate names. */
  readonly podFqdn: string;
  /** Pods of the StatefulSet with an ordinal below this are planned primaries (see planRedisPlacement). */
  readonly primaryOrdinals: number;
  /** The user a terminating primary logs in to its replica as, to hand over its role. */
  readonly handoverUser: string;
}

/**
 * The Redis node: started by the start script, probed by the probe script, TLS only. It reads no
 * password from its environment: the users' passwords are files (CREDENTIALS_VOLUME), which the
 * start script hashes into the ACL file and the users script watches for a rotation.
 */
export function redisContainer(options: RedisContainerOptions): k8s.Container {
  const probe = (mode: string): ProbeCheck => ({ exec: { command: ['sh', `${CONFIG_DIR}/${PROBE_FILE}`, mode] } });
  return {
    name: 'redis',
    image: imageReference(options.image),
    imagePullPolicy: 'Always',
    // Not the image's entrypoint (it only adds a chown as root): the start script refreshes
    // the nodes' IPs in nodes.conf from their hostnames, writes the ACL file, starts the
    // certificate and password reload loops, then execs redis-server.
    command: ['sh', `${CONFIG_DIR}/${START_FILE}`],
    // Per-pod settings go on the command line (Kubernetes expands $(VAR)), so the shared
    // ConfigMap holds none. No password: the replication password reaches redis-server on its
    // standard input (see the start script).
    args: [
      `${CONFIG_DIR}/${CONFIG_FILE}`,
      '--dir', DATA_DIR,
      '--cluster-announce-hostname', '$(POD_FQDN)',
    ],
    ports: [
      { name: 'redis', containerPort: REDIS_PORT, protocol: 'TCP' },
      { name: 'cluster-bus', containerPort: REDIS_CLUSTER_BUS_PORT, protocol: 'TCP' },
    ],
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_FQDN', value: options.podFqdn },
      { name: 'REDIS_DATA_DIR', value: DATA_DIR },
      { name: 'REDIS_PORT', value: String(REDIS_PORT) },
      { name: 'REDIS_TLS_CERT_FILE', value: TLS_FILES.certFile },
      { name: 'REDIS_TLS_KEY_FILE', value: TLS_FILES.keyFile },
      { name: 'REDIS_TLS_CA_FILE', value: TLS_FILES.caCertFile },
      { name: 'REDIS_RELOAD_SECONDS', value: String(RELOAD_SECONDS) },
      { name: 'REDIS_ACL_RULES_FILE', value: `${CONFIG_DIR}/${ACL_RULES_FILE}` },
      { name: 'REDIS_CREDENTIALS_DIR', value: CREDENTIALS_DIR },
      { name: 'REDIS_ACL_FILE', value: ACL_FILE },
      // The probes and the reload loops log in as the node's own user with the password in this file.
      { name: 'REDIS_NODE_AUTH_FILE', value: NODE_AUTH_FILE },
      { name: 'REDIS_ROTATION_OVERLAP_SECONDS', value: String(ROTATION_OVERLAP_SECONDS) },
      { name: 'REDIS_PRIMARY_ORDINALS', value: String(options.primaryOrdinals) },
      { name: 'REDIS_HANDOVER_USER', value: options.handoverUser },
      { name: 'REDIS_HANDOVER_WAIT_SECONDS', value: String(HANDOVER_WAIT_SECONDS) },
    ],
    // A primary hands its slots to its replica (in another zone) before it stops: a restart, a
    // drain or a rollout leaves no slot range without a primary. Logged to the container's output.
    lifecycle: { preStop: { exec: { command: ['sh', `${CONFIG_DIR}/${ROLE_FILE}`, 'handover', '/proc/1/fd/1'] } } },
    resources: guaranteedResources(options.cpuMillis, options.memoryMi, memoryQuantity(REDIS_EPHEMERAL_MI)),
    securityContext: restrictedContainerSecurityContext(RUN_AS_ID),
    // Loading a large AOF takes a while; up to 5 minutes before the node is restarted.
    startupProbe: startupProbe(probe('started'), 300, 3),
    readinessProbe: readinessProbe(probe('ready'), 3),
    livenessProbe: livenessProbe(probe('alive'), 5),
    volumeMounts: [
      { name: 'data', mountPath: DATA_DIR },
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      // The folder, not the files (subPath), so that the kubelet swaps in a renewed certificate.
      { name: 'tls', mountPath: TLS_DIR, readOnly: true },
      // The folder too, so that the kubelet swaps in a rotated password.
      { name: CREDENTIALS_VOLUME, mountPath: CREDENTIALS_DIR, readOnly: true },
      { name: RUN_VOLUME, mountPath: RUN_DIR },
    ],
  };
}

export interface ExporterContainerOptions {
  readonly image: ImageReference;
  /** The pod's own DNS name, which the exporter checks the node's certificate against. */
  readonly podFqdn: string;
  /** The exporter's ACL user and where its password comes from. */
  readonly username: string;
  readonly passwordSource: k8s.EnvVarSource;
}

/** redis_exporter for the pod's own node, serving /metrics over HTTPS with the node's certificate. */
export function exporterContainer(options: ExporterContainerOptions): k8s.Container {
  return {
    name: 'exporter',
    image: imageReference(options.image),
    imagePullPolicy: 'Always',
    ports: [{ name: 'metrics', containerPort: REDIS_METRICS_PORT, protocol: 'TCP' }],
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_FQDN', value: options.podFqdn },
      // This pod's node only; Prometheus scrapes every pod, so the cluster is covered. By
      // its DNS name, not 127.0.0.1: the exporter checks the name against the certificate.
      { name: 'REDIS_ADDR', value: `rediss://$(POD_FQDN):${REDIS_PORT}` },
      { name: 'REDIS_EXPORTER_TLS_CA_CERT_FILE', value: TLS_FILES.caCertFile },
      // redis_exporter v1.58.0 reads both at start only (main.go: REDIS_USER, REDIS_PASSWORD; its
      // REDIS_PASSWORD_FILE is a JSON map of addresses, also read once): Reloader restarts the pods on a rotation.
      { name: 'REDIS_USER', value: options.username },
      { name: 'REDIS_PASSWORD', valueFrom: options.passwordSource },
      { name: 'REDIS_EXPORTER_WEB_LISTEN_ADDRESS', value: `:${REDIS_METRICS_PORT}` },
      // /metrics over HTTPS only, with the node's certificate (it names the headless
      // Service, which Prometheus verifies). redis_exporter loads the key pair on every
      // TLS handshake (GetCertificate), so a renewed certificate is served without a restart.
      { name: 'REDIS_EXPORTER_TLS_SERVER_CERT_FILE', value: TLS_FILES.certFile },
      { name: 'REDIS_EXPORTER_TLS_SERVER_KEY_FILE', value: TLS_FILES.keyFile },
      { name: 'REDIS_EXPORTER_TLS_SERVER_MIN_VERSION', value: 'TLS1.2' },
    ],
    resources: guaranteedResources(EXPORTER_RESOURCES.cpuMillis, EXPORTER_RESOURCES.memoryMi, memoryQuantity(EXPORTER_RESOURCES.ephemeralMi)),
    securityContext: restrictedContainerSecurityContext(RUN_AS_ID),
    // The exporter answers even when Redis is down (it reports redis_up 0), so these only
    // check the exporter itself; Redis's own probes decide whether the pod is ready.
    readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
    livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 },
    // The whole Secret, like the redis container: the key pair to serve, ca.crt to verify Redis.
    volumeMounts: [{ name: 'tls', mountPath: TLS_DIR, readOnly: true }],
  };
}
