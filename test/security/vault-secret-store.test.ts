import { VaultSecretStore, VaultSecretStoreProps } from '../../lib/security/vault-secret-store';
import { emptyChart, find, objectsOf } from '../support/kube';

describe('VaultSecretStore', () => {
  test('with minimal props: Vault KV v2 through Kubernetes auth, usable only from the platform namespaces', () => {
    const chart = emptyChart();
    new VaultSecretStore(chart, 'vault', { server: 'https://vault.example.com:8200', role: 'generator-platform-staging' });
    const store = find(objectsOf(chart), 'ClusterSecretStore', 'vault');
    expect(store.apiVersion).toBe('external-secrets.io/v1beta1');
    expect(store.metadata.namespace).toBeUndefined();
    expect(store.spec).toEqual({
      provider: { vault: { server: 'https://vault.example.com:8200', path: 'secret', version: 'v2', auth: { kubernetes: { mountPath: 'kubernetes', role: 'generator-platform-staging' } } } },
      conditions: [{ namespaceSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'generator-platform' } } }],
    });
  });

  test('with all props', () => {
    const chart = emptyChart();
    const props: Required<VaultSecretStoreProps> = { server: 'https://vault.internal', role: 'platform', storeName: 'vault-eu', kvMountPath: 'kv', kubernetesAuthMountPath: 'k8s-eu' };
    new VaultSecretStore(chart, 'vault', props);
    const vault = find(objectsOf(chart), 'ClusterSecretStore', 'vault-eu').spec.provider.vault;
    expect(vault).toMatchObject({ path: 'kv', auth: { kubernetes: { mountPath: 'k8s-eu', role: 'platform' } } });
  });

  test.each([
    [{ server: 'http://vault:8200', role: 'r' }, 'VaultSecretStore vault: server is "http://vault:8200"; use Vault\'s https:// address'],
    [{ server: 'https://vault', role: 'Bad Role' }, 'VaultSecretStore vault: role is "Bad Role"'],
  ])('fails on %p', (props, message) => {
    expect(() => new VaultSecretStore(emptyChart(), 'vault', props)).toThrow(message);
  });
});
