import { EnvironmentConfig } from '../config/environment-config';
import { renderEnvironments } from './render';
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
}

export interface SynthesizeResult {
  readonly files: readonly string[];
}

/**
 * Validates the configs, renders every object in memory and only then replaces the output
 * folder: a wrong config or a failing construct leaves the previous output untouched.
 */
export function synthesize(options: SynthesizeOptions): SynthesizeResult {
  const files = renderEnvironments(options.environments, options.registry);
  writeDirectoryAtomically(options.outDir, files, { replaceFolders: options.environments });
  return { files: [...files.keys()].sort() };
}
