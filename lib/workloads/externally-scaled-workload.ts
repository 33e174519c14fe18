import { IConstruct } from 'constructs';
import { Replicas } from '../platform/replicas';
import { WorkloadReference } from './cpu-autoscaler';

/**
 * A workload whose replica count another autoscaler (a KEDA ScaledObject) owns instead of a CPU
 * HorizontalPodAutoscaler. The scaler's objects are rendered with the workload.
 */
export interface IExternallyScaledWorkload extends IConstruct {
  readonly name: string;
  readonly namespaceName: string;
  /** The bounds the scaler keeps the replica count within. */
  readonly replicas: Replicas;
  /** The object that owns the pods, for the scaler's `scaleTargetRef`. */
  readonly workloadReference: WorkloadReference;
  /** Records that `scalerName` owns the replica count; throws when the workload cannot be scaled by it. */
  useExternalScaler(scalerName: string): void;
}
