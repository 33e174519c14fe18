import { imageRegistry } from '../container-image';
import { EnvironmentScope } from '../environment-scope';
import { record, records, text } from '../json-access';
import { PathSegment } from '../json-path';
import { describeObject, ManifestObject } from '../manifest';
import { containersOf, podSpecPath } from '../pod-templates';
import { privateRegistryOf } from '../private-registry';
import { Rule, RuleDescription, RuleViolation } from '../rule';
import { podRule } from '../rule-builders';
import { IMPLICIT_SERVICE_ACCOUNTS, secretProducers } from './operator-conventions';
import { NamedReference, reference } from './pod-references';

/** Secret types a kubelet reads registry credentials from. */
const REGISTRY_CREDENTIAL_TYPES: readonly string[] = ['kubernetes.io/dockerconfigjson', 'kubernetes.io/dockercfg'];

/** Whether the Secret `producer` makes is one a kubelet pulls with: a Secret's own type, an ExternalSecret's target template type. */
function producesRegistryCredential(producer: ManifestObject | undefined): boolean {
  const type =
    producer?.kind === 'Secret' ? producer.body.type : producer?.kind === 'ExternalSecret' ? record(record(record(producer.body.spec).target).template).type : undefined;
  return REGISTRY_CREDENTIAL_TYPES.includes(text(type) ?? '');
}

function pullSecretReferences(imagePullSecrets: unknown, path: (index: number) => PathSegment[]): NamedReference[] {
  return records(imagePullSecrets).flatMap((entry, index) => reference(entry.name, path(index)));
}

/** A finding for each imagePullSecrets entry that names no registry credential in the namespace. */
function unresolved(references: readonly NamedReference[], namespace: string | undefined, scope: EnvironmentScope): RuleViolation[] {
  const producers = secretProducers(scope, namespace);
  return references.flatMap((entry) => {
    const producer = producers.get(entry.name);
    if (producesRegistryCredential(producer)) {
      return [];
    }
    const message = producer
      ? `imagePullSecrets names ${entry.name}, which ${describeObject(producer)} produces without a type of ${REGISTRY_CREDENTIAL_TYPES.join(' or ')}, so the kubelet cannot pull with it`
      : `imagePullSecrets names ${entry.name}, which is neither a rendered Secret nor an ExternalSecret target in namespace ${namespace ?? '(none)'}`;
    return [{ path: entry.path, message }];
  });
}

/** A rule on ServiceAccounts (their imagePullSecrets) and on pods (their own imagePullSecrets). */
function pullSecretRule(description: RuleDescription): Rule {
  const pods = podRule(
    description,
    (pod, object, scope) => unresolved(pullSecretReferences(pod.spec.imagePullSecrets, (index) => podSpecPath(pod, 'imagePullSecrets', index, 'name')), object.namespace, scope),
    { inPodNamespace: true },
  );
  return {
    ...description,
    check: (object, scope) =>
      object.kind === 'ServiceAccount'
        ? unresolved(pullSecretReferences(object.body.imagePullSecrets, (index) => ['imagePullSecrets', index, 'name']), object.namespace, scope)
        : pods.check(object, scope),
  };
}

export const IMAGE_PULL_REFERENCE_RULES: readonly Rule[] = [
  pullSecretRule({
    id: 'XREF-IMAGE-PULL-SECRET',
    requirement:
      'every imagePullSecrets name of a ServiceAccount or pod is a registry credential in the same namespace: a rendered Secret or an ExternalSecret target of type kubernetes.io/dockerconfigjson (or the legacy kubernetes.io/dockercfg)',
    fix: 'Name the Secret of VaultSecret.registryCredentials() (registry-pull-secret), or render the ExternalSecret that produces it.',
  }),
  podRule(
    {
      id: 'XREF-PRIVATE-IMAGE-PULL-SECRET',
      requirement:
        "a pod that runs an image from the environment's private registry (imageRegistry.server in lib/config) pulls with a registry credential: its ServiceAccount's imagePullSecrets (or the pod's own, which replace them) name one",
      fix: 'Call pullImagesWith(registryCredentials) on the workload, so that its ServiceAccount lists the registry pull secret in imagePullSecrets.',
    },
    (pod, object, scope) => {
      const registry = privateRegistryOf(object.environment);
      const privateImages = containersOf(pod).filter((entry) => registry !== undefined && imageRegistry(text(entry.container.image) ?? '') === registry);
      if (privateImages.length === 0) {
        return [];
      }
      const accountName = text(pod.spec.serviceAccountName) ?? 'default';
      const account = scope.find('ServiceAccount', accountName, object.namespace);
      if (!account && !IMPLICIT_SERVICE_ACCOUNTS.has(accountName)) {
        return []; // XREF-SERVICE-ACCOUNT's finding
      }
      // The ServiceAccount admission plugin gives a pod its ServiceAccount's imagePullSecrets only when the pod lists none.
      const own = records(pod.spec.imagePullSecrets);
      const pullSecrets = own.length > 0 ? own : records(account?.body.imagePullSecrets);
      const producers = secretProducers(scope, object.namespace);
      if (pullSecrets.some((entry) => producesRegistryCredential(producers.get(text(entry.name) ?? '')))) {
        return [];
      }
      const holder = own.length > 0 ? 'the pod' : `ServiceAccount ${accountName}`;
      const images = privateImages.map((entry) => `container "${entry.name}" runs ${String(entry.container.image)}`).join('; ');
      return [
        {
          path: podSpecPath(pod, own.length > 0 ? 'imagePullSecrets' : 'serviceAccountName'),
          message: `${images} from the private registry ${registry}, but the imagePullSecrets of ${holder} name no registry credential`,
        },
      ];
    },
    { inPodNamespace: true },
  ),
];
