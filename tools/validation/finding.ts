/** Identifies the object a finding is about; absent for findings about a whole file (freshness). */
export interface FindingObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly documentIndex: number;
}

/** One reason the gate fails. */
export interface Finding {
  readonly ruleId: string;
  readonly environment: string;
  readonly file: string;
  readonly object?: FindingObject;
  /** Field path inside the object, e.g. `spec.template.spec.containers[0].image`. */
  readonly path?: string;
  readonly message: string;
  /** One line: what to change. */
  readonly fix: string;
}

/** A finding suppressed by an exemption annotation, listed in the output with its reason. */
export interface AppliedExemption {
  readonly ruleId: string;
  readonly reason: string;
  readonly environment: string;
  readonly file: string;
  readonly object: FindingObject;
  /** How many findings of the rule on this object the exemption suppressed. */
  readonly suppressedFindings: number;
}
