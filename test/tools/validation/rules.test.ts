import { OBJECT_RULES } from '../../../tools/validation/rules';
import { SCHEMA_RULES } from '../../../tools/validation/schema/schema-rules';
import { compliantPlatform } from './support/builders';
import { findingsOf, ruleIdsOf } from './support/platform-fixtures';
import { ALL_CASES, RuleCase } from './support/rule-cases';

async function ruleIdsAfter(mutate: RuleCase['mutate']): Promise<string[]> {
  const objects = compliantPlatform();
  mutate(objects);
  return ruleIdsOf(await findingsOf(objects));
}

/** The unchanged compliant platform's rule ids: the same for every case, so validated once per file. */
let compliantRuleIds: Promise<string[]> | undefined;
const ruleIdsOfCompliantPlatform = () => (compliantRuleIds ??= ruleIdsAfter(() => undefined));

describe('every schema, policy and cross-reference rule', () => {
  test('has a case below', () => {
    const covered = new Set(ALL_CASES.map((ruleCase) => ruleCase.ruleId));
    expect([...SCHEMA_RULES, ...OBJECT_RULES].map((rule) => rule.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  test.each(ALL_CASES)('$ruleId passes the compliant platform and reports $breaks', async ({ ruleId, mutate }) => {
    expect(await ruleIdsOfCompliantPlatform()).not.toContain(ruleId);
    expect(await ruleIdsAfter(mutate)).toContain(ruleId);
  });
});
