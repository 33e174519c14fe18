import { PodReadiness } from './pod-readiness';

/** What a part of a release's time is spent on: the columns of `npm run report`. */
export enum TimeCategory {
  /** Argo CD noticing the merge: the webhook, else polling. */
  DETECTION = 'detection',
  /** New pods becoming available, batch after batch. */
  ROLLOUT = 'rollout',
  /** Canary pauses and blue-green auto-promotion waits. */
  PAUSES = 'pauses',
  /** Analysis runs that gate the release. */
  ANALYSIS = 'analysis',
  /** Traffic weight changes and the blue-green switch. */
  SWITCH = 'switch',
  /** Argo CD's delay before the workload's sync wave. */
  WAVES = 'waves',
}

export interface TimeComponent {
  readonly category: TimeCategory;
  /** `Infinity` when nothing bounds it (a pause without duration, an analysis without count). */
  readonly seconds: number;
  readonly detail: string;
}

/** The worst-case time one release of one workload takes, by part. */
export interface ReleaseEstimate {
  readonly environment: string;
  /** `app.kubernetes.io/name`, else the workload's name. */
  readonly service: string;
  readonly kind: string;
  readonly name: string;
  /** `RollingUpdate`, `Recreate`, `canary`, `blueGreen` or the StatefulSet's update strategy. */
  readonly strategy: string;
  /** The replicas the release replaces: the autoscaler's maximum, else `spec.replicas`, else 1. */
  readonly replicas: number;
  readonly pod: PodReadiness;
  readonly components: readonly TimeComponent[];
  /** Sum of the components; `Infinity` when one is unbounded. */
  readonly totalSeconds: number;
  /** False for workloads reported outside the budget; `outsideBudgetReason` says why. */
  readonly budgeted: boolean;
  /** Why a workload is outside the budget (e.g. a store whose roll is scheduled maintenance). */
  readonly outsideBudgetReason?: string;
  /**
   * The total if the webhook fails and Argo CD notices the merge by polling instead; undefined when
   * there is no webhook (the total already polls). Reported, not budgeted: GitHub does not redeliver.
   */
  readonly fallbackTotalSeconds?: number;
  readonly notes: readonly string[];
}
