import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { codeCacheFileOf } from '../../../tools/validation/schema/compiled-validator-cache';
import { loadStandaloneValidator } from '../../../tools/validation/schema/standalone-runtime';
import { tempDirsRemovedAfterAll } from '../../support/files';

/** Temporary folders of this file, removed after it (also when a test fails). */
const makeTempDir = tempDirsRemovedAfterAll();

/** Standalone code of a small strict schema, as the compiled-validator cache stores it. */
function codeOf(schema: object): string {
  const ajv = new Ajv({ code: { source: true }, allErrors: true, strict: false });
  return standaloneCode(ajv, ajv.compile(schema));
}

const schema = { type: 'object', properties: { port: { type: 'integer' } }, additionalProperties: false };

describe("V8's code cache of compiled validators", () => {
  test('is written after the first validation and used by the next load, with the same results', () => {
    const dir = makeTempDir('validate-code-cache-');
    const code = codeOf(schema);
    const cacheFile = codeCacheFileOf(path.join(dir, 'Kind@v1@key.js'), 'sha');
    const cold = loadStandaloneValidator(code, cacheFile);
    expect(fs.existsSync(cacheFile)).toBe(false);
    expect(cold({ port: '80' })).toBe(false);
    expect(cold.errors?.map((error) => error.instancePath)).toEqual(['/port']);
    expect(fs.existsSync(cacheFile)).toBe(true);
    const warm = loadStandaloneValidator(code, cacheFile);
    expect(warm({ port: 80 })).toBe(true);
    expect(warm({ port: 80, extra: true })).toBe(false);
    expect(warm.errors?.map((error) => error.keyword)).toEqual(['additionalProperties']);
  });

  test('a cache that does not fit is rejected and rewritten, never an error', () => {
    const dir = makeTempDir('validate-code-cache-');
    const cacheFile = path.join(dir, 'broken.v8');
    fs.writeFileSync(cacheFile, 'not a V8 code cache');
    const validator = loadStandaloneValidator(codeOf(schema), cacheFile);
    expect(validator({ port: 1 })).toBe(true);
    expect(fs.readFileSync(cacheFile, 'utf8')).not.toBe('not a V8 code cache');
  });

  test('is named by the sha256 of the code, so it never applies to other code of the same length', () => {
    expect(codeCacheFileOf('/c/Kind@v1@key.js', 'abc')).toBe('/c/Kind@v1@key.js.abc.v8');
    expect(codeCacheFileOf('/c/Kind@v1@key.js', 'abc')).not.toBe(codeCacheFileOf('/c/Kind@v1@key.js', 'abd'));
  });
});
