import { AppliedExemption, Finding } from './finding';
import { record } from './json-access';
import { ManifestObject } from './manifest';
import { RuleDescription } from './rule';

/** `validation.generator-platform.dev/exempt: "RULE-ID: reason; RULE-ID-2: reason"` */
export const EXEMPTION_ANNOTATION = 'validation.generator-platform.dev/exempt';

export const EXEMPTION_RULES: readonly RuleDescription[] = [
  {
    id: 'EXEMPTION-INVALID',
    requirement: `every entry of the ${EXEMPTION_ANNOTATION} annotation is "RULE-ID: reason" naming an exemptable rule`,
    fix: 'Write "RULE-ID: why this object may break the rule"; schema, freshness and exemption rules cannot be exempted.',
  },
  {
    id: 'EXEMPTION-UNUSED',
    requirement: 'every exemption suppresses at least one finding on its object',
    fix: 'Remove the exemption: the object no longer breaks that rule.',
  },
];

const NOT_EXEMPTABLE = /^(SCHEMA|FRESHNESS|EXEMPTION)-/;

interface ParsedEntry {
  readonly ruleId: string;
  readonly reason: string;
}

/** Splits the annotation value into entries; an entry without a reason keeps an empty one. */
export function parseExemptionAnnotation(value: string): ParsedEntry[] {
  return value
    .split(';')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const colon = entry.indexOf(':');
      return colon < 0 ? { ruleId: entry, reason: '' } : { ruleId: entry.slice(0, colon).trim(), reason: entry.slice(colon + 1).trim() };
    });
}

export interface ExemptionOutcome {
  readonly findings: Finding[];
  readonly exemptions: AppliedExemption[];
}

/**
 * Removes the findings an object's exemption annotation names, and reports malformed or unused
 * exemptions as findings of their own.
 */
export function applyExemptions(objects: readonly ManifestObject[], findings: readonly Finding[], knownRuleIds: ReadonlySet<string>, describe: (id: string) => RuleDescription): ExemptionOutcome {
  let remaining = [...findings];
  const problems: Finding[] = [];
  const exemptions: AppliedExemption[] = [];
  for (const object of objects) {
    const value = record(record(object.body.metadata).annotations)[EXEMPTION_ANNOTATION];
    if (typeof value !== 'string') {
      continue;
    }
    const objectRef = { apiVersion: object.apiVersion, kind: object.kind, name: object.name, namespace: object.namespace, documentIndex: object.documentIndex };
    const problem = (ruleId: string, message: string): Finding => ({
      ruleId,
      environment: object.environment,
      file: object.file,
      object: objectRef,
      path: `metadata.annotations["${EXEMPTION_ANNOTATION}"]`,
      message,
      fix: describe(ruleId).fix,
    });
    for (const entry of parseExemptionAnnotation(value)) {
      if (!knownRuleIds.has(entry.ruleId) || NOT_EXEMPTABLE.test(entry.ruleId)) {
        problems.push(problem('EXEMPTION-INVALID', `${entry.ruleId} is not an exemptable rule id`));
        continue;
      }
      if (!entry.reason) {
        problems.push(problem('EXEMPTION-INVALID', `the exemption of ${entry.ruleId} gives no reason`));
        continue;
      }
      const isExempted = (finding: Finding) => finding.ruleId === entry.ruleId && finding.file === object.file && finding.object?.documentIndex === object.documentIndex;
      const suppressed = remaining.filter(isExempted).length;
      if (suppressed === 0) {
        problems.push(problem('EXEMPTION-UNUSED', `the exemption of ${entry.ruleId} suppresses nothing`));
        continue;
      }
      remaining = remaining.filter((finding) => !isExempted(finding));
      exemptions.push({ ruleId: entry.ruleId, reason: entry.reason, environment: object.environment, file: object.file, object: objectRef, suppressedFindings: suppressed });
    }
  }
  return { findings: [...remaining, ...problems], exemptions };
}
