import * as fs from 'fs';
import * as path from 'path';

/**
 * Keeps the parse of a pinned YAML file as JSON under the schema cache, keyed by the file's
 * verified sha256, because parsing the CRD YAMLs is most of the gate's start-up time. The key is
 * the content hash, so the cache can never be stale; a cache that cannot be written is skipped.
 */
export function readThroughParseCache<T>(cacheDir: string, sha256: string, parse: () => T): T {
  const cached = path.join(cacheDir, 'parsed', `${sha256}.json`);
  if (fs.existsSync(cached)) {
    return JSON.parse(fs.readFileSync(cached, 'utf8')) as T;
  }
  const value = parse();
  try {
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    fs.writeFileSync(`${cached}.${process.pid}`, JSON.stringify(value));
    fs.renameSync(`${cached}.${process.pid}`, cached);
  } catch {
    // A read-only checkout still validates; it only parses the YAML every time.
  }
  return value;
}
