import { ImageReference } from '../../platform/image-reference';

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
export const CONFIG_DIR = '/etc/redis';
export const CONFIG_FILE = 'redis.conf';
export const PROBE_FILE = 'probe.sh';
export const START_FILE = 'start.sh';
/** Beside the start script, which runs it. */
export const TLS_RELOAD_FILE = 'reload-tls.sh';
export const SCRIPT_DIR = '/opt/bootstrap';
export const BOOTSTRAP_FILE = 'bootstrap-cluster.sh';
export const DATA_DIR = '/data';
/** The certificate Secret's mount in every container: the key pair in the redis and exporter containers, only `ca.crt` elsewhere. */
export const TLS_DIR = '/etc/redis-tls';
export const TLS_FILES = { certFile: `${TLS_DIR}/tls.crt`, keyFile: `${TLS_DIR}/tls.key`, caCertFile: `${TLS_DIR}/ca.crt` };
/** Seconds between two checks of the mounted certificate for a renewal (see the reload script). */
export const TLS_RELOAD_SECONDS = 30;

/** Share of the container memory limit given to the dataset (`maxmemory`); see the `memoryMi` prop. */
export const MAX_MEMORY_PERCENT = 70;
/** Ephemeral storage of the redis container: container logs only, the data is on the volume. */
export const REDIS_EPHEMERAL_MI = 768;
export const EXPORTER_RESOURCES = { cpuMillis: 100, memoryMi: 128, ephemeralMi: 256 };
export const BOOTSTRAP_RESOURCES = { cpuMillis: 100, memoryMi: 64, ephemeralMi: 64 };
/** Seconds the bootstrap script waits for every node to answer, then for the cluster to be healthy. */
export const BOOTSTRAP_WAIT_SECONDS = 300;
