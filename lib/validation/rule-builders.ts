import { EnvironmentScope } from './environment-scope';
import { ManifestObject } from './manifest';
import { PodTemplate, podTemplatesOf } from './pod-templates';
import { Rule, RuleDescription, RuleViolation } from './rule';

/** A rule about the pod a workload runs; objects without a pod template pass. */
export function podRule(
  description: RuleDescription,
  checkPod: (pod: PodTemplate, object: ManifestObject, scope: EnvironmentScope) => RuleViolation[],
): Rule {
  return {
    ...description,
    check: (object, scope) => podTemplatesOf(object).flatMap((pod) => checkPod(pod, object, scope)),
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
