import { ConfigError } from '../config-error';
import { definingFile } from '../config-source';
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
  const configs = wanted.map((name) => {
    const config = registry[name];
    if (config === undefined) {
      throw new ConfigError(name, '--env', name, 'no such environment', `use one of ${known.join(', ')}`);
    }
    return validateEnvironmentConfig(config, name);
  });
  checkAcrossEnvironments(registry, wanted);
  return configs;
}

/**
 * What no single config can check: two environments must never claim one public hostname (their
 * Ingresses and certificates would fight over it, and a staging release could take production
 * traffic). Checked against every environment of the registry, also when only some are rendered.
 * Of two environments, the error names the one earlier in promotion order: the later one (e.g.
 * production) is the one whose hostname is meant.
 */
function checkAcrossEnvironments(registry: Readonly<Record<string, EnvironmentConfig>>, wanted: readonly string[]): void {
  const names = Object.keys(registry);
  for (const [index, name] of names.entries()) {
    for (const later of names.slice(index + 1)) {
      for (const field of ['webHostname', 'apiHostname'] as const) {
        const hostname = registry[name][field];
        const clash = (['webHostname', 'apiHostname'] as const).find((other) => registry[later][other] === hostname);
        if (clash !== undefined && (wanted.includes(name) || wanted.includes(later))) {
          throw new ConfigError(name, field, hostname, `also ${later}'s ${clash}, so both environments would claim one host`,
            `give ${name} hostnames of its own, e.g. ${hostname.replace(/^([^.]+)\./, `$1.${name}.`)} (in ${definingFile(name, field)})`);
        }
      }
    }
  }
  checkSecretStoresApart(registry, wanted);
}

/** An environment's Vault store must serve no other environment's namespace: that environment's pods could read its secrets. */
function checkSecretStoresApart(registry: Readonly<Record<string, EnvironmentConfig>>, wanted: readonly string[]): void {
  for (const [name, config] of Object.entries(registry)) {
    const pattern = config.vaultStoreNamespacePattern;
    if (pattern === undefined || !wanted.includes(name)) {
      continue;
    }
    const other = Object.entries(registry).find(([otherName, otherConfig]) => otherName !== name && new RegExp(pattern).test(otherConfig.namespace));
    if (other !== undefined) {
      throw new ConfigError(name, 'vaultStoreNamespacePattern', pattern, `matches ${other[0]}'s namespace ${other[1].namespace}, so ${other[0]}'s pods could read ${name}'s secrets`,
        `narrow it to ${name}'s own namespaces, e.g. ^generator-platform-pr-[0-9]+$ (in ${definingFile(name, 'vaultStoreNamespacePattern')})`);
    }
  }
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
