import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PropError } from '../platform/prop-error';

/** What a voluntary eviction (a node drain) may do to a pod that is running but not ready. */
export enum UnhealthyPodEviction {
  /** Evict it anyway: a pod that never became ready protects nothing, and drains keep moving. */
  ALWAYS_ALLOW = 'AlwaysAllow',
  /** Evict it only while the budget holds, e.g. a replica still copying its primary. */
  IF_HEALTHY_BUDGET = 'IfHealthyBudget',
}

export interface DisruptionBudgetProps {
  /** Name of the PodDisruptionBudget, usually the workload's. */
  readonly name: string;
  /** Namespace of the pods. */
  readonly namespace: string;
  /** Labels of the PodDisruptionBudget object itself. */
  readonly labels: Readonly<Record<string, string>>;
  /** Labels that select the workload's pods. */
  readonly selector: Readonly<Record<string, string>>;
  /**
   * Pods that a drain may take at once.
   * @default 1
   * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
   */
  readonly maxUnavailable?: number;
  /**
   * What a drain does to a running pod that is not ready.
   * @default UnhealthyPodEviction.ALWAYS_ALLOW
   * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/#unhealthy-pod-eviction-policy
   */
  readonly unhealthyPodEviction?: UnhealthyPodEviction;
}

/**
 * The PodDisruptionBudget of one workload: voluntary evictions (node drains, cluster upgrades)
 * take at most `maxUnavailable` of its pods at a time.
 */
export class DisruptionBudget extends Construct {
  public constructor(scope: Construct, id: string, props: DisruptionBudgetProps) {
    super(scope, id);
    const maxUnavailable = props.maxUnavailable ?? 1;
    if (!Number.isInteger(maxUnavailable) || maxUnavailable < 1) {
      throw new PropError(props.name, 'maxUnavailable', maxUnavailable, 'use a whole number of pods, at least 1: a budget of 0 blocks every node drain');
    }
    new k8s.KubePodDisruptionBudget(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(maxUnavailable),
        selector: { matchLabels: { ...props.selector } },
        unhealthyPodEvictionPolicy: props.unhealthyPodEviction ?? UnhealthyPodEviction.ALWAYS_ALLOW,
      },
    });
  }
}
