import { RabbitmqClusterSpec } from '../../../imports/rabbitmq.com';
import { ImageReference, imageReference } from '../../platform/image-reference';
import { cpuQuantity, gibibytes, memoryQuantity } from '../../platform/quantities';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../../platform/security-contexts';
import { zoneNodeAffinity } from '../../platform/zone-node-affinity';
import { NODE_TAINTS_POLICY } from '../../platform/zone-spread';
import { pinnedReference, THIRD_PARTY_IMAGES } from '../../platform/third-party-images';
import { DISTRIBUTION_CONFIG_DIR, DISTRIBUTION_TLS_DIR, distributionEnvConfig } from './distribution-tls';

/** RabbitMQ 3.12 with the management plugin, as lib/platform/third-party-images.ts pins it. */
export const RABBITMQ_IMAGE: ImageReference = pinnedReference(THIRD_PARTY_IMAGES.rabbitmq);
/** The init container the operator adds to copy configuration and the Erlang cookie. */
export const SETUP_CONTAINER = { cpuMillis: 100, memoryMi: 512 };
/** UID and GID of the rabbitmq user in the official image. */
const RABBITMQ_ID = 999;

/** Everything `rabbitmqClusterSpec` renders, resolved: no defaults are applied here. */
export interface RabbitmqClusterSpecOptions {
  readonly image: ImageReference;
  readonly replicas: number;
  /** CPU per node (requests = limits). */
  readonly cpuMillis: number;
  /** Memory per node (requests = limits). */
  readonly memoryMi: number;
  readonly storageGi: number;
  /** StorageClass of the message store; undefined for the cluster's default. */
  readonly storageClass: string | undefined;
  readonly terminationGracePeriodSeconds: number;
  /** Zones the nodes may run in and are spread over. */
  readonly zones: readonly string[];
  /** The labels the operator gives the nodes' pods. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** cert-manager's Secret of the broker certificate (tls.crt, tls.key and ca.crt). */
  readonly tlsSecretName: string;
  /** The ConfigMap holding the Erlang distribution options file. */
  readonly distributionConfigMapName: string;
}

/**
 * The RabbitmqCluster's `spec`: TLS-only listeners, pause_minority, one node per host spread over
 * zones, restricted pods, and Erlang distribution over TLS.
 * @see https://www.rabbitmq.com/kubernetes/operator/using-operator
 */
export function rabbitmqClusterSpec(options: RabbitmqClusterSpecOptions): RabbitmqClusterSpec {
  const podLabels = { ...options.podLabels };
  // The user comes from the pod: the rabbitmq image's own 999, which owns its files.
  const restricted = restrictedContainerSecurityContext();
  return {
    replicas: options.replicas,
    image: imageReference(options.image),
    // One Secret for both: cert-manager's Secret holds tls.crt, tls.key and ca.crt. Operator
    // 2.7 projects a separate CA Secret whole into the same folder, so a CA Secret that also
    // holds a tls.crt would overwrite the server certificate (rabbitmq/cluster-operator#1616).
    tls: { secretName: options.tlsSecretName, caSecretName: options.tlsSecretName, disableNonTlsListeners: true },
    resources: {
      requests: { cpu: cpuQuantity(options.cpuMillis), memory: memoryQuantity(options.memoryMi) },
      limits: { cpu: cpuQuantity(options.cpuMillis), memory: memoryQuantity(options.memoryMi) },
    },
    persistence: { storageClassName: options.storageClass, storage: gibibytes(options.storageGi) },
    terminationGracePeriodSeconds: options.terminationGracePeriodSeconds,
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
          { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: podLabels } },
        ],
      },
      nodeAffinity: zoneNodeAffinity(options.zones),
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
                  whenUnsatisfiable: options.zones.length > 1 ? 'DoNotSchedule' : 'ScheduleAnyway',
                  labelSelector: { matchLabels: podLabels },
                  nodeTaintsPolicy: NODE_TAINTS_POLICY,
                },
              ],
              initContainers: [
                {
                  name: 'setup-container',
                  securityContext: restricted,
                  resources: guaranteed(SETUP_CONTAINER.cpuMillis, SETUP_CONTAINER.memoryMi, 1),
                },
              ],
              containers: [
                {
                  name: 'rabbitmq',
                  securityContext: restricted,
                  resources: guaranteed(options.cpuMillis, options.memoryMi, 2),
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
                { name: 'distribution-tls', secret: { secretName: options.tlsSecretName, defaultMode: 0o440 } },
                { name: 'distribution-config', configMap: { name: options.distributionConfigMapName } },
              ],
            },
          },
        },
      },
    },
  };
}

/** Requests equal to limits (Guaranteed QoS) for one container of the override. */
function guaranteed(cpuMillis: number, memoryMi: number, ephemeralGi: number) {
  const amounts = { 'cpu': cpuQuantity(cpuMillis), 'memory': memoryQuantity(memoryMi), 'ephemeral-storage': gibibytes(ephemeralGi) };
  return { requests: amounts, limits: amounts };
}
