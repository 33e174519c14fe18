import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { loadStandaloneValidator, SchemaValidator } from './standalone-runtime';

/**
 * Version of the cache file layout and of how a cached validator is loaded. Part of every key:
 * bump it when either changes, so files of the old layout are never read.
 */
export const COMPILED_VALIDATOR_FORMAT = 1;

const HEADER = '// generator-platform-k8s compiled validator';

/**
 * The cache key of one compiled validator: the sha256 of the JSON of everything that determines
 * the code Ajv generates for it. `inputs` must be plain JSON data built in a fixed order.
 */
export function compiledValidatorKey(inputs: unknown): string {
  return sha256(JSON.stringify([COMPILED_VALIDATOR_FORMAT, inputs]));
}

/** `<kind>@<apiVersion>@<key>.js`: the key decides, the kind and apiVersion are for people. */
export function compiledValidatorFile(dir: string, apiVersion: string, kind: string, key: string): string {
  return path.join(dir, `${filePrefix(apiVersion, kind)}${key}.js`);
}

/**
 * The validator stored under `file`, or undefined when there is none or it cannot be trusted: the
 * header must name `key` and the sha256 of the code that follows it, and the code must evaluate to
 * a function. A file that fails any check is ignored (and later overwritten), never an error.
 */
export function readCompiledValidator(file: string, key: string): SchemaValidator | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const newline = text.indexOf('\n');
  const expected = headerPrefix(key);
  if (newline < 0 || !text.startsWith(expected)) {
    return undefined;
  }
  const code = text.slice(newline + 1);
  const codeSha256 = sha256(code);
  if (text.slice(expected.length, newline) !== codeSha256) {
    return undefined;
  }
  try {
    return loadStandaloneValidator(code, codeCacheFileOf(file, codeSha256));
  } catch {
    return undefined;
  }
}

/**
 * V8's code cache of a compiled validator file (see `loadStandaloneValidator`), beside it. V8 checks
 * only the length of the source a cache was made for, so the name carries the code's sha256: a
 * cache can never be applied to other code.
 */
export function codeCacheFileOf(file: string, codeSha256: string): string {
  return `${file}.${codeSha256}.v8`;
}

/**
 * Stores standalone code under `file` atomically (a temporary file renamed over it, so a reader
 * sees the old file, the new one or none) and removes the files of the same kind with other keys.
 * Returns false when the cache cannot be written: a read-only checkout still validates, it only
 * compiles every time.
 */
export function writeCompiledValidator(file: string, key: string, code: string): boolean {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temporary, `${headerPrefix(key)}${sha256(code)}\n${code}`);
    fs.renameSync(temporary, file);
  } catch {
    removeQuietly(temporary);
    return false;
  }
  removeOtherKeys(file);
  removeCodeCaches(file, codeCacheFileOf(file, sha256(code)));
  return true;
}

/** Files of the same apiVersion and kind under other keys can never be read again. */
function removeOtherKeys(file: string): void {
  const dir = path.dirname(file);
  const name = path.basename(file);
  const prefix = name.slice(0, name.lastIndexOf('@') + 1);
  try {
    for (const entry of fs.readdirSync(dir)) {
      if (!entry.startsWith(name) && entry.startsWith(prefix) && (entry.endsWith('.js') || entry.endsWith('.v8'))) {
        removeQuietly(path.join(dir, entry));
      }
    }
  } catch {
    // Only disk space is at stake.
  }
}

/** Code caches of `file` made for other code than the current one. */
function removeCodeCaches(file: string, keep: string): void {
  const dir = path.dirname(file);
  const name = path.basename(file);
  try {
    for (const entry of fs.readdirSync(dir)) {
      if (entry.startsWith(`${name}.`) && entry.endsWith('.v8') && entry !== path.basename(keep)) {
        removeQuietly(path.join(dir, entry));
      }
    }
  } catch {
    // Only disk space is at stake.
  }
}

function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // Only disk space is at stake.
  }
}

function filePrefix(apiVersion: string, kind: string): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9.-]/g, '_');
  return `${safe(kind)}@${safe(apiVersion)}@`;
}

function headerPrefix(key: string): string {
  return `${HEADER} v${COMPILED_VALIDATOR_FORMAT} key=${key} sha256=`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
