import { PathSegment } from './json-path';
import { ManifestObject } from './manifest';
import { EnvironmentScope } from './environment-scope';

/** What the docs table and every finding say about a rule. */
export interface RuleDescription {
  /** Stable id, prefixed by family: `SCHEMA-`, `PSS-RESTRICTED-`, `KUBE-LINTER-`, `POLARIS-`, `KUBE-SCORE-`, `XREF-`, ... */
  readonly id: string;
  /** One line: what the rule requires. */
  readonly requirement: string;
  /** One line: how to fix a finding. */
  readonly fix: string;
}

/** One place where an object breaks a rule. */
export interface RuleViolation {
  readonly path?: readonly PathSegment[];
  readonly message: string;
}

/** A policy or cross-reference rule: checks one object, seeing the other objects of its environment. */
export interface Rule extends RuleDescription {
  check(object: ManifestObject, scope: EnvironmentScope): RuleViolation[];
}

/** A violation of a rule that is chosen while checking, as schema errors are. */
export interface RuleHit extends RuleViolation {
  readonly ruleId: string;
}
