import { EnvironmentScope } from '../environment-scope';
import { record, text } from '../json-access';
import { ManifestObject } from '../manifest';

/**
 * Objects that exist without being rendered, or that an operator creates from a rendered object.
 * Each entry is documented in docs/validation-rules.md ("Operator conventions").
 */

/** Created in every namespace by Kubernetes itself. */
export const IMPLICIT_SERVICE_ACCOUNTS: ReadonlySet<string> = new Set(['default']);
/** Published into every namespace by the kube-controller-manager's root CA publisher. */
export const IMPLICIT_CONFIG_MAPS: ReadonlySet<string> = new Set(['kube-root-ca.crt']);

/** Secrets an operator creates, by the kind of the rendered object that asks for them. */
const SECRET_PRODUCERS: Readonly<Record<string, (object: ManifestObject) => string[]>> = {
  Secret: (object) => [object.name],
  // External Secrets Operator: spec.target.name, defaulting to the ExternalSecret's name.
  ExternalSecret: (object) => [text(record(record(object.body.spec).target).name) ?? object.name],
  // cert-manager: the Certificate's spec.secretName.
  Certificate: (object) => [text(record(object.body.spec).secretName) ?? ''],
  Cluster: cloudNativePgSecrets,
  // RabbitMQ Cluster Operator: default user credentials and the Erlang cookie.
  RabbitmqCluster: (object) => [`${object.name}-default-user`, `${object.name}-erlang-cookie`],
  // RabbitMQ Messaging Topology Operator: the credentials of a User.
  User: (object) => (object.apiVersion.startsWith('rabbitmq.com/') ? [`${object.name}-user-credentials`] : []),
};

/**
 * CloudNativePG: certificates and replication credentials always; the application owner's
 * credentials unless initdb names its own Secret; superuser credentials only when enabled.
 */
function cloudNativePgSecrets(object: ManifestObject): string[] {
  if (!object.apiVersion.startsWith('postgresql.cnpg.io/')) {
    return [];
  }
  const spec = record(object.body.spec);
  const suffixes = ['ca', 'server', 'replication'];
  if (record(record(record(spec.bootstrap).initdb).secret).name === undefined) {
    suffixes.push('app');
  }
  if (spec.enableSuperuserAccess === true) {
    suffixes.push('superuser');
  }
  return suffixes.map((suffix) => `${object.name}-${suffix}`);
}

/** Names of the Secrets that will exist in `namespace`, with what produces each. */
export function availableSecrets(scope: EnvironmentScope, namespace: string | undefined): Map<string, string> {
  return new Map([...secretProducers(scope, namespace)].map(([name, object]) => [name, `${object.kind} ${object.name}`]));
}

/** Names of the Secrets that will exist in `namespace`, with the object that produces each. */
export function secretProducers(scope: EnvironmentScope, namespace: string | undefined): Map<string, ManifestObject> {
  const result = new Map<string, ManifestObject>();
  for (const object of scope.inNamespace(namespace)) {
    for (const name of SECRET_PRODUCERS[object.kind]?.(object) ?? []) {
      if (name && !result.has(name)) {
        result.set(name, object);
      }
    }
  }
  return result;
}

/** Annotations that make cert-manager's ingress-shim create the Ingress's TLS Secrets. */
export const CERT_MANAGER_INGRESS_ANNOTATIONS: readonly string[] = ['cert-manager.io/cluster-issuer', 'cert-manager.io/issuer'];
