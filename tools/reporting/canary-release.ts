import { analysisDuration, noteMissingTemplates } from './analysis';
import { ModelOptions } from './budget-constants';
import { podsPerBatch } from './deployment-release';
import { durationSeconds } from './durations';
import { JsonObject, list, numberOf, record } from './json';
import { RenderedObject } from './manifests';
import { PodReadiness } from './pod-readiness';
import { TimeCategory, TimeComponent } from './release-estimate';

/**
 * Canary: each step in order. setWeight/setCanaryScale bring canary pods up (all at once behind a
 * traffic router, else in rolling batches) and, with a traffic router, shift traffic; pauses wait
 * their duration (none: a manual promotion, unbounded); analysis steps wait for their run. After
 * the last step the canary is scaled to all replicas and takes all traffic. Background analysis
 * runs beside the steps and stops when they finish, so it adds no time.
 */
export function canaryRelease(
  workload: RenderedObject,
  spec: JsonObject,
  replicas: number,
  pod: PodReadiness,
  objects: readonly RenderedObject[],
  options: ModelOptions,
  notes: string[],
): TimeComponent[] {
  const routed = spec.trafficRouting !== undefined;
  const perBatch = podsPerBatch(spec.maxSurge, spec.maxUnavailable, replicas);
  let canaryPods = 0;
  let batches = 0;
  let switches = 0;
  let pauses = 0;
  let analysis = 0;
  const pauseDetails: string[] = [];
  const analysisDetails: string[] = [];
  const scaleTo = (target: number) => {
    const added = Math.min(target, replicas) - canaryPods;
    if (added > 0) {
      batches += routed ? 1 : Math.ceil(added / perBatch);
      canaryPods += added;
    }
  };
  list(spec.steps).map(record).forEach((step, index) => {
    const label = `step ${index + 1}`;
    if (step.setWeight !== undefined) {
      scaleTo(Math.ceil(((numberOf(step.setWeight) ?? 0) * replicas) / 100));
      switches += routed ? 1 : 0;
    } else if (step.setCanaryScale !== undefined) {
      const scale = record(step.setCanaryScale);
      const target = numberOf(scale.replicas) ?? (scale.weight !== undefined ? Math.ceil(((numberOf(scale.weight) ?? 0) * replicas) / 100) : canaryPods);
      scaleTo(target);
    } else if (step.pause !== undefined) {
      const seconds = durationSeconds(record(step.pause).duration) ?? Infinity;
      pauses += seconds;
      pauseDetails.push(Number.isFinite(seconds) ? `${seconds}` : 'manual');
      if (!Number.isFinite(seconds)) {
        notes.push(`${label}: a pause without duration waits for a manual promotion (unbounded)`);
      }
    } else if (step.analysis !== undefined) {
      const run = analysisDuration(record(step.analysis).templates, workload.namespace, objects);
      noteMissingTemplates(run.missingTemplates, label, notes);
      analysis += run.seconds;
      analysisDetails.push(`${label}: ${run.detail}`);
    } else if (step.experiment !== undefined) {
      const seconds = durationSeconds(record(step.experiment).duration) ?? Infinity;
      analysis += pod.totalSeconds + seconds;
      analysisDetails.push(`${label}: experiment ${pod.totalSeconds} s + ${Number.isFinite(seconds) ? `${seconds} s` : 'unbounded'}`);
    } else if (step.setHeaderRoute !== undefined || step.setMirrorRoute !== undefined) {
      switches += 1;
    }
  });
  scaleTo(replicas);
  switches += routed ? 1 : 0;
  const background = record(spec.analysis);
  if (background.templates !== undefined) {
    const run = analysisDuration(background.templates, workload.namespace, objects);
    noteMissingTemplates(run.missingTemplates, 'background analysis', notes);
    notes.push(`background analysis (${run.detail}) runs beside the steps from step ${(numberOf(background.startingStep) ?? 0) + 1} and stops when they finish: no time added`);
  }
  notes.push(`after the switch the old pods stay ${numberOf(spec.scaleDownDelaySeconds) ?? (routed ? 30 : 0)} s (scaleDownDelaySeconds): not user-facing, not counted`);
  return [
    { category: TimeCategory.ROLLOUT, seconds: batches * pod.totalSeconds, detail: `${batches} batch(es) x ${pod.totalSeconds} s` },
    { category: TimeCategory.PAUSES, seconds: pauses, detail: pauseDetails.length > 0 ? `pauses ${pauseDetails.join(' + ')} s` : 'no pauses' },
    { category: TimeCategory.ANALYSIS, seconds: analysis, detail: analysisDetails.join('; ') || 'no analysis steps' },
    { category: TimeCategory.SWITCH, seconds: switches * options.trafficSwitchSeconds, detail: `${switches} traffic change(s) x ${options.trafficSwitchSeconds} s` },
  ];
}
