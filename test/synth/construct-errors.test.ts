import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../../lib/config/config-error';
import { CONFIG_FIELD_OF_PROP } from '../../lib/config/construct-config-fields';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { validateEnvironmentConfig } from '../../lib/config/validate-environment-config';
import { PropError } from '../../lib/platform/prop-error';
import { withConfigErrors } from '../../synth/construct-errors';
import { synthesize } from '../../synth/synthesize';
import { configWith } from '../support/configs';
import { readTree, tempDirsRemovedAfterAll } from '../support/files';

const makeTempDir = tempDirsRemovedAfterAll();

describe('a config value that passes config validation but that a construct rejects', () => {
  // The HorizontalPodAutoscaler (CpuAutoscaler) owns the 10..95 rule; production autoscales api, so it is built.
  const production = configWith('production', (c) => (c.api.targetCpuUtilizationPercent = 99));

  test('passes config validation', () => {
    expect(() => validateEnvironmentConfig(production)).not.toThrow();
  });

  test('fails synth with the one-line config error of the field it came from, and leaves dist/ untouched', async () => {
    const out = path.join(makeTempDir('construct-errors-'), 'dist');
    fs.mkdirSync(path.join(out, 'production'), { recursive: true });
    fs.writeFileSync(path.join(out, 'production', 'api.yaml'), 'previous: content\n');
    const before = readTree(out);
    let error: unknown;
    try {
      await synthesize({ outDir: out, registry: { ...ENVIRONMENTS, production } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'environment "production": api.targetCpuUtilizationPercent = 99: the api construct rejects it as its targetCpuUtilizationPercent. Fix: use a whole percentage from 10 to 95 (in lib/config/environments/production.ts)',
    );
    expect(readTree(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });
});

describe('withConfigErrors', () => {
  test('names the config field a construct prop came from when it differs from the prop', () => {
    const build = () => {
      throw new PropError('postgres', 'kubernetesApiCidrs', ['10.0.0.0/33'], 'use IPv4 CIDRs');
    };
    expect(() => withConfigErrors('staging', build)).toThrow(
      'environment "staging": kubernetesApiCidr = ["10.0.0.0/33"]: the postgres construct rejects it as its kubernetesApiCidrs. Fix: use IPv4 CIDRs (in lib/config/environments/staging.ts)',
    );
  });

  test('passes through a PropError on a prop that does not come from config, and any other error', () => {
    const unmapped = new PropError('postgres', 'failureLimit', 0, 'use 1');
    expect(() => withConfigErrors('staging', () => { throw unmapped; })).toThrow(unmapped);
    const other = new Error('internal');
    expect(() => withConfigErrors('staging', () => { throw other; })).toThrow(other);
  });

  test('returns what the build returns', () => {
    expect(withConfigErrors('staging', () => 42)).toBe(42);
  });
});

describe('the table of construct props set from config', () => {
  test.each(Object.entries(CONFIG_FIELD_OF_PROP))('maps %s to %s, a field of EnvironmentConfig', (_prop, field) => {
    const [top] = field.split('.');
    expect(Object.keys(ENVIRONMENTS.production)).toContain(top);
  });
});
