import { EnvironmentScope } from '../environment-scope';
import { record, records, text } from '../json-access';
import { PathSegment } from '../json-path';
import { ManifestObject } from '../manifest';
import { kindRule } from '../rule-builders';
import { Rule } from '../rule';
import { availableSecrets } from './operator-conventions';

/** References between custom resources of the operators the platform uses. */

const RABBITMQ_TOPOLOGY_KINDS = ['Queue', 'Exchange', 'Binding', 'Policy', 'User', 'Permission', 'Vhost'];
const CLOUDNATIVE_PG_DEPENDENT_KINDS = ['Pooler', 'ScheduledBackup', 'Backup'];

interface SecretReference {
  readonly name: string;
  readonly path: readonly PathSegment[];
}

/** Secrets a custom resource names for its operator to read. */
function secretReferences(object: ManifestObject): SecretReference[] {
  const spec = record(object.body.spec);
  const named = (value: unknown, path: PathSegment[]): SecretReference[] => (typeof value === 'string' && value ? [{ name: value, path }] : []);
  switch (`${object.apiVersion.split('/')[0]}/${object.kind}`) {
    case 'keda.sh/TriggerAuthentication':
      return records(spec.secretTargetRef).flatMap((reference, index) => named(reference.name, ['spec', 'secretTargetRef', index, 'name']));
    case 'rabbitmq.com/User':
      return named(record(spec.importCredentialsSecret).name, ['spec', 'importCredentialsSecret', 'name']);
    case 'postgresql.cnpg.io/Cluster':
      return [
        ...named(record(record(record(spec.bootstrap).initdb).secret).name, ['spec', 'bootstrap', 'initdb', 'secret', 'name']),
        ...named(record(spec.superuserSecret).name, ['spec', 'superuserSecret', 'name']),
      ];
    // A ClusterAnalysisTemplate reads its Secrets in the namespace of each run, so only namespaced templates are checked.
    case 'argoproj.io/AnalysisTemplate':
      return records(spec.args).flatMap((arg, index) => named(record(record(arg.valueFrom).secretKeyRef).name, ['spec', 'args', index, 'valueFrom', 'secretKeyRef', 'name']));
    default:
      return [];
  }
}

function isRabbitMqTopology(object: ManifestObject): boolean {
  return object.apiVersion.startsWith('rabbitmq.com/') && RABBITMQ_TOPOLOGY_KINDS.includes(object.kind);
}

function namespaceLabel(namespace: string | undefined): string {
  return namespace ?? '(none)';
}

export const OPERATOR_REFERENCE_RULES: readonly Rule[] = [
  kindRule(
    {
      id: 'XREF-TRIGGER-AUTHENTICATION',
      requirement: "every ScaledObject trigger's authenticationRef names a rendered TriggerAuthentication (same namespace) or ClusterTriggerAuthentication",
      fix: 'Render the TriggerAuthentication next to the ScaledObject, or correct authenticationRef.',
    },
    ['ScaledObject'],
    (object, scope) =>
      records(record(object.body.spec).triggers).flatMap((trigger, index) => {
        const reference = record(trigger.authenticationRef);
        const name = text(reference.name);
        if (name === undefined) {
          return [];
        }
        const kind = text(reference.kind) ?? 'TriggerAuthentication';
        const found = kind === 'ClusterTriggerAuthentication' ? scope.objects.some((candidate) => candidate.kind === kind && candidate.name === name) : scope.find(kind, name, object.namespace);
        return found ? [] : [{ path: ['spec', 'triggers', index, 'authenticationRef'], message: `${kind} ${name} is not rendered` }];
      }),
  ),
  {
    id: 'XREF-RABBITMQ-CLUSTER',
    requirement: "a RabbitMQ topology object's rabbitmqClusterReference names a rendered RabbitmqCluster",
    fix: 'Correct spec.rabbitmqClusterReference.name (and namespace), or render the RabbitmqCluster.',
    check: (object, scope) => {
      const reference = record(record(object.body.spec).rabbitmqClusterReference);
      if (!isRabbitMqTopology(object) || reference.name === undefined) {
        return [];
      }
      const namespace = text(reference.namespace) ?? object.namespace;
      return scope.find('RabbitmqCluster', text(reference.name) ?? '', namespace)
        ? []
        : [{ path: ['spec', 'rabbitmqClusterReference', 'name'], message: `RabbitmqCluster ${String(reference.name)} is not rendered in namespace ${namespaceLabel(namespace)}` }];
    },
  },
  kindRule(
    {
      id: 'XREF-POSTGRES-CLUSTER',
      requirement: 'a CloudNativePG Pooler, Backup or ScheduledBackup names a rendered Cluster in its namespace',
      fix: 'Correct spec.cluster.name, or render the Cluster.',
    },
    CLOUDNATIVE_PG_DEPENDENT_KINDS,
    (object, scope) => {
      if (!object.apiVersion.startsWith('postgresql.cnpg.io/')) {
        return [];
      }
      const name = text(record(record(object.body.spec).cluster).name) ?? '';
      const cluster = scope.find('Cluster', name, object.namespace);
      return cluster?.apiVersion.startsWith('postgresql.cnpg.io/') ? [] : [{ path: ['spec', 'cluster', 'name'], message: `Cluster ${name} is not rendered in namespace ${namespaceLabel(object.namespace)}` }];
    },
  ),
  {
    id: 'XREF-OPERATOR-SECRET',
    requirement: 'every Secret a custom resource names (KEDA TriggerAuthentication, RabbitMQ User, CloudNativePG Cluster, Argo Rollouts AnalysisTemplate args) is rendered or produced by an ExternalSecret, Certificate or operator convention',
    fix: 'Declare an ExternalSecret that produces the Secret, or correct the name.',
    check: (object, scope: EnvironmentScope) => {
      const references = secretReferences(object);
      if (references.length === 0) {
        return [];
      }
      const secrets = availableSecrets(scope, object.namespace);
      return references
        .filter((reference) => !secrets.has(reference.name))
        .map((reference) => ({ path: reference.path, message: `Secret ${reference.name} is neither rendered nor produced by an ExternalSecret, Certificate or operator in namespace ${namespaceLabel(object.namespace)}` }));
    },
  },
];
