import { ConfigError } from '../config-error';
import { EnvironmentConfig, EnvironmentName } from '../environment-config';
import { validateEnvironmentConfig } from '../validate-environment-config';
import { development } from './development';
import { preview } from './preview';
import { production } from './production';
import { staging } from './staging';

export { previewEnvironment } from './preview';

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
