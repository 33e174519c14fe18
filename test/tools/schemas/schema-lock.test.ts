import * as fs from 'fs';
import * as path from 'path';
import { defaultMirrorDir, fetchLockedFile, findLockEntry, readSchemaLock, resolveLockedFile, SCHEMA_MIRROR_ENV, sha256Of } from '../../../tools/schemas/schema-lock';
import { tempDirsRemovedAfterAll } from '../../support/files';

/** Temporary folders of this file, removed after it (also when a test fails). */
const makeTempDir = tempDirsRemovedAfterAll();

const lock = readSchemaLock();

describe('schemas.lock.json', () => {
  test('pins every file of the mirror, each to a raw upstream URL at a tag or commit', () => {
    const mirror = defaultMirrorDir();
    const mirrored = fs.readdirSync(mirror, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => fs.readdirSync(path.join(mirror, d.name)).map((f) => `${d.name}/${f}`))
      .sort();
    // Entries with an addonMirrorPath are read from the add-on mirror; every other one from this mirror.
    expect(lock.files.filter((f) => f.addonMirrorPath === undefined).map((f) => f.path).sort()).toEqual(mirrored);
    for (const entry of lock.files) {
      expect(entry.url).toMatch(/^https:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/(v\d+\.\d+\.\d+|[0-9a-f]{40})\//);
      expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  test('every pinned file resolves from the mirror with a matching checksum', () => {
    for (const entry of lock.files) {
      expect(sha256Of(fs.readFileSync(resolveLockedFile(entry)))).toBe(entry.sha256);
    }
  });

  test("a CRD the schema mirror lacks resolves from an add-on's pinned tree (External Secrets' Password generator), checked like any other", () => {
    const entry = findLockEntry(lock, 'https://raw.githubusercontent.com/external-secrets/external-secrets/v0.9.20/config/crds/bases/generators.external-secrets.io_passwords.yaml');
    expect(entry.addonMirrorPath).toBe('external-secrets+external-secrets/helm-chart-0.9.20/config/crds/bases/generators.external-secrets.io_passwords.yaml');
    expect(fs.existsSync(path.join(defaultMirrorDir(), entry.path))).toBe(false);
    expect(resolveLockedFile(entry)).toContain(entry.addonMirrorPath);
    const addons = makeTempDir('addon-mirror-');
    fs.mkdirSync(path.dirname(path.join(addons, entry.addonMirrorPath!)), { recursive: true });
    fs.writeFileSync(path.join(addons, entry.addonMirrorPath!), 'tampered\n');
    expect(() => resolveLockedFile(entry, { addonMirrorDir: addons, cacheDir: makeTempDir('cache-') })).toThrow(`checksum mismatch for ${entry.path}`);
  });

  test('the mirror folder can be moved with an environment variable', () => {
    expect(defaultMirrorDir({ [SCHEMA_MIRROR_ENV]: '/srv/crds' })).toBe('/srv/crds');
  });

  test('fails hard on a checksum mismatch, naming the file and both hashes', () => {
    const mirror = makeTempDir('mirror-');
    const entry = findLockEntry(lock, 'keda-2.13.1/keda.sh_scaledobjects.yaml');
    fs.mkdirSync(path.join(mirror, 'keda-2.13.1'));
    fs.writeFileSync(path.join(mirror, entry.path), 'tampered\n');
    expect(() => resolveLockedFile(entry, { mirrorDir: mirror })).toThrow(
      `checksum mismatch for ${entry.path} (read from ${path.join(mirror, entry.path)}): expected sha256 ${entry.sha256}, got ${sha256Of('tampered\n')}`,
    );
  });

  test('fails on a URL that the lock does not pin', () => {
    expect(() => findLockEntry(lock, 'https://example.com/crd.yaml')).toThrow('https://example.com/crd.yaml is not pinned in schemas.lock.json');
  });

  test('downloads a missing file into the cache, and refuses a download whose checksum differs', async () => {
    const entry = findLockEntry(lock, 'keda-2.13.1/keda.sh_scaledobjects.yaml');
    const real = fs.readFileSync(resolveLockedFile(entry));
    const empty = makeTempDir('mirror-');
    const cacheDir = makeTempDir('cache-');
    const fetched = await fetchLockedFile(entry, { mirrorDir: empty, cacheDir, download: async () => real });
    expect(fetched).toBe(path.join(cacheDir, entry.path));
    expect(resolveLockedFile(entry, { mirrorDir: empty, cacheDir })).toBe(fetched);

    const otherCache = makeTempDir('cache-');
    await expect(fetchLockedFile(entry, { mirrorDir: empty, cacheDir: otherCache, download: async () => Buffer.from('wrong') })).rejects.toThrow(/checksum mismatch/);
    expect(fs.existsSync(path.join(otherCache, entry.path))).toBe(false);
  });
});
