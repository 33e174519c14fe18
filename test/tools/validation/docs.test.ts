import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../../../tools/schemas/schema-lock';
import { ALL_RULES } from '../../../tools/validation/rules';

const docs = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'validation-rules.md'), 'utf8');
const documentedIds = [...docs.matchAll(/^\| `([A-Z][A-Z0-9-]+)` \|/gm)].map((match) => match[1]);

describe('docs/validation-rules.md', () => {
  test('has a table row for every rule the gate reports', () => {
    expect(ALL_RULES.map((rule) => rule.id).filter((id) => !documentedIds.includes(id))).toEqual([]);
  });

  test('documents no rule the gate does not have, and each once', () => {
    const ids = ALL_RULES.map((rule) => rule.id);
    expect(documentedIds.filter((id) => !ids.includes(id))).toEqual([]);
    expect(new Set(documentedIds).size).toBe(documentedIds.length);
  });

  test('states each rule with the requirement and fix the findings print', () => {
    for (const rule of ALL_RULES) {
      expect(docs).toContain(`| ${rule.requirement} | ${rule.fix} |`);
    }
  });
});
