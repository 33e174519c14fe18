import { VaultSecret, VaultSecretProps, VaultSecretType } from '../../lib/security/vault-secret';
import { emptyChart, find, objectsOf } from '../support/kube';

describe('VaultSecret', () => {
  test('with minimal props: an ExternalSecret from the vault ClusterSecretStore, refreshed every 15 minutes, holding no value', () => {
    const chart = emptyChart();
    const secret = new VaultSecret(chart, 'redis', { namespace: 'apps', secretName: 'redis-auth', vaultPath: 'platform/dev/redis', keys: ['password'] });
    const external = find(objectsOf(chart), 'ExternalSecret', 'redis-auth');
    expect(external.apiVersion).toBe('external-secrets.io/v1beta1');
    expect(external.spec).toEqual({
      refreshInterval: '15m',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
      target: { name: 'redis-auth', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: [{ secretKey: 'password', remoteRef: { key: 'platform/dev/redis', property: 'password' } }],
    });
    expect(secret.envValue('password')).toEqual({ secretKeyRef: { name: 'redis-auth', key: 'password' } });
  });

  test('with all props', () => {
    const chart = emptyChart();
    const props: Required<VaultSecretProps> = {
      namespace: 'apps', secretName: 'db', vaultPath: 'platform/prod/db', keys: ['username', 'password'],
      refreshInterval: '5m', secretStoreName: 'vault-prod', secretType: VaultSecretType.OPAQUE,
      derivedKeys: { uri: 'postgres://{{ .username }}:{{ .password | urlquery }}@db:5432/app' },
      // Only where generateIn() is called (test/security/password-generator.test.ts).
      generatableKeys: ['password'], valuesWhenGenerated: { username: 'app' },
      mergeIntoExistingSecret: true,
    };
    new VaultSecret(chart, 'db', props);
    const spec = find(objectsOf(chart), 'ExternalSecret', 'db').spec;
    expect(spec.refreshInterval).toBe('5m');
    expect(spec.secretStoreRef.name).toBe('vault-prod');
    // Written into a Secret something else owns (e.g. Argo CD's argocd-secret), which stays when the ExternalSecret goes.
    expect(spec.target).toMatchObject({ creationPolicy: 'Merge', deletionPolicy: 'Retain' });
    expect(spec.data.map((d: any) => d.secretKey)).toEqual(['username', 'password']);
    expect(spec.target.template).toEqual({ engineVersion: 'v2', mergePolicy: 'Merge', data: { uri: 'postgres://{{ .username }}:{{ .password | urlquery }}@db:5432/app' } });
  });

  test('registry credentials: a kubernetes.io/dockerconfigjson Secret holding only .dockerconfigjson, composed from username and password', () => {
    const chart = emptyChart();
    const secret = VaultSecret.registryCredentials(chart, 'registry', { namespace: 'apps', secretName: 'registry-credentials', vaultPath: 'platform/prod/registry', registryServer: 'ghcr.io' });
    const spec = find(objectsOf(chart), 'ExternalSecret', 'registry-credentials').spec;
    expect(spec.data.map((d: any) => [d.secretKey, d.remoteRef.key, d.remoteRef.property])).toEqual([
      ['username', 'platform/prod/registry', 'username'],
      ['password', 'platform/prod/registry', 'password'],
    ]);
    expect(spec.target.template).toEqual({
      type: 'kubernetes.io/dockerconfigjson',
      engineVersion: 'v2',
      mergePolicy: 'Replace',
      data: {
        '.dockerconfigjson':
          '{"auths":{"ghcr.io":{"username":{{ .username | toJson }},"password":{{ .password | toJson }},"auth":{{ printf "%s:%s" .username .password | b64enc | toJson }}}}}',
      },
    });
    expect(secret.imagePullSecret()).toEqual({ name: 'registry-credentials' });
    expect(() => secret.envValue('password')).toThrow('VaultSecret registry-credentials has no key "password"; it holds .dockerconfigjson');
  });

  test('fails to pull images with an Opaque secret', () => {
    const secret = new VaultSecret(emptyChart(), 's', { namespace: 'a', secretName: 's', vaultPath: 'p/s', keys: ['password'] });
    expect(() => secret.imagePullSecret()).toThrow('VaultSecret s is of type Opaque; pull images with one made by VaultSecret.registryCredentials()');
  });

  test('fails on a dockerconfigjson secret without .dockerconfigjson', () => {
    expect(() => new VaultSecret(emptyChart(), 's', { namespace: 'a', secretName: 's', vaultPath: 'p/s', keys: ['password'], secretType: VaultSecretType.DOCKER_CONFIG_JSON }))
      .toThrow('VaultSecret s: secretType is kubernetes.io/dockerconfigjson but derivedKeys has no .dockerconfigjson');
  });

  test('fails on a registry server with a scheme', () => {
    expect(() => VaultSecret.registryCredentials(emptyChart(), 'r', { namespace: 'a', secretName: 'r', vaultPath: 'p/r', registryServer: 'https://ghcr.io' }))
      .toThrow('VaultSecret r: registryServer is "https://ghcr.io"');
  });

  test('fails on a derived key that shadows a Vault property', () => {
    expect(() => new VaultSecret(emptyChart(), 's', { namespace: 'a', secretName: 's', vaultPath: 'p/s', keys: ['password'], derivedKeys: { password: 'x' } }))
      .toThrow('VaultSecret s: derived key "password" is also a Vault property');
  });

  test('fails on a key it does not hold', () => {
    const secret = new VaultSecret(emptyChart(), 's', { namespace: 'a', secretName: 's', vaultPath: 'p/s', keys: ['password'] });
    expect(() => secret.envValue('token')).toThrow('VaultSecret s has no key "token"; it holds password');
  });

  test('fails with no keys', () => {
    expect(() => new VaultSecret(emptyChart(), 's', { namespace: 'a', secretName: 's', vaultPath: 'p/s', keys: [] })).toThrow('VaultSecret s: keys is empty');
  });

  test('fails on a Vault path with a URL in it', () => {
    expect(() => new VaultSecret(emptyChart(), 's', { namespace: 'a', secretName: 's', vaultPath: 'https://vault/p', keys: ['k'] })).toThrow('VaultSecret s: vaultPath is "https://vault/p"');
  });
});
