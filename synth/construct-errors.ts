import { ConfigError } from '../lib/config/config-error';
import { definingFile } from '../lib/config/config-source';
import { CONFIG_FIELD_OF_PROP } from '../lib/config/construct-config-fields';
import { PropError } from '../lib/platform/prop-error';

/**
 * Runs `build` (the construction of one environment's chart) and turns a construct's PropError on
 * a value that came from the config into the ConfigError of the config field it came from, so the
 * person who runs synth reads one line naming the environment, the field, the value and the fix.
 * Any other error passes through unchanged.
 */
export function withConfigErrors<T>(environment: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    const field = error instanceof PropError ? CONFIG_FIELD_OF_PROP[`${error.constructId}.${error.prop}`] : undefined;
    if (!(error instanceof PropError) || field === undefined) {
      throw error;
    }
    throw new ConfigError(environment, field, error.value, `the ${error.constructId} construct rejects it as its ${error.prop}`, `${error.fix} (in ${definingFile(environment, field)})`);
  }
}
