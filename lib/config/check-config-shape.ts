import { distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { ConfigError } from './config-error';
import { definingFile } from './config-source';
import { environmentConfigSchema } from './environment-config-schema';

/** Where a config block's fields are declared and documented. */
const TYPES_FILE = 'lib/config/environment-config.ts';

/**
 * Checks that `config` has exactly the shape of EnvironmentConfig: no unknown key (a misspelt
 * field would otherwise be ignored and its default used), no missing block, every value of its
 * type and within sane bounds. Throws the ConfigError of the first problem, structural ones (an
 * unknown or missing key) before wrong values, so the one line names the mistake that explains
 * the others.
 */
export function checkConfigShape(config: unknown, environment: string): void {
  const result = environmentConfigSchema.safeParse(config);
  if (result.success) {
    return;
  }
  const rank = (issue: z.core.$ZodIssue) => (issue.code === 'unrecognized_keys' ? 0 : valueAt(config, issue.path) === undefined ? 1 : 2);
  const issue = [...result.error.issues].sort((a, b) => rank(a) - rank(b))[0];
  throw configErrorOf(issue, config, environment);
}

function configErrorOf(issue: z.core.$ZodIssue, config: unknown, environment: string): ConfigError {
  const parent = fieldName(issue.path);
  const at = (field: string, value: unknown, problem: string, fix: string) =>
    new ConfigError(environment, field, value, problem, `${fix} (in ${definingFile(environment, field)})`);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const field = parent === '' ? key : `${parent}.${key}`;
    const known = Object.keys(valueAt(config, issue.path) as object).filter((k) => !issue.keys.includes(k));
    const declared = declaredKeys(issue.path);
    const suggestion = closest(key, declared.filter((k) => !known.includes(k))) ?? closest(key, declared);
    const where = parent === '' ? 'an environment config' : parent;
    return at(field, valueAt(config, [...issue.path, key]), `not a field of ${where}, so it would be ignored`,
      suggestion ? `rename it to ${suggestion}` : `remove it (${TYPES_FILE} declares the fields)`);
  }
  const field = parent;
  const value = valueAt(config, issue.path);
  if (value === undefined) {
    return at(field, value, 'missing', `add it (EnvironmentConfig in ${TYPES_FILE} declares and documents it)`);
  }
  const [problem, fix] = problemAndFix(issue, field);
  return at(field, value, problem, fix);
}

function problemAndFix(issue: z.core.$ZodIssue, field: string): [string, string] {
  switch (issue.code) {
    case 'too_big':
      return [`above the sane maximum of ${String(issue.maximum)}`, `set ${field} to the real amount (a digit too many?)`];
    case 'too_small':
      return [`below the minimum of ${String(issue.minimum)}`, `set ${field} to a positive amount`];
    case 'invalid_type':
      return issue.expected === 'int' ? ['not a whole number', `set ${field} to a whole number`] : [`not a ${issue.expected}`, `write ${field} as a ${issue.expected}, without quotes`];
    case 'invalid_value':
      return ['not an allowed value', `use one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`];
    case 'invalid_union':
      return ['not one of the allowed kinds', `see the kinds ${TYPES_FILE} and lib/config/security-config.ts declare`];
    case 'custom':
      return ['not built by its factory', issue.message.replace(/^expected /, 'use ')];
    default:
      return [issue.message.replace(/^Invalid input: /, ''), `see ${TYPES_FILE}`];
  }
}

/** `a.b[2].c` for the path `['a', 'b', 2, 'c']`. */
function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>((name, key) => (typeof key === 'number' ? `${name}[${key}]` : name === '' ? String(key) : `${name}.${String(key)}`), '');
}

function valueAt(config: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined), config);
}

/** The keys the schema declares for the object at `path`. */
function declaredKeys(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType = environmentConfigSchema;
  for (const key of path) {
    schema = unwrap(schema);
    const shape = (schema as { shape?: Record<string, z.core.$ZodType> }).shape;
    const element = (schema as { element?: z.core.$ZodType }).element;
    const next = typeof key === 'number' ? element : shape?.[String(key)];
    if (next === undefined) {
      return [];
    }
    schema = next;
  }
  return Object.keys((unwrap(schema) as { shape?: object }).shape ?? {});
}

/** The schema inside `.readonly()` and `.optional()`. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (let inner = innerOf(current); inner !== undefined; inner = innerOf(current)) {
    current = inner;
  }
  return current;
}

function innerOf(schema: z.core.$ZodType): z.core.$ZodType | undefined {
  const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType };
  return def.type === 'readonly' || def.type === 'optional' ? def.innerType : undefined;
}

/** The declared key nearest to a misspelt `key` (edit distance at most a third of its length), if any. */
export function closest(key: string, declared: readonly string[]): string | undefined {
  const scored = declared.map((candidate) => ({ candidate, distance: distance(key.toLowerCase(), candidate.toLowerCase()) }));
  const best = scored.sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))[0];
  return best !== undefined && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.candidate : undefined;
}
