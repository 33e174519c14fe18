import { SIMULATIONS } from '../../../tools/argocd/simulated-controllers';

/**
 * The status writers stand in for controllers that do not run in the Argo CD tests. Where the real
 * controller waits for something (an ExternalSecret for its store, a Certificate for its issuer),
 * the writer waits too, so an object synced before what it needs shows as Degraded in Argo CD, as
 * it would in a real cluster.
 */
const simulation = (kind: string) => {
  const found = SIMULATIONS.find((candidate) => candidate.kind === kind);
  if (!found) {
    throw new Error(`no simulation of ${kind}`);
  }
  return found;
};
const ready = { conditions: [{ type: 'Ready', status: 'True' }] };
const lookupOf = (objects: Record<string, object>) => async (path: string) => objects[path] as never;

describe('the simulated controllers (tools/argocd/simulated-controllers.ts)', () => {
  const externalSecret = { metadata: { name: 'api-database', namespace: 'generator-platform' }, spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault-production' } } };
  const storePath = '/apis/external-secrets.io/v1beta1/clustersecretstores/vault-production';

  test('an ExternalSecret is Ready once its ClusterSecretStore exists and is Ready', async () => {
    const status = await simulation('ExternalSecret').status(externalSecret, lookupOf({ [storePath]: { metadata: { name: 'vault-production' }, status: ready } }));
    expect(status).toMatchObject({ conditions: [{ type: 'Ready', status: 'True', message: 'Secret was synced' }] });
  });

  test('fails an ExternalSecret whose store does not exist: Ready False naming the store (Degraded in Argo CD)', async () => {
    const status = await simulation('ExternalSecret').status(externalSecret, lookupOf({}));
    expect(status).toMatchObject({ conditions: [{ type: 'Ready', status: 'False', reason: 'SecretSyncedError', message: 'ClusterSecretStore "vault-production" does not exist' }] });
  });

  test('fails an ExternalSecret whose namespaced SecretStore (the default kind) is not Ready yet', async () => {
    const namespaced = { ...externalSecret, spec: { secretStoreRef: { name: 'local' } } };
    const status = await simulation('ExternalSecret').status(namespaced, lookupOf({ '/apis/external-secrets.io/v1beta1/namespaces/generator-platform/secretstores/local': { metadata: { name: 'local' } } }));
    expect(status).toMatchObject({ conditions: [{ status: 'False', message: 'SecretStore "local" is not ready' }] });
  });

  test('an ExternalSecret made by a Password generator and no store waits for the generator to exist, as External Secrets does', async () => {
    const generated = { metadata: { name: 'redis-api-credentials', namespace: 'generator-platform-pr-42' }, spec: { dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: 'platform-password' } } }] } };
    const passwordPath = '/apis/generators.external-secrets.io/v1alpha1/namespaces/generator-platform-pr-42/passwords/platform-password';
    expect(await simulation('ExternalSecret').status(generated, lookupOf({}))).toMatchObject({ conditions: [{ status: 'False', message: 'generator Password "platform-password" does not exist' }] });
    expect(await simulation('ExternalSecret').status(generated, lookupOf({ [passwordPath]: { metadata: { name: 'platform-password' } } }))).toMatchObject({ conditions: [{ status: 'True', message: 'Secret was synced' }] });
  });

  test('an ExternalSecret with a store and a generator needs both', async () => {
    const both = { ...externalSecret, spec: { ...externalSecret.spec, dataFrom: [{ sourceRef: { generatorRef: { kind: 'Password', name: 'platform-password' } } }] } };
    const status = await simulation('ExternalSecret').status(both, lookupOf({ [storePath]: { metadata: { name: 'vault-production' }, status: ready } }));
    expect(status).toMatchObject({ conditions: [{ status: 'False', message: 'generator Password "platform-password" does not exist' }] });
  });

  test('writes nothing when the status already says what it would write', async () => {
    const current = { ...externalSecret, status: { conditions: [{ type: 'Ready', status: 'False', message: 'ClusterSecretStore "vault-production" does not exist' }] } };
    expect(await simulation('ExternalSecret').status(current, lookupOf({}))).toBeUndefined();
  });

  test('a Certificate waits for its issuer (Issuer in its namespace unless the reference says ClusterIssuer)', async () => {
    const certificate = { metadata: { name: 'web-tls', namespace: 'generator-platform' }, spec: { issuerRef: { kind: 'ClusterIssuer', name: 'letsencrypt' } } };
    expect(await simulation('Certificate').status(certificate, lookupOf({}))).toMatchObject({ conditions: [{ status: 'False', reason: 'DoesNotExist', message: 'ClusterIssuer "letsencrypt" does not exist' }] });
    expect(await simulation('Certificate').status(certificate, lookupOf({ '/apis/cert-manager.io/v1/clusterissuers/letsencrypt': { status: ready } }))).toMatchObject({ conditions: [{ status: 'True' }] });
    const namespaced = { ...certificate, spec: { issuerRef: { name: 'internal-ca' } } };
    expect(await simulation('Certificate').status(namespaced, lookupOf({ '/apis/cert-manager.io/v1/namespaces/generator-platform/issuers/internal-ca': { status: ready } }))).toMatchObject({ conditions: [{ status: 'True' }] });
  });

  test('a Prometheus reports as many available replicas as it asks for', async () => {
    expect(await simulation('Prometheus').status({ metadata: { name: 'k' }, spec: { replicas: 2 } }, lookupOf({}))).toMatchObject({ replicas: 2, availableReplicas: 2, conditions: [{ type: 'Available', status: 'True' }] });
  });

  test('a LoadBalancer Service gets an address; other Services have nothing to write', async () => {
    expect(await simulation('Service').status({ metadata: { name: 'ingress-nginx-controller' }, spec: { type: 'LoadBalancer' } }, lookupOf({}))).toEqual({ loadBalancer: { ingress: [{ ip: '192.0.2.20' }] } });
    expect(await simulation('Service').status({ metadata: { name: 'api' }, spec: { type: 'ClusterIP' } }, lookupOf({}))).toBeUndefined();
  });
});

describe('the simulated Argo Rollouts', () => {
  const rollout = { metadata: { name: 'web', namespace: 'generator-platform', generation: 2 }, spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'generator-platform' } } } };

  test('defaults a missing spec.replicas to 1, as the controller does (else an HPA cannot read the scale subresource)', () => {
    expect(simulation('Rollout').specDefaults?.(rollout)).toEqual({ replicas: 1 });
    expect(simulation('Rollout').specDefaults?.({ ...rollout, spec: { ...rollout.spec, replicas: 3 } })).toBeUndefined();
  });

  test('reports its replicas and the selector the scale subresource serves an HPA, Healthy at its generation', async () => {
    expect(await simulation('Rollout').status({ ...rollout, spec: { ...rollout.spec, replicas: 3 } }, lookupOf({}))).toEqual({
      phase: 'Healthy', message: 'simulated', observedGeneration: '2',
      replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, HPAReplicas: 3,
      selector: 'app.kubernetes.io/name=web,app.kubernetes.io/part-of=generator-platform',
    });
  });

  test('writes again when an HPA changed the replicas (a new generation)', async () => {
    const current = { ...rollout, spec: { ...rollout.spec, replicas: 5 }, metadata: { ...rollout.metadata, generation: 3 }, status: { phase: 'Healthy', observedGeneration: '2', replicas: 3, selector: 'app.kubernetes.io/name=web,app.kubernetes.io/part-of=generator-platform' } };
    expect(await simulation('Rollout').status(current, lookupOf({}))).toMatchObject({ observedGeneration: '3', replicas: 5 });
  });
});
