import { EnvironmentScope } from './environment-scope';
import { ManifestObject } from './manifest';
import { PodTemplate, podTemplatesOf, runsPodsElsewhere } from './pod-templates';
import { Rule, RuleDescription, RuleViolation } from './rule';

/**
 * A rule about the pod a workload runs; objects without a pod template pass. A rule that looks up
 * objects in the pod's namespace (`inPodNamespace`) skips pods whose namespace is not the object's.
 */
export function podRule(
  description: RuleDescription,
  checkPod: (pod: PodTemplate, object: ManifestObject, scope: EnvironmentScope) => RuleViolation[],
  options: { readonly inPodNamespace?: boolean } = {},
): Rule {
  return {
    ...description,
    check: (object, scope) => (options.inPodNamespace && runsPodsElsewhere(object) ? [] : podTemplatesOf(object).flatMap((pod) => checkPod(pod, object, scope))),
  };
}

/** A rule about objects of some kinds; objects of other kinds pass. */
export function kindRule(
  description: RuleDescription,
  kinds: readonly string[],
  checkObject: (object: ManifestObject, scope: EnvironmentScope) => RuleViolation[],
): Rule {
  return {
    ...description,
    check: (object, scope) => (kinds.includes(object.kind) ? checkObject(object, scope) : []),
  };
}
