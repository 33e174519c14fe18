import * as fs from 'fs';
import * as path from 'path';
import { ValidationInputError } from '../input-error';
import { FolderContents } from '../manifest';

/**
 * A rendered add-on is a first-level folder of the validated folder (an "environment" of the gate)
 * that holds this file next to the add-on's manifests; it names the Argo CD Applications that
 * render exactly these manifests (one add-on of several clusters often renders the same).
 * tools/addons writes it; synth never does (freshness would report it in dist/).
 */
export const ADDON_ORIGIN_FILE = 'addon-origin.json';

/** An Argo CD Application of the validated folder. */
export interface ApplicationReference {
  /** The Application's file, relative to the validated folder (e.g. `argocd/production/addons.yaml`). */
  readonly file: string;
  readonly name: string;
}

export interface AddonOrigin {
  readonly applications: readonly ApplicationReference[];
}

/** The rendered add-ons of the validated folder, by environment (first folder). */
export function addonOriginsIn(dir: string, folder: FolderContents): Map<string, AddonOrigin> {
  const origins = new Map<string, AddonOrigin>();
  for (const file of folder.files) {
    const parts = file.split('/');
    if (parts.length !== 2 || parts[1] !== ADDON_ORIGIN_FILE) {
      continue;
    }
    let origin: Partial<AddonOrigin>;
    try {
      origin = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Partial<AddonOrigin>;
    } catch (error) {
      throw new ValidationInputError(`${file}: not JSON (${(error as Error).message})`);
    }
    const applications = Array.isArray(origin.applications) ? origin.applications : [];
    if (applications.length === 0 || !applications.every((reference) => typeof reference?.file === 'string' && typeof reference?.name === 'string')) {
      throw new ValidationInputError(`${file}: expected { "applications": [{ "file": "<file of the Application>", "name": "<its name>" }, ...] }`);
    }
    origins.set(parts[0], { applications: applications.map(({ file: applicationFile, name }) => ({ file: applicationFile, name })) });
  }
  return origins;
}
