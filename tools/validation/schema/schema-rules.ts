import { RuleDescription } from '../rule';

export const SCHEMA_RULES: readonly RuleDescription[] = [
  {
    id: 'SCHEMA-NO-SCHEMA',
    requirement: 'apiVersion/kind is a Kubernetes 1.27 kind or a served version of a pinned CRD',
    fix: 'Correct apiVersion/kind, or pin the CRD that defines the kind in schemas.lock.json.',
  },
  {
    id: 'SCHEMA-UNKNOWN-FIELD',
    requirement: 'every field is declared by the schema, at any depth (kubeconform -strict)',
    fix: 'Remove the field or correct its spelling and indentation.',
  },
  {
    id: 'SCHEMA-TYPE',
    requirement: 'every value has the type the schema declares',
    fix: 'Write the value with the type the message names (e.g. 8080, not "8080").',
  },
  {
    id: 'SCHEMA-REQUIRED',
    requirement: 'every field the schema marks required is present',
    fix: 'Add the missing field.',
  },
  {
    id: 'SCHEMA-ENUM',
    requirement: 'enumerated fields hold one of the allowed values',
    fix: 'Use one of the values the message lists.',
  },
  {
    id: 'SCHEMA-CONSTRAINT',
    requirement: 'values meet the schema format, pattern, range, length and count constraints',
    fix: 'Change the value so it meets the constraint the message names.',
  },
];
