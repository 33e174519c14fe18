import * as fs from 'fs';
import * as path from 'path';
import { readThroughParseCache } from '../../../tools/validation/schema/parsed-schema-cache';
import { tempDirsRemovedAfterAll } from '../../support/files';

/** Temporary folders of this file, removed after it (also when a test fails). */
const makeTempDir = tempDirsRemovedAfterAll();

describe('the parse cache of pinned schema files', () => {
  test('parses once per content hash and then reads the stored JSON', () => {
    const cacheDir = makeTempDir('parse-cache-');
    const parse = jest.fn(() => ({ kinds: ['ScaledObject'] }));
    expect(readThroughParseCache(cacheDir, 'abc123', parse)).toEqual({ kinds: ['ScaledObject'] });
    expect(readThroughParseCache(cacheDir, 'abc123', parse)).toEqual({ kinds: ['ScaledObject'] });
    expect(parse).toHaveBeenCalledTimes(1);
    expect(fs.existsSync(path.join(cacheDir, 'parsed', 'abc123.json'))).toBe(true);
  });

  test('still returns the parse when the cache cannot be written', () => {
    const blocker = path.join(makeTempDir('parse-cache-'), 'file');
    fs.writeFileSync(blocker, 'not a folder');
    expect(readThroughParseCache(blocker, 'abc123', () => 42)).toBe(42);
  });
});
