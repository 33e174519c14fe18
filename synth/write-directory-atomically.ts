import * as fs from 'fs';
import * as path from 'path';
import { RenderedFiles } from './render';

export interface WriteOptions {
  /**
   * Top-level folders of `outDir` that `files` replace; every other folder is kept as it was.
   * @default - `files` replace the whole of `outDir`
   */
  readonly replaceFolders?: readonly string[];
  /**
   * Stops the write (e.g. on Ctrl-C) at the next file: the staging folder is removed and `outDir`
   * is left as it was. Once the new folder has taken the old one's place, the write is done.
   * @default - never stopped
   */
  readonly signal?: AbortSignal;
}

/**
 * Writes `files` into `outDir` so that a reader sees the old folder or the new one, never a mix:
 * everything goes into a sibling staging folder first, which then takes the old folder's place.
 * Nothing touches `outDir` until every file has been written; a write that fails or is stopped
 * removes its staging folder and leaves `outDir` as it was.
 */
export async function writeDirectoryAtomically(outDir: string, files: RenderedFiles, options: WriteOptions = {}): Promise<void> {
  const target = path.resolve(outDir);
  const staging = siblingPath(target, 'next');
  const previous = siblingPath(target, 'old');
  fs.rmSync(staging, { recursive: true, force: true });
  fs.rmSync(previous, { recursive: true, force: true });
  try {
    options.signal?.throwIfAborted();
    fs.mkdirSync(staging, { recursive: true });
    if (options.replaceFolders && fs.existsSync(target)) {
      for (const entry of fs.readdirSync(target)) {
        if (!options.replaceFolders.includes(entry)) {
          await fs.promises.cp(path.join(target, entry), path.join(staging, entry), { recursive: true });
        }
      }
    }
    for (const [file, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
      // Each await lets a signal handler run, so an interrupted synth stops here.
      options.signal?.throwIfAborted();
      const destination = path.join(staging, file);
      await fs.promises.mkdir(path.dirname(destination), { recursive: true });
      await fs.promises.writeFile(destination, content);
    }
    options.signal?.throwIfAborted();
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
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
