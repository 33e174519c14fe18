import { analysisDuration, noteMissingTemplates } from './analysis';
import { ModelOptions } from './budget-constants';
import { JsonObject, numberOf, record } from './json';
import { RenderedObject } from './manifests';
import { PodReadiness } from './pod-readiness';
import { TimeCategory, TimeComponent } from './release-estimate';

/**
 * Blue-green: the whole preview ReplicaSet comes up at once; promotion waits for the
 * pre-promotion analysis and autoPromotionSeconds (concurrently: the longer counts), or forever
 * without auto-promotion; a preview smaller than the rollout is scaled up before the switch; then
 * the Service switch and the post-promotion analysis. The old ReplicaSet's scale-down delay comes
 * after the switch and is not part of the user-facing release.
 */
export function blueGreenRelease(
  workload: RenderedObject,
  spec: JsonObject,
  replicas: number,
  pod: PodReadiness,
  objects: readonly RenderedObject[],
  options: ModelOptions,
  notes: string[],
): TimeComponent[] {
  const preview = Math.min(numberOf(spec.previewReplicaCount) ?? replicas, replicas);
  const batches = preview < replicas ? 2 : 1;
  const pre = analysisDuration(record(spec.prePromotionAnalysis).templates, workload.namespace, objects);
  const post = analysisDuration(record(spec.postPromotionAnalysis).templates, workload.namespace, objects);
  noteMissingTemplates(pre.missingTemplates, 'prePromotionAnalysis', notes);
  noteMissingTemplates(post.missingTemplates, 'postPromotionAnalysis', notes);
  let wait: number;
  let waitDetail: string;
  if (spec.autoPromotionEnabled === false) {
    wait = Infinity;
    waitDetail = 'autoPromotionEnabled: false waits for a manual promotion';
    notes.push('autoPromotionEnabled: false: promotion is manual (unbounded)');
  } else {
    const autoPromotionSeconds = numberOf(spec.autoPromotionSeconds) ?? 0;
    wait = Math.max(0, autoPromotionSeconds - pre.seconds);
    waitDetail = `autoPromotionSeconds ${autoPromotionSeconds} s beyond the pre-promotion analysis`;
  }
  notes.push(`after the switch the old ReplicaSet stays ${numberOf(spec.scaleDownDelaySeconds) ?? 30} s (scaleDownDelaySeconds): not user-facing, not counted`);
  return [
    {
      category: TimeCategory.ROLLOUT,
      seconds: batches * pod.totalSeconds,
      detail: preview < replicas ? `preview of ${preview}, then all ${replicas}: 2 x ${pod.totalSeconds} s` : `all ${replicas} at once: ${pod.totalSeconds} s`,
    },
    { category: TimeCategory.PAUSES, seconds: wait, detail: waitDetail },
    { category: TimeCategory.ANALYSIS, seconds: pre.seconds + post.seconds, detail: [`pre: ${pre.detail || 'none'}`, `post: ${post.detail || 'none'}`].join('; ') },
    { category: TimeCategory.SWITCH, seconds: options.trafficSwitchSeconds, detail: `Service switch ${options.trafficSwitchSeconds} s` },
  ];
}
