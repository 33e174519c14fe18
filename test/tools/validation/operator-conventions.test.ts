import { allowFromNetworkPolicy, compliantPlatform, deployment, K8sObject, postgresCluster, postgresPooler, secureContainer, serviceAccount } from './support/builders';
import { findingsOf, ruleIdsOf } from './support/platform-fixtures';

/** The compliant platform plus a `reader` Deployment whose container reads Secret `secretName`. */
function withSecretReader(secretName: string, ...extra: K8sObject[]): K8sObject[] {
  const reader = secureContainer('reader', { env: [{ name: 'VALUE', valueFrom: { secretKeyRef: { name: secretName, key: 'value' } } }] });
  const readerDeployment = deployment('reader', reader);
  (readerDeployment.spec as K8sObject).replicas = 1;
  return [...compliantPlatform(), serviceAccount('reader'), readerDeployment, ...extra];
}

describe('operator conventions accepted by cross-references', () => {
  test.each([
    ['CloudNativePG certificates', 'db-ca'],
    ['CloudNativePG replication credentials', 'db-replication'],
    ['RabbitMQ default user credentials', 'queue-default-user'],
    ['RabbitMQ topology user credentials', 'generator-user-credentials'],
  ])('%s resolve', async (_name, secretName) => {
    expect(ruleIdsOf(await findingsOf(withSecretReader(secretName)))).toEqual([]);
  });

  test('CloudNativePG generates <cluster>-app only when initdb names no Secret', async () => {
    expect(ruleIdsOf(await findingsOf(withSecretReader('db-app')))).toEqual(['XREF-SECRET']);
    const generated = postgresCluster('ledger', 'unused');
    delete ((generated.spec as K8sObject).bootstrap as K8sObject).initdb;
    expect(ruleIdsOf(await findingsOf(withSecretReader('ledger-app', generated)))).toEqual([]);
  });

  test('CloudNativePG creates <cluster>-superuser only when superuser access is enabled', async () => {
    expect(ruleIdsOf(await findingsOf(withSecretReader('db-superuser')))).toEqual(['XREF-SECRET']);
    const enabled = postgresCluster('ledger', 'db-owner');
    (enabled.spec as K8sObject).enableSuperuserAccess = true;
    expect(ruleIdsOf(await findingsOf(withSecretReader('ledger-superuser', enabled)))).toEqual([]);
  });

  test('a NetworkPolicy selecting the pods of a Pooler resolves, a misspelt one does not', async () => {
    const objects = [...compliantPlatform(), postgresPooler('ledger-pooler', 'db')];
    expect(ruleIdsOf(await findingsOf([...objects, allowFromNetworkPolicy('pooler-ingress', { 'cnpg.io/poolerName': 'ledger-pooler' }, 'web', 5432)]))).toEqual([]);
    expect(ruleIdsOf(await findingsOf([...objects, allowFromNetworkPolicy('pooler-ingress', { 'cnpg.io/poolerName': 'ledger-poolr' }, 'web', 5432)]))).toEqual(['XREF-NETWORKPOLICY-SELECTOR']);
  });

  test('an Ingress TLS Secret requested from cert-manager by annotation resolves without a Certificate', async () => {
    // Only the Ingress TLS Certificate goes; the controller's backend client certificate stays.
    const objects = compliantPlatform().filter((object) => object.kind !== 'Certificate' || (object.metadata as K8sObject).name === 'ingress-backend-client');
    for (const ingress of objects.filter((object) => object.kind === 'Ingress')) {
      const metadata = ingress.metadata as K8sObject;
      metadata.annotations = { ...(metadata.annotations as K8sObject), 'cert-manager.io/cluster-issuer': 'letsencrypt' };
    }
    expect(ruleIdsOf(await findingsOf(objects))).toEqual([]);
  });
});
