import { resolveIntOrPercent } from './durations';
import { JsonObject, numberOf, record } from './json';
import { PodReadiness } from './pod-readiness';
import { TimeCategory, TimeComponent } from './release-estimate';

/** RollingUpdate: ceil(replicas / (maxSurge + maxUnavailable)) batches of new pods; Recreate: old pods stop, then one batch. */
export function deploymentRollout(strategySpec: JsonObject, type: string, replicas: number, pod: PodReadiness, podSpec: JsonObject): TimeComponent {
  if (type === 'Recreate') {
    const grace = numberOf(podSpec.terminationGracePeriodSeconds) ?? 30;
    return { category: TimeCategory.ROLLOUT, seconds: grace + pod.totalSeconds, detail: `old pods stop (${grace} s) + 1 batch x ${pod.totalSeconds} s` };
  }
  const rolling = record(strategySpec.rollingUpdate);
  const perBatch = podsPerBatch(rolling.maxSurge, rolling.maxUnavailable, replicas);
  const batches = Math.ceil(replicas / perBatch);
  return { category: TimeCategory.ROLLOUT, seconds: batches * pod.totalSeconds, detail: `${batches} batch(es) of ${perBatch} x ${pod.totalSeconds} s` };
}

/** New pods per round of a rolling replacement: maxSurge (rounded up) + maxUnavailable (rounded down), at least 1. */
export function podsPerBatch(maxSurge: unknown, maxUnavailable: unknown, replicas: number): number {
  return Math.max(1, resolveIntOrPercent(maxSurge, replicas, '25%', true) + resolveIntOrPercent(maxUnavailable, replicas, '25%', false));
}
