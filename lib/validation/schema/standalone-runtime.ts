import type { ErrorObject } from 'ajv';
import equal from 'ajv/dist/runtime/equal';
import ucs2length from 'ajv/dist/runtime/ucs2length';
import * as formats from 'ajv-formats/dist/formats';
import { GO_REGEXP_MODULE, goRegExp } from './go-regexp';

/** A strict validator: Ajv's compiled function or one loaded from its standalone code. */
export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/**
 * Everything Ajv's standalone code may `require`: Ajv's runtime helpers (string length, deep
 * equality), the ajv-formats format functions (`code.formats`) and the Go regexp engine
 * (`code.regExp`). Generated code gets exactly these modules, whatever folder it was read from,
 * and nothing else: a `require` of any other id fails the load.
 */
const STANDALONE_MODULES: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['ajv/dist/runtime/equal', { default: equal }],
  ['ajv/dist/runtime/ucs2length', { default: ucs2length }],
  ['ajv-formats/dist/formats', formats],
  [GO_REGEXP_MODULE, { goRegExp }],
]);

function standaloneRequire(id: string): unknown {
  const loaded = STANDALONE_MODULES.get(id);
  if (loaded === undefined) {
    throw new Error(`standalone validator code requires "${id}", which the schema runtime does not provide`);
  }
  return loaded;
}

/**
 * Evaluates the CommonJS module Ajv's `standaloneCode` generated for one validator and returns the
 * validator it exports. Throws when the code does not evaluate to a function.
 */
export function loadStandaloneValidator(code: string): SchemaValidator {
  const module = { exports: {} as unknown };
  new Function('require', 'module', 'exports', code)(standaloneRequire, module, module.exports);
  if (typeof module.exports !== 'function') {
    throw new Error('standalone validator code does not export a function');
  }
  return module.exports as SchemaValidator;
}
