import { ArgoCdWebhookSecret, ArgoCdWebhookSecretProps } from '../../lib/gitops/argocd-webhook-secret';
import { emptyChart, objectsOf } from '../support/kube';

describe('ArgoCdWebhookSecret', () => {
  test('merges webhook.github.secret from Vault into argocd-secret through vault-argocd, after the cluster baseline, without a dry-run on a cluster that lacks the CRD yet', () => {
    const chart = emptyChart();
    new ArgoCdWebhookSecret(chart, 'argocd-webhook', { vaultPath: 'generator-platform/production/argocd' });
    const [secret] = objectsOf(chart);
    expect(secret).toMatchObject({
      kind: 'ExternalSecret',
      metadata: {
        name: 'argocd-secret',
        namespace: 'argocd',
        annotations: { 'argocd.argoproj.io/sync-wave': '1', 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' },
      },
      spec: {
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault-argocd' },
        target: { name: 'argocd-secret', creationPolicy: 'Merge', deletionPolicy: 'Retain' },
        data: [{ secretKey: 'webhook.github.secret', remoteRef: { key: 'generator-platform/production/argocd', property: 'webhook.github.secret' } }],
      },
    });
    expect(secret.spec.target.template).toBeUndefined();
  });

  test('with all props reads through the store and in the wave given', () => {
    const chart = emptyChart();
    const props: Required<ArgoCdWebhookSecretProps> = { vaultPath: 'platform/argocd', secretStoreName: 'vault-ops', syncWave: 3 };
    new ArgoCdWebhookSecret(chart, 'argocd-webhook', props);
    const [secret] = objectsOf(chart);
    expect(secret.spec.secretStoreRef.name).toBe('vault-ops');
    expect(secret.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('3');
  });

  test('fails in a wave that is not after the cluster baseline, which brings its store', () => {
    expect(() => new ArgoCdWebhookSecret(emptyChart(), 'argocd-webhook', { vaultPath: 'platform/argocd', syncWave: -1 })).toThrow(/syncWave = -1; its store comes with the cluster baseline in wave -1/);
  });

  test('fails on a Vault path that is not a KV path', () => {
    expect(() => new ArgoCdWebhookSecret(emptyChart(), 'argocd-webhook', { vaultPath: '/secret/data/x?' })).toThrow(/vaultPath is "\/secret\/data\/x\?"/);
  });
});
