import { withWebhookClientConfigIgnored } from '../../../tools/argocd/simulated-webhooks';

/** What the test-only Application change adds; the real Argo CD run is test/argocd/simulated-webhooks.argocd.test.ts. */
describe('withWebhookClientConfigIgnored', () => {
  const application = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'cert-manager', namespace: 'argocd' },
    spec: {
      ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }],
      syncPolicy: { automated: { selfHeal: true }, syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'] },
    },
  };

  test('ignores both webhook configuration kinds\' clientConfig and keeps the live value on sync, on a copy', () => {
    const copy = withWebhookClientConfigIgnored(application);
    expect(copy.spec.ignoreDifferences).toEqual([
      { group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] },
      { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig'] },
      { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig'] },
    ]);
    expect(copy.spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'ServerSideApply=true', 'RespectIgnoreDifferences=true']);
    expect(application.spec.ignoreDifferences).toHaveLength(1);
    expect(application.spec.syncPolicy.syncOptions).toHaveLength(2);
  });

  test('adds the sync option once, also to an Application without a syncPolicy; other kinds are copied unchanged', () => {
    const bare = withWebhookClientConfigIgnored({ kind: 'Application', spec: {} as Record<string, unknown> });
    expect((bare.spec as { syncPolicy: unknown }).syncPolicy).toEqual({ syncOptions: ['RespectIgnoreDifferences=true'] });
    expect(withWebhookClientConfigIgnored(withWebhookClientConfigIgnored(application)).spec.syncPolicy.syncOptions.filter((option) => option === 'RespectIgnoreDifferences=true')).toHaveLength(1);
    const project = { kind: 'AppProject', spec: { sourceRepos: ['*'] } };
    expect(withWebhookClientConfigIgnored(project)).toEqual(project);
    expect(withWebhookClientConfigIgnored(project)).not.toBe(project);
  });
});
