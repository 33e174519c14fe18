import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
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
 *
 * With `codeCacheFile`, V8's code cache for the code is read from that file (and written there
 * when missing or rejected), so a later run skips parsing the megabytes of generated code. V8
 * accepts a cache only for the same source text and V8 build; a rejected, unreadable or
 * unwritable cache only means parsing again.
 */
export function loadStandaloneValidator(code: string, codeCacheFile?: string): SchemaValidator {
  const module = { exports: {} as unknown };
  const source = `(function (require, module, exports) {\n${code}\n})`;
  const cachedData = codeCacheFile ? readQuietly(codeCacheFile) : undefined;
  const script = new vm.Script(source, { filename: codeCacheFile ? path.basename(codeCacheFile, '.v8') : 'standalone-validator.js', cachedData });
  (script.runInThisContext() as (require: unknown, module: unknown, exports: unknown) => void)(standaloneRequire, module, module.exports);
  if (typeof module.exports !== 'function') {
    throw new Error('standalone validator code does not export a function');
  }
  const validator = module.exports as SchemaValidator;
  if (!codeCacheFile || (cachedData !== undefined && script.cachedDataRejected !== true)) {
    return validator;
  }
  // Made after the first validation, the cache also holds the functions that validation compiled.
  const firstUse: SchemaValidator = (data: unknown) => {
    const valid = validator(data);
    firstUse.errors = validator.errors;
    if (!written) {
      written = true;
      writeQuietly(codeCacheFile, script.createCachedData());
    }
    return valid;
  };
  let written = false;
  return firstUse;
}

function readQuietly(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Written to a temporary name and renamed, so a concurrent run reads a whole cache or none. */
function writeQuietly(file: string, data: Buffer): void {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(temporary, data);
    fs.renameSync(temporary, file);
  } catch {
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // Only disk space is at stake.
    }
  }
}
