/** The failures the recovery model covers, smallest first (docs/disaster-recovery.md has one section per store for each). */
export enum Failure {
  POD = 'pod',
  NODE = 'node',
  ZONE = 'zone',
  REGION = 'region',
}

export const FAILURES: readonly Failure[] = [Failure.POD, Failure.NODE, Failure.ZONE, Failure.REGION];

/** One recovery number (an RPO or an RTO) of one service or store for one failure. */
export interface RecoveryFigure {
  /** The service or store, e.g. `Rollout/web`, `Cluster/postgres`. */
  readonly subject: string;
  readonly failure: Failure;
  /** Infinity when no setting bounds it. */
  readonly seconds: number;
  /** The failure the number assumes and how it follows, in one line. */
  readonly assumes: string;
  /** The rendered setting that decides the number: what a failing check names. */
  readonly setting: string;
  /**
   * False for an estimate that no rendered setting bounds (a restore's duration, data that is
   * rebuilt rather than restored): shown, not held against the specification.
   */
  readonly checked: boolean;
}

/** A figure that is held against the specification. */
export function figure(subject: string, failure: Failure, seconds: number, assumes: string, setting: string): RecoveryFigure {
  return { subject, failure, seconds, assumes, setting, checked: true };
}

/** An estimate shown beside the checked figures but not held against the specification. */
export function estimate(subject: string, failure: Failure, seconds: number, assumes: string, setting: string): RecoveryFigure {
  return { subject, failure, seconds, assumes, setting, checked: false };
}
