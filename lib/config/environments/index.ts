import { ConfigError } from '../config-error';
import { EnvironmentConfig, EnvironmentName } from '../environment-config';
import { validateEnvironmentConfig } from '../validate-environment-config';
import { development } from './development';
import { preview } from './preview';
import { production } from './production';
import { staging } from './staging';

import { previewEnvironment } from './preview';

export { previewEnvironment };

const PREVIEW_ID = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

/** Every environment, in the order they are promoted through. */
export const ENVIRONMENTS: Readonly<Record<EnvironmentName, EnvironmentConfig>> = {
  [EnvironmentName.DEVELOPMENT]: development,
  [EnvironmentName.PREVIEW]: preview,
  [EnvironmentName.STAGING]: staging,
  [EnvironmentName.PRODUCTION]: production,
};

/** Reads and validates the environments to render: all of them, or the ones named. */
export function loadEnvironments(
  names?: readonly string[],
  registry: Readonly<Record<string, EnvironmentConfig>> = ENVIRONMENTS,
): EnvironmentConfig[] {
  const known = Object.keys(registry);
  const wanted = names ?? known;
  return wanted.map((name) => {
    const config = registry[name];
    if (config === undefined) {
      throw new ConfigError(name, '--env', name, 'no such environment', `use one of ${known.join(', ')}`);
    }
    return validateEnvironmentConfig(config, name);
  });
}

/** Builds and validates the config of each named preview environment (`--preview pr-42`). */
export function loadPreviews(previewIds: readonly string[]): EnvironmentConfig[] {
  return previewIds.map((id) => {
    if (!PREVIEW_ID.test(id)) {
      throw new ConfigError(EnvironmentName.PREVIEW, '--preview', id, 'not a preview id (lower-case letters, digits and dashes, at most 32)', 'use the pull request, e.g. --preview pr-42');
    }
    return validateEnvironmentConfig(previewEnvironment(id), EnvironmentName.PREVIEW);
  });
}
