import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from './addon-lock';

/** Where rendered add-ons are kept between runs (git-ignored, like `.cache/schemas`). */
export const RENDER_CACHE_DIR = path.join(PROJECT_ROOT, '.cache', 'addons');

const FORMAT_VERSION = 1;
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/** Modules outside tools/addons whose code shapes a render (directory globs, kustomization names, field readers). */
const SHARED_SOURCES: readonly string[] = ['../validation/cross-references/argocd-references.ts', '../validation/load-manifests.ts', '../validation/json-access.ts'];

let codeHash: string | undefined;

/**
 * The sha256 of everything that shapes a render besides its inputs: the renderer's own source
 * (tools/addons/*.ts and the SHARED_SOURCES it uses), the versions of the helm and kubectl layer and of the YAML library, and a
 * format version. A change to any of them misses every cached render.
 */
function rendererHash(): string {
  if (!codeHash) {
    const hash = createHash('sha256').update(`format ${FORMAT_VERSION}\0`);
    const own = fs.readdirSync(__dirname).filter((name) => name.endsWith('.ts'));
    for (const file of [...own, ...SHARED_SOURCES].sort()) {
      hash.update(`${file}\0`).update(fs.readFileSync(path.join(__dirname, file)));
    }
    for (const dependency of ['@aws-cdk/lambda-layer-kubectl-v27', 'yaml']) {
      hash.update(`${dependency}@${(JSON.parse(fs.readFileSync(require.resolve(`${dependency}/package.json`), 'utf8')) as { version: string }).version}\0`);
    }
    codeHash = hash.digest('hex');
  }
  return codeHash;
}

/** The cache key of a render: the renderer, plus `inputs` (the Application's source, the lock entry with its tree checksums, the API versions). */
export function renderKey(inputs: unknown): string {
  return createHash('sha256').update(rendererHash()).update(JSON.stringify(inputs)).digest('hex');
}

/**
 * Renders through the cache: a hit returns the stored YAML, a miss runs `render` and stores its
 * result (written to a temporary name and renamed, so a concurrent run reads a whole file or
 * none). A cache that cannot be read or written only means rendering again.
 */
export async function cachedRender(key: string, render: () => Promise<string>, cacheDir: string = RENDER_CACHE_DIR): Promise<{ yaml: string; cached: boolean }> {
  const file = path.join(cacheDir, `${key}.yaml`);
  try {
    const yaml = fs.readFileSync(file, 'utf8');
    fs.utimesSync(file, new Date(), new Date());
    return { yaml, cached: true };
  } catch {
    // A miss.
  }
  const yaml = await render();
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, yaml);
    fs.renameSync(temporary, file);
  } catch {
    // Not kept: the next run renders again.
  }
  return { yaml, cached: false };
}

/** Removes cached renders no run has used for a day (a hit refreshes a file's time). */
export function removeStaleRenders(cacheDir: string = RENDER_CACHE_DIR, now: number = Date.now()): void {
  let names: string[];
  try {
    names = fs.readdirSync(cacheDir);
  } catch {
    return;
  }
  for (const name of names) {
    const file = path.join(cacheDir, name);
    try {
      if (now - fs.statSync(file).mtimeMs > STALE_AFTER_MS) {
        fs.rmSync(file, { force: true });
      }
    } catch {
      // Removed by a concurrent run.
    }
  }
}
