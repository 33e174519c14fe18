import { EnvironmentScope } from '../environment-scope';
import { record, records, text } from '../json-access';
import { PathSegment } from '../json-path';
import { ManifestObject } from '../manifest';
import { containersOf, PodTemplate, podSpecPath } from '../pod-templates';
import { Rule, RuleViolation } from '../rule';
import { podRule } from '../rule-builders';
import { availableSecrets, IMPLICIT_CONFIG_MAPS, IMPLICIT_SERVICE_ACCOUNTS } from './operator-conventions';

/** One by-name reference from a pod to another object. */
export interface NamedReference {
  readonly name: string;
  readonly path: readonly PathSegment[];
  readonly optional: boolean;
}

export function reference(name: unknown, path: readonly PathSegment[], optional: unknown = false): NamedReference[] {
  return typeof name === 'string' && name ? [{ name, path, optional: optional === true }] : [];
}

/** Where a pod names ConfigMaps (kind `configMap`) or Secrets (kind `secret`). */
export function podReferences(pod: PodTemplate, kind: 'configMap' | 'secret'): NamedReference[] {
  const keyRef = kind === 'configMap' ? 'configMapKeyRef' : 'secretKeyRef';
  const fromRef = kind === 'configMap' ? 'configMapRef' : 'secretRef';
  const volumeName = kind === 'configMap' ? 'name' : 'secretName';
  const result: NamedReference[] = [];
  records(pod.spec.volumes).forEach((volume, index) => {
    const source = record(volume[kind]);
    result.push(...reference(source[volumeName], podSpecPath(pod, 'volumes', index, kind, volumeName), source.optional));
    records(record(volume.projected).sources).forEach((projection, sourceIndex) => {
      const projected = record(projection[kind]);
      result.push(...reference(projected.name, podSpecPath(pod, 'volumes', index, 'projected', 'sources', sourceIndex, kind, 'name'), projected.optional));
    });
  });
  for (const entry of containersOf(pod)) {
    records(entry.container.env).forEach((variable, index) => {
      const selector = record(record(variable.valueFrom)[keyRef]);
      result.push(...reference(selector.name, [...entry.path, 'env', index, 'valueFrom', keyRef, 'name'], selector.optional));
    });
    records(entry.container.envFrom).forEach((source, index) => {
      const selector = record(source[fromRef]);
      result.push(...reference(selector.name, [...entry.path, 'envFrom', index, fromRef, 'name'], selector.optional));
    });
  }
  if (kind === 'secret') {
    records(pod.spec.imagePullSecrets).forEach((secret, index) => result.push(...reference(secret.name, podSpecPath(pod, 'imagePullSecrets', index, 'name'))));
  }
  return result;
}

function missing(references: NamedReference[], exists: (name: string) => boolean, describe: (name: string) => string): RuleViolation[] {
  return references.filter((entry) => !entry.optional && !exists(entry.name)).map((entry) => ({ path: entry.path, message: describe(entry.name) }));
}

function namesOf(scope: EnvironmentScope, kind: string, object: ManifestObject): Set<string> {
  return new Set(scope.ofKind(kind, object.namespace).map((candidate) => candidate.name));
}

export const POD_REFERENCE_RULES: readonly Rule[] = [
  podRule(
    {
      id: 'XREF-SERVICE-ACCOUNT',
      requirement: "a pod's serviceAccountName is a ServiceAccount rendered in the same namespace (or default)",
      fix: 'Render the ServiceAccount next to the workload, or correct serviceAccountName.',
    },
    (pod, object, scope) => {
      const name = text(pod.spec.serviceAccountName);
      if (name === undefined || IMPLICIT_SERVICE_ACCOUNTS.has(name) || scope.find('ServiceAccount', name, object.namespace)) {
        return [];
      }
      return [{ path: podSpecPath(pod, 'serviceAccountName'), message: `ServiceAccount ${name} does not exist in namespace ${object.namespace ?? '(none)'}` }];
    },
    { inPodNamespace: true },
  ),
  podRule(
    {
      id: 'XREF-CONFIGMAP',
      requirement: 'every ConfigMap a pod uses (volumes, env, envFrom) is rendered in the same namespace, unless marked optional',
      fix: 'Render the ConfigMap, correct the name, or mark the reference optional: true.',
    },
    (pod, object, scope) => {
      const names = namesOf(scope, 'ConfigMap', object);
      return missing(podReferences(pod, 'configMap'), (name) => names.has(name) || IMPLICIT_CONFIG_MAPS.has(name), (name) => `ConfigMap ${name} does not exist in namespace ${object.namespace ?? '(none)'}`);
    },
    { inPodNamespace: true },
  ),
  podRule(
    {
      id: 'XREF-SECRET',
      requirement: 'every Secret a pod uses (volumes, env, envFrom, imagePullSecrets) is rendered or produced by an ExternalSecret, Certificate or operator convention',
      fix: 'Declare an ExternalSecret (or Certificate) that produces the Secret, or correct the name.',
    },
    (pod, object, scope) => {
      const secrets = availableSecrets(scope, object.namespace);
      return missing(podReferences(pod, 'secret'), (name) => secrets.has(name), (name) => `Secret ${name} is neither rendered nor produced by an ExternalSecret, Certificate or operator in namespace ${object.namespace ?? '(none)'}`);
    },
    { inPodNamespace: true },
  ),
  podRule(
    {
      id: 'XREF-PERSISTENT-VOLUME-CLAIM',
      requirement: 'every persistentVolumeClaim.claimName a pod mounts is rendered in the same namespace',
      fix: 'Render the PersistentVolumeClaim, or use an ephemeral volume / volumeClaimTemplates instead.',
    },
    (pod, object, scope) => {
      const names = namesOf(scope, 'PersistentVolumeClaim', object);
      const claims = records(pod.spec.volumes).flatMap((volume, index) => reference(record(volume.persistentVolumeClaim).claimName, podSpecPath(pod, 'volumes', index, 'persistentVolumeClaim', 'claimName')));
      return missing(claims, (name) => names.has(name), (name) => `PersistentVolumeClaim ${name} does not exist in namespace ${object.namespace ?? '(none)'}`);
    },
    { inPodNamespace: true },
  ),
];

