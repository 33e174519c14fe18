import { EnvironmentConfig } from '../lib/config/environment-config';
import { previewFolder, renderEnvironments, renderPreviews } from './render';
import { writeDirectoryAtomically } from './write-directory-atomically';

export interface SynthesizeOptions {
  /** Folder to write into, e.g. `dist`. */
  readonly outDir: string;
  /**
   * Environments to render; the others' folders in `outDir` are kept.
   * @default - all environments, and `outDir` holds nothing else afterwards
   */
  readonly environments?: readonly string[];
  /**
   * The environment configs by name.
   * @default ENVIRONMENTS (lib/config/environments)
   */
  readonly registry?: Readonly<Record<string, EnvironmentConfig>>;
  /**
   * Render these previews (`preview-<id>/` each) instead of the environments; other folders are kept.
   * @default - no previews
   */
  readonly previews?: readonly string[];
  /**
   * Stops the synth before anything in `outDir` changes (see writeDirectoryAtomically).
   * @default - never stopped
   */
  readonly signal?: AbortSignal;
}

export interface SynthesizeResult {
  readonly files: readonly string[];
}

/**
 * Validates the configs, renders every object in memory and only then replaces the output
 * folder: a wrong config, a failing construct or an interruption leaves the previous output untouched.
 */
export async function synthesize(options: SynthesizeOptions): Promise<SynthesizeResult> {
  if (options.previews && options.previews.length > 0) {
    const files = renderPreviews(options.previews);
    await writeDirectoryAtomically(options.outDir, files, { replaceFolders: options.previews.map(previewFolder), signal: options.signal });
    return { files: [...files.keys()].sort() };
  }
  const files = renderEnvironments(options.environments, options.registry);
  await writeDirectoryAtomically(options.outDir, files, { replaceFolders: options.environments, signal: options.signal });
  return { files: [...files.keys()].sort() };
}
