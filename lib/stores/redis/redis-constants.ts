import { ImageReference } from '../../platform/image-reference';
import { pinnedReference, THIRD_PARTY_IMAGES } from '../../platform/third-party-images';

/**
 * TLS port for clients, replication and the bootstrap Job; there is no plaintext port. Redis's
 * usual number, so clients, Services and NetworkPolicies need no second port.
 */
export const REDIS_PORT = 6379;
/** Port of the cluster bus between nodes: Redis always uses the client port + 10000. */
export const REDIS_CLUSTER_BUS_PORT = REDIS_PORT + 10000;
/** Port of the redis_exporter sidecar, HTTPS only. */
export const REDIS_METRICS_PORT = 9121;

/** redis 7.0.15 (Debian bookworm based), as lib/platform/third-party-images.ts pins it. */
export const DEFAULT_REDIS_IMAGE: ImageReference = pinnedReference(THIRD_PARTY_IMAGES.redis);
/** oliver006/redis_exporter v1.58.0, as lib/platform/third-party-images.ts pins it. */
export const DEFAULT_REDIS_EXPORTER_IMAGE: ImageReference = pinnedReference(THIRD_PARTY_IMAGES.redisExporter);

/** Where the pods mount things; also the keys of the ConfigMaps. */
export const CONFIG_DIR = '/etc/redis';
export const CONFIG_FILE = 'redis.conf';
export const PROBE_FILE = 'probe.sh';
export const START_FILE = 'start.sh';
/** Beside the start script, which runs it. */
export const TLS_RELOAD_FILE = 'reload-tls.sh';
/** Beside the start script, which runs it: writes the ACL file at start and applies rotated passwords. */
export const USERS_FILE = 'users.sh';
/** Beside the start script, which runs its watch; also the preStop hook: a node's primary role, handed over and taken back. */
export const ROLE_FILE = 'role.sh';
/** The ACL users and their rules, without passwords: the start script adds each user's hashed password. */
export const ACL_RULES_FILE = 'acl-rules.conf';
export const SCRIPT_DIR = '/opt/bootstrap';
export const BOOTSTRAP_FILE = 'bootstrap-cluster.sh';
export const DATA_DIR = '/data';
/** The certificate Secret's mount in every container: the key pair in the redis and exporter containers, only `ca.crt` elsewhere. */
export const TLS_DIR = '/etc/redis-tls';
export const TLS_FILES = { certFile: `${TLS_DIR}/tls.crt`, keyFile: `${TLS_DIR}/tls.key`, caCertFile: `${TLS_DIR}/ca.crt` };
/** Seconds between two checks of the mounted certificate and passwords for a change (see the reload and users scripts). */
export const RELOAD_SECONDS = 30;
/**
 * Every user's password file, one per user (a projected volume of the users' Secrets), in the
 * redis container only. A folder mount, so that the kubelet swaps in a rotated password.
 */
export const CREDENTIALS_DIR = '/etc/redis-credentials';
/**
 * A memory-backed folder of the redis container, written by the start script only (mode 0600):
 * the ACL file (hashed passwords only) and the password of the node's own user.
 */
export const RUN_DIR = '/run/redis';
export const ACL_FILE = `${RUN_DIR}/users.acl`;
export const NODE_AUTH_FILE = `${RUN_DIR}/node.auth`;
/** The ACL user every client is refused as. */
export const DEFAULT_USER = 'default';
/** The node's own user (probes, certificate and password reload); its password is made at each start. */
export const NODE_USER = 'node';
/** The user replicas log in to their primary with (`masteruser`). */
export const REPLICATION_USER = 'replication';
export const EXPORTER_USER = 'exporter';
export const BOOTSTRAP_USER = 'bootstrap';
/** Size limit of RUN_DIR; it holds two small files. */
export const RUN_DIR_MI = 1;
/**
 * Seconds a node keeps accepting a user's previous password after the new one reached it: time
 * for Reloader to restart every pod that still uses the old one (a canary release of the api with
 * its analysis steps included), with a wide margin.
 */
export const ROTATION_OVERLAP_SECONDS = 3600;

/** Share of the container memory limit given to the dataset (`maxmemory`); see the `memoryMi` prop. */
export const MAX_MEMORY_PERCENT = 70;
/** Ephemeral storage of the redis container: container logs only, the data is on the volume. */
export const REDIS_EPHEMERAL_MI = 768;
export const EXPORTER_RESOURCES = { cpuMillis: 100, memoryMi: 128, ephemeralMi: 256 };
export const BOOTSTRAP_RESOURCES = { cpuMillis: 100, memoryMi: 64, ephemeralMi: 64 };
/** Seconds the bootstrap script waits for every node to answer, then for the cluster to be healthy. */
export const BOOTSTRAP_WAIT_SECONDS = 300;
/**
 * Seconds a terminating primary waits for a replica in sync to hand its slots to (REDIS_ROLE_SCRIPT
 * `handover`). Usually a second; longer only while the replica itself restarts or resynchronises,
 * as when the StatefulSets of two zones roll at once.
 */
export const HANDOVER_WAIT_SECONDS = 60;
/** The handover, then Redis's own shutdown (fsync of the AOF, `shutdown-timeout` 10 s), with room to spare. */
export const TERMINATION_GRACE_SECONDS = HANDOVER_WAIT_SECONDS + 30;
/** Pod label: the zone a node's StatefulSet pins it to. Part of each StatefulSet's selector, so the sets never select each other's pods. */
export const ZONE_LABEL = 'generator-platform.dev/zone';
