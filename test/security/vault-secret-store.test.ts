import { ACME_VAULT_CA_BUNDLE_PEM } from '../../lib/config/environments/vault-ca';
import { CaBundle } from '../../lib/security/ca-bundle';
import { VaultSecretStore, VaultSecretStoreProps } from '../../lib/security/vault-secret-store';
import { emptyChart, find, objectsOf } from '../support/kube';

describe('VaultSecretStore', () => {
  test('with minimal props: Vault KV v2 through Kubernetes auth, usable only from the namespaces named', () => {
    const chart = emptyChart();
    new VaultSecretStore(chart, 'vault', { server: 'https://vault.example.com:8200', role: 'generator-platform-staging', namespaces: ['generator-platform'] });
    const store = find(objectsOf(chart), 'ClusterSecretStore', 'vault');
    expect(store.apiVersion).toBe('external-secrets.io/v1beta1');
    expect(store.metadata.namespace).toBeUndefined();
    expect(store.spec).toEqual({
      provider: { vault: { server: 'https://vault.example.com:8200', path: 'secret', version: 'v2', auth: { kubernetes: { mountPath: 'kubernetes', role: 'generator-platform-staging' } } } },
      conditions: [{ namespaces: ['generator-platform'] }],
    });
  });

  test('with all props', () => {
    const chart = emptyChart();
    const props: Required<VaultSecretStoreProps> = {
      server: 'https://vault.internal',
      role: 'platform',
      storeName: 'vault-eu',
      kvMountPath: 'kv',
      kubernetesAuthMountPath: 'k8s-eu',
      caBundle: CaBundle.fromPem(ACME_VAULT_CA_BUNDLE_PEM),
      namespaces: ['generator-platform-staging'],
      namespacePatterns: ['^generator-platform-pr-[0-9]+$'],
    };
    new VaultSecretStore(chart, 'vault', props);
    const vault = find(objectsOf(chart), 'ClusterSecretStore', 'vault-eu').spec.provider.vault;
    expect(vault).toMatchObject({ path: 'kv', auth: { kubernetes: { mountPath: 'k8s-eu', role: 'platform' } } });
    expect(find(objectsOf(chart), 'ClusterSecretStore', 'vault-eu').spec.conditions).toEqual([
      { namespaces: ['generator-platform-staging'], namespaceRegexes: ['^generator-platform-pr-[0-9]+$'] },
    ]);
    // The provider's caBundle is the PEM, base64-encoded (format: byte in the CRD).
    expect(Buffer.from(vault.caBundle, 'base64').toString('utf8')).toBe(ACME_VAULT_CA_BUNDLE_PEM);
  });

  test.each([
    [{ server: 'http://vault:8200', role: 'r', namespaces: ['a'] }, 'VaultSecretStore vault: server is "http://vault:8200"; use Vault\'s https:// address'],
    [{ server: 'https://vault', role: 'Bad Role', namespaces: ['a'] }, 'VaultSecretStore vault: role is "Bad Role"'],
    [{ server: 'https://vault', role: 'r' }, 'VaultSecretStore vault: neither namespaces nor namespacePatterns is given, so every namespace of the cluster could read through the store'],
    [{ server: 'https://vault', role: 'r', namespacePatterns: ['generator-platform-pr-.*'] }, 'VaultSecretStore vault: namespacePatterns has "generator-platform-pr-.*", which is not anchored'],
  ])('fails on %p', (props, message) => {
    expect(() => new VaultSecretStore(emptyChart(), 'vault', props)).toThrow(message);
  });
});
