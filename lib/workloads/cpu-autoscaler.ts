import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Replicas } from '../platform/replicas';
import { PropError } from '../platform/prop-error';

/** What an autoscaler's `scaleTargetRef` names: the Deployment or the Rollout that owns the pods. */
export interface WorkloadReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

export interface CpuAutoscalerProps {
  /** Namespace of the workload. */
  readonly namespace: string;
  /** Labels of the HorizontalPodAutoscaler object. */
  readonly labels: Readonly<Record<string, string>>;
  /** The workload it scales; the autoscaler is named after it. */
  readonly target: WorkloadReference;
  /** Bounds of the replica count; must be autoscaled. */
  readonly replicas: Replicas;
  /**
   * Average CPU utilisation, in percent of requests, that the autoscaler aims for.
   * @default 70
   */
  readonly targetCpuUtilizationPercent?: number;
}

/**
 * A HorizontalPodAutoscaler on CPU with the platform's one scaling behaviour: up at once (double,
 * or four pods, every 30 s, whichever is more), down slowly (a quarter a minute after five quiet
 * minutes), so a burst is met within a minute and a lull never drops capacity the next burst needs.
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#configurable-scaling-behavior
 */
export class CpuAutoscaler extends Construct {
  public constructor(scope: Construct, id: string, props: CpuAutoscalerProps) {
    super(scope, id);
    if (!props.replicas.isAutoscaled) {
      throw new PropError(props.target.name, 'replicas', props.replicas.toString(), 'give it Replicas.autoscaled(...) to scale it with a HorizontalPodAutoscaler');
    }
    const target = props.targetCpuUtilizationPercent ?? 70;
    if (!Number.isInteger(target) || target < 10 || target > 95) {
      throw new PropError(props.target.name, 'targetCpuUtilizationPercent', target, 'use a whole percentage from 10 to 95');
    }
    new k8s.KubeHorizontalPodAutoscalerV2(this, 'Resource', {
      metadata: { name: props.target.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        scaleTargetRef: { ...props.target },
        minReplicas: props.replicas.min,
        maxReplicas: props.replicas.max,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }],
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: 0,
            selectPolicy: 'Max',
            policies: [
              { type: 'Percent', value: 100, periodSeconds: 30 },
              { type: 'Pods', value: 4, periodSeconds: 30 },
            ],
          },
          scaleDown: {
            stabilizationWindowSeconds: 300,
            selectPolicy: 'Min',
            policies: [{ type: 'Percent', value: 25, periodSeconds: 60 }],
          },
        },
      },
    });
  }
}
