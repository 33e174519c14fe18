import { ErrorObject } from 'ajv';
import { formatPath, PathSegment, segmentsOfPointer } from '../json-path';
import { ManifestObject } from '../manifest';
import { RuleHit } from '../rule';
import { SchemaRegistry } from './schema-registry';

/** Validates one object against its strict schema; an object whose kind has no schema is a hit too. */
export function checkSchema(object: ManifestObject, registry: SchemaRegistry): RuleHit[] {
  const validator = registry.validatorFor(object.apiVersion, object.kind);
  if (!validator) {
    return [
      {
        ruleId: 'SCHEMA-NO-SCHEMA',
        path: ['kind'],
        message: `no pinned schema for apiVersion "${object.apiVersion}" kind "${object.kind}"`,
      },
    ];
  }
  if (validator(object.body)) {
    return [];
  }
  const unique = new Map<string, RuleHit>();
  for (const hit of (validator.errors ?? []).map((error) => toHit(error, object.body))) {
    unique.set(`${hit.ruleId} ${formatPath(hit.path ?? [])} ${hit.message}`, hit);
  }
  return [...unique.values()];
}

function toHit(error: ErrorObject, body: unknown): RuleHit {
  const path = segmentsOfPointer(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return { ruleId: 'SCHEMA-UNKNOWN-FIELD', path: [...path, String(params.additionalProperty)], message: `unknown field "${String(params.additionalProperty)}"` };
    case 'required':
      return { ruleId: 'SCHEMA-REQUIRED', path: [...path, String(params.missingProperty)], message: `required field "${String(params.missingProperty)}" is missing` };
    case 'type':
      return { ruleId: 'SCHEMA-TYPE', path, message: `must be ${[params.type].flat().join(' or ')}, got ${describeValue(valueAt(body, path))}` };
    case 'enum':
      return {
        ruleId: 'SCHEMA-ENUM',
        path,
        message: `must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}, got ${describeValue(valueAt(body, path))}`,
      };
    default:
      return { ruleId: 'SCHEMA-CONSTRAINT', path, message: `${error.message ?? 'fails the schema'} (${error.keyword}), got ${describeValue(valueAt(body, path))}` };
  }
}

function valueAt(body: unknown, path: readonly PathSegment[]): unknown {
  let node = body;
  for (const segment of path) {
    node = typeof node === 'object' && node !== null ? (node as Record<string | number, unknown>)[segment] : undefined;
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value === 'object') {
    return 'an object';
  }
  return `${typeof value} ${JSON.stringify(value)}`;
}
