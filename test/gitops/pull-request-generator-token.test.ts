import { PullRequestGeneratorToken, PullRequestGeneratorTokenProps } from '../../lib/gitops/pull-request-generator-token';
import { emptyChart, find, objectsOf } from '../support/kube';

describe('PullRequestGeneratorToken', () => {
  test("with minimal props: the token from Vault through Argo CD's own store into argocd, in the environments' wave", () => {
    const chart = emptyChart();
    const token = new PullRequestGeneratorToken(chart, 'token', { vaultPath: 'generator-platform/development/argocd' });
    const external = find(objectsOf(chart), 'ExternalSecret', 'github-pull-requests');
    expect(external.metadata.namespace).toBe('argocd');
    expect(external.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '1', 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' });
    expect(external.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'vault-argocd' });
    expect(external.spec.data).toEqual([{ secretKey: 'github-pull-requests-token', remoteRef: { key: 'generator-platform/development/argocd', property: 'github-pull-requests-token' } }]);
    expect(token.tokenRef).toEqual({ secretName: 'github-pull-requests', key: 'github-pull-requests-token' });
  });

  test('with all props', () => {
    const chart = emptyChart();
    const props: Required<PullRequestGeneratorTokenProps> = { vaultPath: 'platform/argocd', secretName: 'gh', secretStoreName: 'vault-other' };
    const token = new PullRequestGeneratorToken(chart, 'token', props);
    expect(find(objectsOf(chart), 'ExternalSecret', 'gh').spec.secretStoreRef.name).toBe('vault-other');
    expect(token.tokenRef.secretName).toBe('gh');
  });

  test('fails on a Vault path that is not one', () => {
    expect(() => new PullRequestGeneratorToken(emptyChart(), 'token', { vaultPath: '/not a path' })).toThrow(/vaultPath is "\/not a path"/);
  });
});
