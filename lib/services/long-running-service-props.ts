import { DeliveryStrategy } from '../delivery/delivery-strategy';
import { PropError } from '../platform/prop-error';
import { WorkloadFootprint } from '../platform/workload-footprint';
import { ApplicationServiceProps } from './application-service-props';

/** A writable folder on an emptyDir; the root filesystem itself is read-only. */
export interface ScratchVolume {
  readonly name: string;
  readonly mountPath: string;
  readonly sizeLimitMi: number;
}

export interface LongRunningServiceProps extends ApplicationServiceProps {
  /** Recommended-label component, e.g. `frontend`, `backend`, `worker`. */
  readonly component: string;
  /**
   * Port serving the application's traffic; no Service port for traffic when undefined.
   * @default - no traffic port (a worker)
   */
  readonly httpPort?: number;
  /**
   * Port serving `/metrics` (and the health endpoints when there is no traffic port).
   * @default 9090
   */
  readonly metricsPort?: number;
  /**
   * Liveness endpoint: fails only when a restart would help.
   * @default '/healthz'
   */
  readonly livenessPath?: string;
  /**
   * Readiness endpoint: fails while the pod should get no traffic (starting, draining, dependency down).
   * @default '/readyz'
   */
  readonly readinessPath?: string;
  /**
   * How long a pod may take to start before it is restarted.
   * @default 120
   */
  readonly startupTimeoutSeconds?: number;
  /**
   * Seconds the preStop hook waits so that endpoints and the ingress controller stop sending
   * traffic before the process gets SIGTERM.
   * @default 10
   */
  readonly drainSeconds?: number;
  /**
   * Seconds the process has after SIGTERM to finish in-flight work.
   * @default 20
   */
  readonly shutdownTimeoutSeconds?: number;
  /**
   * Writable emptyDir folders.
   * @default - a 1Gi /tmp
   */
  readonly scratchVolumes?: readonly ScratchVolume[];
  /**
   * Mount path of a per-pod PersistentVolumeClaim (a generic ephemeral volume) of `resources.storageGi`.
   * @default - no workspace volume; `resources.storageGi` is ephemeral storage
   */
  readonly workspaceMountPath?: string;
  /**
   * StorageClass of the workspace volume.
   * @default - the cluster's default StorageClass
   */
  readonly workspaceStorageClass?: string;
  /**
   * Ephemeral storage per pod when a workspace volume holds the bulk of the data.
   * @default 2
   */
  readonly workspaceEphemeralStorageGi?: number;
  /**
   * Another autoscaler (a KEDA ScaledObject) owns the replica count: no HorizontalPodAutoscaler is
   * rendered, and synth fails unless one is attached with `useExternalScaler`.
   * @default false
   */
  readonly externallyScaled?: boolean;
  /**
   * Extra environment variables for the container.
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * How a new version replaces the running one: a Deployment's rolling update, or an Argo Rollout
   * (blue-green or canary) with the same pod template, judged by Prometheus analysis.
   * @default DeliveryStrategy.rollingUpdate()
   */
  readonly deliveryStrategy?: DeliveryStrategy;
}

/** Ephemeral storage per pod: `resources.storageGi`, or `workspaceEphemeralStorageGi` beside a workspace volume. */
/** Seconds the process has after SIGTERM (the `shutdownTimeoutSeconds` prop with its default). */
export function shutdownTimeoutSeconds(props: LongRunningServiceProps): number {
  return props.shutdownTimeoutSeconds ?? 20;
}

export function ephemeralStorageGi(props: LongRunningServiceProps): number {
  return props.workspaceMountPath ? (props.workspaceEphemeralStorageGi ?? 2) : props.resources.storageGi;
}

/** The most a service asks of its namespace: its autoscaler's maximum plus a release's surge, and its workspace volume. */
export function serviceFootprint(props: LongRunningServiceProps, strategy: DeliveryStrategy): WorkloadFootprint {
  const claimGi = props.workspaceMountPath ? props.resources.storageGi : 0;
  return {
    maxPods: strategy.maxPodsDuringRelease(props.replicas.max),
    podCpuMillis: props.resources.cpuMillis,
    podMemoryMi: props.resources.memoryMi,
    podEphemeralStorageGi: ephemeralStorageGi(props),
    podClaimStorageGi: claimGi,
    podClaimCount: props.workspaceMountPath ? 1 : 0,
    largestContainerCpuMillis: props.resources.cpuMillis,
    largestContainerMemoryMi: props.resources.memoryMi,
    largestClaimGi: claimGi,
  };
}

/** Rejects what the restricted base does not check itself (the id and the zones); runs before the construct joins the tree. */
export function validateLongRunningServiceProps(id: string, props: LongRunningServiceProps, strategy: DeliveryStrategy): void {
  const fail = (prop: string, value: unknown, fix: string): never => {
    throw new PropError(id, prop, value, fix);
  };
  if (strategy.trafficRouting && props.httpPort === undefined) {
    fail('deliveryStrategy', strategy.kind, 'a blue-green release or a canary through ingress-nginx shifts HTTP traffic, and this service serves none; use DeliveryStrategy.canary({ trafficRouting: false, ... }) or DeliveryStrategy.rollingUpdate()');
  }
  // An externally scaled service may be a Rollout: KEDA scales any object with a /scale
  // subresource, which the Rollout CRD has (specReplicasPath .spec.replicas).
  for (const [field, port] of [['httpPort', props.httpPort], ['metricsPort', props.metricsPort]] as const) {
    if (port !== undefined && (!Number.isInteger(port) || port < 1024 || port > 65535)) {
      fail(field, port, 'use an unprivileged port from 1024 to 65535 (containers run without NET_BIND_SERVICE)');
    }
  }
  if (props.httpPort !== undefined && props.httpPort === props.metricsPort) {
    fail('metricsPort', props.metricsPort, 'serve metrics on a port of its own, so /metrics never reaches the ingress');
  }
  for (const [field, value] of [
    ['drainSeconds', props.drainSeconds],
    ['shutdownTimeoutSeconds', props.shutdownTimeoutSeconds],
    ['startupTimeoutSeconds', props.startupTimeoutSeconds],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 3600)) {
      fail(field, value, 'use a whole number of seconds from 1 to 3600');
    }
  }
  const scratchMi = (props.scratchVolumes ?? []).reduce((acc, v) => acc + v.sizeLimitMi, 0);
  const ephemeralMi = ephemeralStorageGi(props) * 1024;
  if (scratchMi > ephemeralMi) {
    fail('scratchVolumes', scratchMi, `their size limits add up to more than the pod's ${ephemeralMi}Mi of ephemeral storage; shrink them`);
  }
}
