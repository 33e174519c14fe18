import { EnvironmentConfig, EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS, previewEnvironment } from '../../lib/config/environments';

/** Folders `npm run synth -- --preview <id>` writes (synth/render.ts, previewFolder). */
const PREVIEW_FOLDER_PREFIX = `${EnvironmentName.PREVIEW}-`;

const cache = new Map<string, string | undefined>();

/**
 * The registry whose images need pull credentials in the environment rendered into `environment`
 * (the first folder under the validated folder): its config's `imageRegistry.server`. Undefined
 * for folders that are no environment (`argocd`) or an environment this project does not define.
 */
export function privateRegistryOf(environment: string): string | undefined {
  if (!cache.has(environment)) {
    cache.set(environment, configOf(environment)?.imageRegistry.server.toLowerCase());
  }
  return cache.get(environment);
}

function configOf(folder: string): EnvironmentConfig | undefined {
  if (Object.prototype.hasOwnProperty.call(ENVIRONMENTS, folder)) {
    return ENVIRONMENTS[folder as EnvironmentName];
  }
  return folder.startsWith(PREVIEW_FOLDER_PREFIX) ? previewEnvironment(folder.slice(PREVIEW_FOLDER_PREFIX.length)) : undefined;
}
