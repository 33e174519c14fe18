import * as fs from 'fs';
import * as path from 'path';
import { RenderedFiles } from './render';

export interface WriteOptions {
  /**
   * Top-level folders of `outDir` that `files` replace; every other folder is kept as it was.
   * @default - `files` replace the whole of `outDir`
   */
  readonly replaceFolders?: readonly string[];
}

/**
 * Writes `files` into `outDir` so that a reader sees the old folder or the new one, never a mix:
 * everything goes into a sibling staging folder first, which then takes the old folder's place.
 * Nothing touches `outDir` until every file has been written.
 */
export function writeDirectoryAtomically(outDir: string, files: RenderedFiles, options: WriteOptions = {}): void {
  const target = path.resolve(outDir);
  const staging = siblingPath(target, 'next');
  const previous = siblingPath(target, 'old');
  fs.rmSync(staging, { recursive: true, force: true });
  fs.rmSync(previous, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });

  if (options.replaceFolders && fs.existsSync(target)) {
    for (const entry of fs.readdirSync(target)) {
      if (!options.replaceFolders.includes(entry)) {
        fs.cpSync(path.join(target, entry), path.join(staging, entry), { recursive: true });
      }
    }
  }
  for (const [file, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const destination = path.join(staging, file);
    fs.mkdirSync(path.dirname(destination), { recursive: true });
    fs.writeFileSync(destination, content);
  }

  if (fs.existsSync(target)) {
    fs.renameSync(target, previous);
  }
  fs.renameSync(staging, target);
  fs.rmSync(previous, { recursive: true, force: true });
}

function siblingPath(target: string, suffix: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${suffix}`);
}
