import { VaultSecret, VaultSecretProps } from '../../lib/security/vault-secret';
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
      refreshInterval: '5m', secretStoreName: 'vault-prod',
      derivedKeys: { uri: 'postgres://{{ .username }}:{{ .password | urlquery }}@db:5432/app' },
    };
    new VaultSecret(chart, 'db', props);
    const spec = find(objectsOf(chart), 'ExternalSecret', 'db').spec;
    expect(spec.refreshInterval).toBe('5m');
    expect(spec.secretStoreRef.name).toBe('vault-prod');
    expect(spec.data.map((d: any) => d.secretKey)).toEqual(['username', 'password']);
    expect(spec.target.template).toEqual({ engineVersion: 'v2', mergePolicy: 'Merge', data: { uri: 'postgres://{{ .username }}:{{ .password | urlquery }}@db:5432/app' } });
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
