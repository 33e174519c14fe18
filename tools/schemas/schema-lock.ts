import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { defaultAddonMirrorDir } from '../addons/addon-lock';

/** One pinned schema input: where it comes from upstream and what its bytes must hash to. */
export interface SchemaLockEntry {
  /** Path of the file inside the mirror folder, e.g. `keda-2.13.1/keda.sh_scaledobjects.yaml`. */
  readonly path: string;
  /** Upstream URL at a pinned tag or commit. */
  readonly url: string;
  /** Lower-case hex sha256 of the file's bytes. */
  readonly sha256: string;
  /** Why the pinned bytes differ from the upstream URL's, where they do. */
  readonly note?: string;
  /**
   * Path of the same bytes inside the add-on mirror (`<owner>+<repo>/<tag>/<path>`, addons.lock.json), for a
   * CRD that an add-on's pinned source tree ships and the schema mirror does not hold (e.g. External Secrets'
   * Password generator). Checked against `sha256` like any other copy.
   */
  readonly addonMirrorPath?: string;
}

export interface SchemaLock {
  readonly files: readonly SchemaLockEntry[];
}

/** Environment variable that points at a local mirror of the pinned schema files. */
export const SCHEMA_MIRROR_ENV = 'GENERATOR_PLATFORM_SCHEMA_MIRROR';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const SCHEMA_LOCK_FILE = path.join(PROJECT_ROOT, 'schemas.lock.json');

/** The mirror folder: `$GENERATOR_PLATFORM_SCHEMA_MIRROR`, else `../shared/crds` beside the repository. */
export function defaultMirrorDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env[SCHEMA_MIRROR_ENV] ?? path.join(PROJECT_ROOT, '..', 'shared', 'crds'));
}

/** Cache for files downloaded from their upstream URL when no mirror holds them. */
export const SCHEMA_CACHE_DIR = path.join(PROJECT_ROOT, '.cache', 'schemas');

export function readSchemaLock(file: string = SCHEMA_LOCK_FILE): SchemaLock {
  const lock = JSON.parse(fs.readFileSync(file, 'utf8')) as SchemaLock;
  if (!Array.isArray(lock.files)) {
    throw new Error(`${file}: expected a "files" array of { path, url, sha256 } entries`);
  }
  return lock;
}

export function sha256Of(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Finds the lock entry for an upstream URL or a mirror path. */
export function findLockEntry(lock: SchemaLock, urlOrPath: string): SchemaLockEntry {
  const entry = lock.files.find((f) => f.url === urlOrPath || f.path === urlOrPath);
  if (!entry) {
    throw new Error(`${urlOrPath} is not pinned in schemas.lock.json: add an entry with its upstream URL and sha256`);
  }
  return entry;
}

export interface ResolveOptions {
  /** @default defaultMirrorDir() */
  readonly mirrorDir?: string;
  /** Where entries with an `addonMirrorPath` are also looked for. @default defaultAddonMirrorDir() */
  readonly addonMirrorDir?: string;
  /** @default SCHEMA_CACHE_DIR */
  readonly cacheDir?: string;
}

/**
 * Returns the local path of a pinned file after checking its sha256: from the mirror, else from the
 * download cache. A checksum mismatch is always an error, never a warning.
 */
export function resolveLockedFile(entry: SchemaLockEntry, options: ResolveOptions = {}): string {
  const local = findLocalCopy(entry, options);
  if (!local) {
    throw new Error(
      `${entry.path} is in neither the mirror ${options.mirrorDir ?? defaultMirrorDir()} nor the cache ` +
        `${options.cacheDir ?? SCHEMA_CACHE_DIR}: set ${SCHEMA_MIRROR_ENV} to a folder that holds it, ` +
        'or run with network access so that it is downloaded',
    );
  }
  return local;
}

/** Like `resolveLockedFile`, but downloads the pinned upstream URL into the cache when no local copy exists. */
export async function fetchLockedFile(
  entry: SchemaLockEntry,
  options: ResolveOptions & { readonly download?: (url: string) => Promise<Buffer> } = {},
): Promise<string> {
  const local = findLocalCopy(entry, options);
  if (local) {
    return local;
  }
  const download = options.download ?? downloadUrl;
  const data = await download(entry.url);
  verifyChecksum(entry, entry.url, data);
  const target = path.join(options.cacheDir ?? SCHEMA_CACHE_DIR, entry.path);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, data);
  return target;
}

function findLocalCopy(entry: SchemaLockEntry, options: ResolveOptions): string | undefined {
  const mirrorDir = options.mirrorDir ?? defaultMirrorDir();
  const cacheDir = options.cacheDir ?? SCHEMA_CACHE_DIR;
  const addonCopy = entry.addonMirrorPath === undefined ? [] : [path.join(options.addonMirrorDir ?? defaultAddonMirrorDir(), entry.addonMirrorPath)];
  for (const candidate of [path.join(mirrorDir, entry.path), ...addonCopy, path.join(cacheDir, entry.path)]) {
    if (fs.existsSync(candidate)) {
      verifyChecksum(entry, candidate, fs.readFileSync(candidate));
      return candidate;
    }
  }
  return undefined;
}

async function downloadUrl(url: string): Promise<Buffer> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`download of ${url} failed: HTTP ${response.status}`);
  }
  return Buffer.from(await response.arrayBuffer());
}

function verifyChecksum(entry: SchemaLockEntry, source: string, data: Buffer): void {
  const actual = sha256Of(data);
  if (actual !== entry.sha256) {
    throw new Error(
      `checksum mismatch for ${entry.path} (read from ${source}): expected sha256 ${entry.sha256}, got ${actual}. ` +
        'Re-vendor the file from its pinned upstream URL, or update schemas.lock.json deliberately.',
    );
  }
}
