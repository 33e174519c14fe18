import { EnvironmentScope } from '../environment-scope';
import { ManifestObject } from '../manifest';
import { RuleDescription, RuleViolation } from '../rule';
import { AddonOrigin } from './addon-origin';

/** A rule about an object of a rendered add-on, which knows the Applications that render it. */
export interface AddonRule extends RuleDescription {
  check(object: ManifestObject, scope: EnvironmentScope, origin: AddonOrigin): RuleViolation[];
}
