import { PasswordGenerator, PasswordGeneratorProps } from '../../lib/security/password-generator';
import { VaultSecret, generateVaultSecretsIn } from '../../lib/security/vault-secret';
import { emptyChart, find, objectsOf } from '../support/kube';

describe('PasswordGenerator', () => {
  test('with minimal props: a Password of 32 letters and digits, 8 of them digits, no symbols', () => {
    const chart = emptyChart();
    const generator = new PasswordGenerator(chart, 'generator', { namespace: 'apps' });
    const password = find(objectsOf(chart), 'Password', 'platform-password');
    expect(password.apiVersion).toBe('generators.external-secrets.io/v1alpha1');
    expect(password.metadata.namespace).toBe('apps');
    expect(password.spec).toEqual({ length: 32, digits: 8, symbols: 0, noUpper: false, allowRepeat: true });
    expect(generator.generatorRef()).toEqual({ apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: 'platform-password' });
  });

  test('with all props', () => {
    const chart = emptyChart();
    const props: Required<PasswordGeneratorProps> = { namespace: 'apps', name: 'long-password', length: 64, digits: 16 };
    new PasswordGenerator(chart, 'generator', props);
    expect(find(objectsOf(chart), 'Password', 'long-password').spec).toMatchObject({ length: 64, digits: 16 });
  });

  test.each([
    [{ length: 8 }, 'PasswordGenerator generator: length is 8; use a whole number from 16 to 128 (32 by default)'],
    [{ length: 32.5 }, 'PasswordGenerator generator: length is 32.5; use a whole number from 16 to 128 (32 by default)'],
    [{ digits: 40 }, 'PasswordGenerator generator: digits is 40; use a whole number from 0 to length (32)'],
  ])('fails on %j', (props, message) => {
    expect(() => new PasswordGenerator(emptyChart(), 'generator', { namespace: 'apps', ...props })).toThrow(message);
  });
});

describe('VaultSecret.generateIn', () => {
  const setup = () => {
    const chart = emptyChart();
    const generator = new PasswordGenerator(chart, 'generator', { namespace: 'apps' });
    return { chart, generator };
  };

  test('a basic-auth password: generated once in the namespace, no Vault path, no secret store', () => {
    const { chart, generator } = setup();
    VaultSecret.basicAuth(chart, 'db', { namespace: 'apps', secretName: 'db-api', vaultPath: 'platform/preview/db/api', username: 'api' }).readFrom('vault-preview');
    generateVaultSecretsIn(chart, generator);
    const spec = find(objectsOf(chart), 'ExternalSecret', 'db-api').spec;
    expect(spec.refreshInterval).toBe('0');
    expect(spec.data).toBeUndefined();
    expect(spec.secretStoreRef).toBeUndefined();
    expect(spec.dataFrom).toEqual([{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: 'platform-password' } } }]);
    expect(spec.target.template).toMatchObject({ type: 'kubernetes.io/basic-auth', data: { username: 'api' } });
  });

  test('a fixed user name where Vault would give one: the derived keys get it as a Go template literal', () => {
    const { chart, generator } = setup();
    const secret = new VaultSecret(chart, 'queue', {
      namespace: 'apps', secretName: 'queue-api', vaultPath: 'platform/preview/rabbitmq/api', keys: ['username', 'password'],
      derivedKeys: { uri: 'amqps://{{ .username | urlquery }}:{{ .password | urlquery }}@rabbitmq:5671/' },
      generatableKeys: ['password'], valuesWhenGenerated: { username: 'api' },
    });
    secret.generateIn(generator);
    const spec = find(objectsOf(chart), 'ExternalSecret', 'queue-api').spec;
    expect(spec.data).toBeUndefined();
    expect(spec.target.template.data).toEqual({ username: 'api', uri: 'amqps://{{ "api" | urlquery }}:{{ .password | urlquery }}@rabbitmq:5671/' });
  });

  test('a key issued outside the platform stays in Vault beside a generated one, renamed from the generator\'s password', () => {
    const { chart, generator } = setup();
    new VaultSecret(chart, 'proxy', { namespace: 'apps', secretName: 'oauth2-proxy', vaultPath: 'platform/preview/shared/oauth2-proxy', keys: ['client-secret', 'cookie-secret'], generatableKeys: ['cookie-secret'] }).readFrom('vault-preview');
    const registry = VaultSecret.registryCredentials(chart, 'registry', { namespace: 'apps', secretName: 'registry', vaultPath: 'platform/preview/shared/registry', registryServer: 'ghcr.io' });
    generateVaultSecretsIn(chart, generator);
    const spec = find(objectsOf(chart), 'ExternalSecret', 'oauth2-proxy').spec;
    expect(spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'vault-preview' });
    expect(spec.data).toEqual([{ secretKey: 'client-secret', remoteRef: { key: 'platform/preview/shared/oauth2-proxy', property: 'client-secret' } }]);
    expect(spec.dataFrom[0].rewrite).toEqual([{ regexp: { source: '^password$', target: 'cookie-secret' } }]);
    expect(spec.refreshInterval).toBe('0');
    // Nothing of the registry's credentials is the platform's: untouched.
    expect(registry.isGeneratable).toBe(false);
    expect(find(objectsOf(chart), 'ExternalSecret', 'registry').spec).toMatchObject({ refreshInterval: '15m', data: [{ secretKey: 'username' }, { secretKey: 'password' }] });
  });

  test('fails when a derived key reads a fixed value in a form it cannot replace (the Secret would say <no value>)', () => {
    const { chart, generator } = setup();
    const secret = new VaultSecret(chart, 'queue', {
      namespace: 'apps', secretName: 'queue-api', vaultPath: 'p/q', keys: ['username', 'password'],
      derivedKeys: { uri: 'amqps://{{.username}}:{{ .password }}@rabbitmq/' }, generatableKeys: ['password'], valuesWhenGenerated: { username: 'api' },
    });
    expect(() => secret.generateIn(generator)).toThrow('VaultSecret queue-api: derived key "uri" reads a fixed value in a form generateIn() cannot replace');
  });

  test('fails for a secret with nothing the platform may generate, and on generatable keys that are not Vault properties', () => {
    const { chart, generator } = setup();
    const external = new VaultSecret(chart, 's3', { namespace: 'apps', secretName: 's3', vaultPath: 'p/s3', keys: ['ACCESS_KEY_ID'] });
    expect(() => external.generateIn(generator)).toThrow('VaultSecret s3 has no generatableKeys: every property is issued outside the platform and comes from Vault');
    expect(() => new VaultSecret(chart, 'x', { namespace: 'apps', secretName: 'x', vaultPath: 'p/x', keys: ['password'], generatableKeys: ['pasword'] })).toThrow(
      'VaultSecret x: "pasword" is in generatableKeys or valuesWhenGenerated but not in keys (password); name Vault properties only',
    );
  });
});
