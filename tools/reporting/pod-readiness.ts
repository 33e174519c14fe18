import { ModelOptions, PROBE_DEFAULTS } from './budget-constants';
import { JsonObject, list, numberOf, record } from './json';

/** How long one new pod takes from creation to counting as available, by part. */
export interface PodReadiness {
  readonly imagePullSeconds: number;
  /** Until the startup probe first succeeds (the expected start, on the probe's grid, capped by its failure bound). */
  readonly startSeconds: number;
  /** Readiness probe after startup: initialDelaySeconds + periodSeconds x successThreshold. */
  readonly readySeconds: number;
  readonly minReadySeconds: number;
  readonly totalSeconds: number;
}

/** The startup probe's failure bound: past it the kubelet restarts the container. */
export function startupFailureBoundSeconds(probe: JsonObject): number {
  return delay(probe) + period(probe) * (numberOf(probe.failureThreshold) ?? PROBE_DEFAULTS.failureThreshold);
}

/**
 * Readiness of one pod of `podSpec` in a normal start: image pull, the expected application start
 * (first startup probe at or after it, never beyond the probe's failure bound), the readiness
 * probe's successes after startup, and `minReadySeconds`. The slowest container sets the pace.
 */
export function podReadiness(podSpec: JsonObject, minReadySeconds: number, expectedStartSeconds: number, options: ModelOptions): PodReadiness {
  const containers = list(podSpec.containers).map(record);
  let startSeconds = 0;
  let readySeconds = 0;
  for (const container of containers.length > 0 ? containers : [{}]) {
    const start = containerStartSeconds(record(container.startupProbe), container.startupProbe !== undefined, expectedStartSeconds);
    const ready = containerReadySeconds(record(container.readinessProbe), container.readinessProbe !== undefined);
    if (start + ready > startSeconds + readySeconds) {
      startSeconds = start;
      readySeconds = ready;
    }
  }
  return {
    imagePullSeconds: options.imagePullSeconds,
    startSeconds,
    readySeconds,
    minReadySeconds,
    totalSeconds: options.imagePullSeconds + startSeconds + readySeconds + minReadySeconds,
  };
}

function containerStartSeconds(probe: JsonObject, hasProbe: boolean, expectedStartSeconds: number): number {
  if (!hasProbe) {
    return expectedStartSeconds;
  }
  const firstProbeAfterStart = delay(probe) + period(probe) * Math.ceil(Math.max(0, expectedStartSeconds - delay(probe)) / period(probe));
  return Math.min(firstProbeAfterStart, startupFailureBoundSeconds(probe));
}

function containerReadySeconds(probe: JsonObject, hasProbe: boolean): number {
  if (!hasProbe) {
    return 0;
  }
  return delay(probe) + period(probe) * (numberOf(probe.successThreshold) ?? PROBE_DEFAULTS.successThreshold);
}

function delay(probe: JsonObject): number {
  return numberOf(probe.initialDelaySeconds) ?? PROBE_DEFAULTS.initialDelaySeconds;
}

function period(probe: JsonObject): number {
  return numberOf(probe.periodSeconds) ?? PROBE_DEFAULTS.periodSeconds;
}
