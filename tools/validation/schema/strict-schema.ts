import type { FormatName } from 'ajv-formats/dist/formats';

/**
 * Turns a Kubernetes OpenAPI schema into the JSON Schema that `kubeconform -strict` effectively
 * checks against. The input is never modified: the result is a deep copy.
 *
 * - An object schema with `properties` and no `additionalProperties` gets
 *   `additionalProperties: false`, so a misspelt or misplaced field is an error at any depth.
 * - `x-kubernetes-preserve-unknown-fields: true` keeps that node open.
 * - `x-kubernetes-int-or-string: true`, and a `oneOf` of plain types (the k8s `IntOrString` and
 *   `Quantity` definitions), become a `type` list, so one bad value gives one type error
 *   instead of one per branch.
 * - `nullable: true` becomes a `null` entry in the `type` list.
 * - Descriptions, other `x-kubernetes-*` keys and formats Ajv does not know are dropped.
 */
export function toStrictSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) {
    return schema.map(toStrictSchema);
  }
  if (typeof schema !== 'object' || schema === null) {
    return schema;
  }
  const source = schema as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (DROPPED_KEYS.has(key) || key.startsWith('x-kubernetes-')) {
      continue;
    }
    if (key === 'format' && !KNOWN_FORMATS.has(String(value))) {
      continue;
    }
    if (DATA_KEYS.has(key)) {
      result[key] = value;
    } else if (SCHEMA_MAP_KEYS.has(key)) {
      result[key] = mapValues(value, toStrictSchema);
    } else {
      result[key] = toStrictSchema(value);
    }
  }
  applyIntOrString(source, result);
  applyPlainTypeOneOf(result);
  applyNullable(source, result);
  const preservesUnknownFields = source['x-kubernetes-preserve-unknown-fields'] === true;
  if (result.properties !== undefined && result.additionalProperties === undefined && !preservesUnknownFields) {
    result.additionalProperties = false;
  }
  return result;
}

/** Formats the pinned schemas use that ajv-formats checks; any other `format` is documentation only. */
export const CHECKED_FORMATS: readonly FormatName[] = ['int32', 'int64', 'float', 'double', 'byte', 'date-time'];
const KNOWN_FORMATS: ReadonlySet<string> = new Set(CHECKED_FORMATS);

const DROPPED_KEYS = new Set(['description', 'example', 'nullable']);
/** Keys whose values are data, not schemas, and must be copied as they are. */
const DATA_KEYS = new Set(['enum', 'default', 'required', 'const', 'examples']);
/** Keys whose values map names to schemas. */
const SCHEMA_MAP_KEYS = new Set(['properties', 'patternProperties', 'definitions', '$defs']);

function mapValues(value: unknown, transform: (entry: unknown) => unknown): unknown {
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, transform(entry)]));
}

function applyIntOrString(source: Record<string, unknown>, result: Record<string, unknown>): void {
  if (source['x-kubernetes-int-or-string'] === true || source.format === 'int-or-string') {
    delete result.anyOf;
    delete result.oneOf;
    result.type = ['integer', 'string'];
  }
}

function applyPlainTypeOneOf(result: Record<string, unknown>): void {
  const branches = result.oneOf;
  if (!Array.isArray(branches) || result.type !== undefined) {
    return;
  }
  const isPlainType = (branch: unknown) =>
    typeof branch === 'object' && branch !== null && Object.keys(branch).length === 1 && typeof (branch as { type?: unknown }).type === 'string';
  if (branches.every(isPlainType)) {
    delete result.oneOf;
    result.type = branches.map((branch: { type: string }) => branch.type);
  }
}

function applyNullable(source: Record<string, unknown>, result: Record<string, unknown>): void {
  if (source.nullable === true && result.type !== undefined) {
    result.type = [...(Array.isArray(result.type) ? result.type : [result.type]), 'null'];
  }
}
