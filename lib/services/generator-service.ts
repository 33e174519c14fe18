import { Construct } from 'constructs';
import { applicationServiceProps, ApplicationServiceProps } from './application-service-props';
import { PropError } from '../platform/prop-error';
import { LongRunningService } from './long-running-service';

/** Port serving /metrics, /healthz and /readyz; the worker takes no other inbound traffic. */
export const GENERATOR_METRICS_PORT = 9090;
export const GENERATOR_WORKSPACE_PATH = '/workspace';

export interface GeneratorServiceProps extends ApplicationServiceProps {
  /**
   * StorageClass of the per-pod workspace volume.
   * @default - the cluster's default StorageClass
   */
  readonly workspaceStorageClass?: string;
  /**
   * Seconds a generation in progress may take to finish after SIGTERM before the pod is killed.
   * @default 300
   */
  readonly jobDrainTimeoutSeconds?: number;
  /**
   * A queue-depth scaler (KEDA) owns the replica count instead of a CPU HorizontalPodAutoscaler.
   * @default false
   */
  readonly scaledByQueueDepth?: boolean;
}

/**
 * The AI-powered generator worker. Generated applications are written to a per-pod workspace
 * volume (a generic ephemeral volume: a real PersistentVolumeClaim that lives and dies with the pod).
 */
export class GeneratorService extends LongRunningService {
  public constructor(scope: Construct, id: string, props: GeneratorServiceProps) {
    const drain = props.jobDrainTimeoutSeconds;
    if (drain !== undefined && (!Number.isInteger(drain) || drain < 30 || drain > 3600)) {
      throw new PropError(id, 'jobDrainTimeoutSeconds', drain, 'use 30 to 3600 seconds, enough for the longest generation to finish');
    }
    super(scope, id, {
      ...applicationServiceProps(props),
      component: 'worker',
      metricsPort: GENERATOR_METRICS_PORT,
      targetCpuUtilizationPercent: props.targetCpuUtilizationPercent ?? 75,
      // A worker has no endpoints to leave; a short pause lets it stop taking jobs first.
      drainSeconds: 5,
      shutdownTimeoutSeconds: props.jobDrainTimeoutSeconds ?? 300,
      startupTimeoutSeconds: props.startupTimeoutSeconds ?? 180,
      externallyScaled: props.scaledByQueueDepth,
      workspaceMountPath: GENERATOR_WORKSPACE_PATH,
      workspaceStorageClass: props.workspaceStorageClass,
      scratchVolumes: [{ name: 'tmp', mountPath: '/tmp', sizeLimitMi: 1024 }],
      env: {
        NODE_ENV: 'production',
        WORKSPACE_DIR: GENERATOR_WORKSPACE_PATH,
      },
    });
  }
}
