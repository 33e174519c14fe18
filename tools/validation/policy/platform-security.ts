import { EnvironmentScope } from '../environment-scope';
import { list, record, records, stringMap, text } from '../json-access';
import { isProduction, ManifestObject } from '../manifest';
import { PodTemplate } from '../pod-templates';
import { Rule, RuleDescription, RuleViolation } from '../rule';
import { kindRule, podRule } from '../rule-builders';
import { PUBLIC_PATHS_ANNOTATION } from '../../../lib/platform/labels';
import { CaBundle } from '../../../lib/security/ca-bundle';

/**
 * The platform's own security requirements (issue "Security"): access control, secrets, the
 * Ingress edge and TLS on every store listener. Checks that hold only in production read the
 * environment from the folder the object was rendered into.
 */

const ROLE_KINDS = ['Role', 'ClusterRole'];
const BINDING_KINDS = ['RoleBinding', 'ClusterRoleBinding'];
/** Kubernetes' aggregated user-facing ClusterRoles that grant (nearly) everything in a namespace; cluster-admin is POLARIS-CLUSTER-ADMIN-BINDING's. */
const BROAD_CLUSTER_ROLES = ['admin', 'edit'];
const NGINX = 'nginx.ingress.kubernetes.io/';
const POSITIVE_INTEGER = /^[1-9][0-9]*$/;

/** A Secret value that is only CA certificates (base64 in `data`): public, and checked as CaBundle checks config. */
function isCaBundle(value: unknown, base64: boolean): boolean {
  return typeof value === 'string' && CaBundle.problemOf(base64 ? Buffer.from(value, 'base64').toString('utf8') : value) === undefined;
}

/** Every rule of every Ingress (`spec.rules[]`), with its index. */
function ingressRules(object: ManifestObject): { rule: Record<string, unknown>; index: number }[] {
  return records(record(object.body.spec).rules).map((rule, index) => ({ rule, index }));
}

/** Whether a TLS host (possibly `*.example.com`) covers `host`, as ingress-nginx matches certificates. */
function tlsHostCovers(tlsHost: string, host: string): boolean {
  if (tlsHost === host) {
    return true;
  }
  return tlsHost.startsWith('*.') && host.endsWith(tlsHost.slice(1)) && !host.slice(0, host.length - tlsHost.length + 1).includes('.');
}

/** The directives of a redis.conf (the last one of a name wins, as in Redis). */
function redisDirectives(config: string): Map<string, string> {
  const directives = new Map<string, string>();
  for (const line of config.split('\n')) {
    const [name, ...args] = line.trim().split(/\s+/);
    if (name && !name.startsWith('#')) {
      directives.set(name.toLowerCase(), args.join(' '));
    }
  }
  return directives;
}

/** The type and method of a pg_hba line (`hostssl all all all scram-sha-256` → hostssl, scram-sha-256). */
function pgHbaEntry(line: string): { type: string; method: string; fields: string[] } {
  const fields = line.trim().split(/\s+/);
  const type = fields[0] ?? '';
  // local lines have no address: type database user method; host* lines: type database user address method.
  const method = (type === 'local' ? fields[3] : fields[4]) ?? '';
  return { type, method, fields };
}

/** Connection types that may carry a session without TLS. */
const PLAINTEXT_HBA_TYPES = ['host', 'hostnossl', 'hostnogssenc'];

/** Whether a ServiceAccount is a subject of a RoleBinding or ClusterRoleBinding among the rendered objects. */
function isBoundServiceAccount(name: string, namespace: string | undefined, scope: EnvironmentScope): boolean {
  return scope.objects.some(
    (binding) =>
      BINDING_KINDS.includes(binding.kind) &&
      records(binding.body.subjects).some(
        (subject) => subject.kind === 'ServiceAccount' && subject.name === name && (text(subject.namespace) ?? binding.namespace) === namespace,
      ),
  );
}

/**
 * A rule on ServiceAccounts (their own automount setting) and on pods (the setting that applies
 * to them); ServiceAccounts bound to a role may mount their token.
 */
function serviceAccountTokenRule(
  description: RuleDescription,
  checkPod: (pod: PodTemplate, object: ManifestObject, scope: EnvironmentScope) => RuleViolation[],
): Rule {
  const pods = podRule(description, checkPod, { inPodNamespace: true });
  return {
    ...description,
    check: (object, scope) => {
      if (object.kind !== 'ServiceAccount') {
        return pods.check(object, scope);
      }
      return object.body.automountServiceAccountToken === false || isBoundServiceAccount(object.name, object.namespace, scope)
        ? []
        : [{ path: ['automountServiceAccountToken'], message: `ServiceAccount ${object.name} mounts its API token into every pod, and no binding gives the token any use` }];
    },
  };
}

export const PLATFORM_SECURITY_RULES: readonly Rule[] = [
  kindRule(
    {
      id: 'PLATFORM-RBAC-BROAD-ROLE',
      requirement: 'no RoleBinding or ClusterRoleBinding refers to the admin or edit ClusterRole, and no Role or ClusterRole grants "*" verbs or resources',
      fix: 'Write a Role that lists the resources and verbs the subject needs, and bind that instead.',
    },
    [...ROLE_KINDS, ...BINDING_KINDS],
    (object) => {
      if (BINDING_KINDS.includes(object.kind)) {
        const roleRef = record(object.body.roleRef);
        return roleRef.kind === 'ClusterRole' && BROAD_CLUSTER_ROLES.includes(String(roleRef.name))
          ? [{ path: ['roleRef', 'name'], message: `binds the ${String(roleRef.name)} ClusterRole` }]
          : [];
      }
      return records(object.body.rules).flatMap((rule, index) =>
        (['verbs', 'resources'] as const)
          .filter((field) => list(rule[field]).includes('*'))
          .map((field) => ({ path: ['rules', index, field], message: `${object.kind} ${object.name} grants "*" ${field}` })),
      );
    },
  ),
  kindRule(
    {
      id: 'PLATFORM-SECRET-DATA',
      requirement:
        'no rendered Secret carries data or stringData other than PEM bundles of CA certificates (public trust anchors, e.g. an object store\'s endpointCA): secret values come from Vault through ExternalSecrets, or from cert-manager',
      fix: 'Remove the Secret and declare an ExternalSecret (VaultSecret) or a cert-manager Certificate that produces it.',
    },
    ['Secret'],
    (object) =>
      (['data', 'stringData'] as const)
        .filter((field) => Object.values(record(object.body[field])).some((value) => !isCaBundle(value, field === 'data')))
        .map((field) => ({ path: [field], message: `Secret ${object.name} holds values in ${field}` })),
  ),
  kindRule(
    {
      id: 'PLATFORM-INGRESS-AUTHENTICATION',
      requirement: `every Ingress sends requests through the sign-in proxy (${NGINX}auth-url), or is annotated ${PUBLIC_PATHS_ANNOTATION} with the reason and serves only paths below /`,
      fix: `Set ${NGINX}auth-url (and auth-signin) to the sign-in proxy, or move the public paths to an Ingress of their own annotated ${PUBLIC_PATHS_ANNOTATION}: "<why they are public>".`,
    },
    ['Ingress'],
    (object) => {
      const annotations = stringMap(record(object.body.metadata).annotations);
      if ((annotations[`${NGINX}auth-url`] ?? '').trim() !== '') {
        return [];
      }
      const reason = annotations[PUBLIC_PATHS_ANNOTATION];
      if (reason === undefined || reason.trim() === '') {
        return [{ path: ['metadata', 'annotations'], message: `Ingress ${object.name} has neither ${NGINX}auth-url nor a ${PUBLIC_PATHS_ANNOTATION} reason` }];
      }
      const backend = record(object.body.spec).defaultBackend;
      const violations: RuleViolation[] =
        backend === undefined ? [] : [{ path: ['spec', 'defaultBackend'], message: `public Ingress ${object.name} has a defaultBackend, which serves every path` }];
      for (const { rule, index } of ingressRules(object)) {
        records(record(rule.http).paths).forEach((entry, pathIndex) => {
          const path = text(entry.path) ?? '';
          if (path.replace(/\/+$/, '') === '') {
            violations.push({ path: ['spec', 'rules', index, 'http', 'paths', pathIndex, 'path'], message: `public Ingress ${object.name} serves the root path ${JSON.stringify(path)} without sign-in` });
          }
        });
      }
      return violations;
    },
  ),
  kindRule(
    {
      id: 'PLATFORM-INGRESS-RATE-LIMIT',
      requirement: `every Ingress limits each client address: ${NGINX}limit-rps and ${NGINX}limit-connections are positive integers`,
      fix: `Set ${NGINX}limit-rps and ${NGINX}limit-connections (IngressOptions rateLimitPerSecond and connectionLimit).`,
    },
    ['Ingress'],
    (object) => {
      const annotations = stringMap(record(object.body.metadata).annotations);
      return ['limit-rps', 'limit-connections']
        .filter((name) => !POSITIVE_INTEGER.test(annotations[`${NGINX}${name}`] ?? ''))
        .map((name) => ({ path: ['metadata', 'annotations'], message: `Ingress ${object.name} has no positive ${NGINX}${name}` }));
    },
  ),
  kindRule(
    {
      id: 'PLATFORM-INGRESS-TLS',
      requirement: `every Ingress redirects plain HTTP to HTTPS (${NGINX}force-ssl-redirect: "true") and its tls hosts cover every rule host`,
      fix: `Set ${NGINX}force-ssl-redirect: "true" and list every rule host in spec.tls[].hosts with the Secret of its certificate.`,
    },
    ['Ingress'],
    (object) => {
      const annotations = stringMap(record(object.body.metadata).annotations);
      const violations: RuleViolation[] =
        annotations[`${NGINX}force-ssl-redirect`] === 'true' ? [] : [{ path: ['metadata', 'annotations'], message: `Ingress ${object.name} does not set ${NGINX}force-ssl-redirect: "true"` }];
      const tlsHosts = records(record(object.body.spec).tls).flatMap((entry) => list(entry.hosts).map(String));
      for (const { rule, index } of ingressRules(object)) {
        const host = text(rule.host);
        if (host === undefined) {
          violations.push({ path: ['spec', 'rules', index], message: `Ingress ${object.name} has a rule without host, which no certificate can cover` });
        } else if (!tlsHosts.some((tlsHost) => tlsHostCovers(tlsHost, host))) {
          violations.push({ path: ['spec', 'rules', index, 'host'], message: `host ${host} is not covered by spec.tls` });
        }
      }
      return violations;
    },
  ),
  kindRule(
    {
      id: 'PLATFORM-RABBITMQ-TLS',
      requirement: 'a RabbitmqCluster serves TLS (spec.tls.secretName) and, in production, no listener without TLS (spec.tls.disableNonTLSListeners: true)',
      fix: 'Set spec.tls.secretName to the Secret of the broker Certificate and, in production, spec.tls.disableNonTLSListeners: true.',
    },
    ['RabbitmqCluster'],
    (object) => {
      const tls = record(record(object.body.spec).tls);
      if ((text(tls.secretName) ?? '') === '') {
        return [{ path: ['spec', 'tls', 'secretName'], message: `RabbitmqCluster ${object.name} has no TLS certificate` }];
      }
      return isProduction(object) && tls.disableNonTLSListeners !== true
        ? [{ path: ['spec', 'tls', 'disableNonTLSListeners'], message: `RabbitmqCluster ${object.name} keeps its plaintext listeners open in production` }]
        : [];
    },
  ),
  kindRule(
    {
      id: 'PLATFORM-POSTGRES-TLS',
      requirement:
        'in production, a CloudNativePG Cluster admits no connection without TLS: spec.postgresql.pg_hba has a "hostnossl all all all reject" line, and no host, hostnossl or hostnogssenc line that does not reject',
      fix: 'Add "hostnossl all all all reject" to spec.postgresql.pg_hba (CloudNativePG appends "host all all all <method>" after it) and use hostssl for every other network line.',
    },
    ['Cluster'],
    (object) => {
      if (!object.apiVersion.startsWith('postgresql.cnpg.io/') || !isProduction(object)) {
        return [];
      }
      const lines = list(record(record(object.body.spec).postgresql).pg_hba).map(String);
      const entries = lines.map(pgHbaEntry);
      const violations: RuleViolation[] = entries.flatMap((entry, index) =>
        PLAINTEXT_HBA_TYPES.includes(entry.type) && entry.method !== 'reject'
          ? [{ path: ['spec', 'postgresql', 'pg_hba', index], message: `pg_hba line ${JSON.stringify(lines[index])} admits connections without TLS` }]
          : [],
      );
      const rejectsPlaintext = entries.some((entry) => entry.type === 'hostnossl' && entry.method === 'reject' && entry.fields.slice(1, 4).every((field) => field === 'all'));
      if (!rejectsPlaintext) {
        violations.push({ path: ['spec', 'postgresql', 'pg_hba'], message: `Cluster ${object.name} does not reject non-TLS connections; CloudNativePG's default "host all all all" line would admit them` });
      }
      return violations;
    },
  ),
  kindRule(
    {
      id: 'PLATFORM-REDIS-TLS',
      requirement: 'in production, every redis.conf (a ConfigMap key named redis.conf) disables the plaintext port (port 0) and sets a tls-port',
      fix: 'Render redis.conf with "port 0" and "tls-port <port>" (with tls-cert-file, tls-key-file and tls-ca-cert-file).',
    },
    ['ConfigMap'],
    (object) => {
      if (!isProduction(object)) {
        return [];
      }
      return Object.entries(record(object.body.data))
        .filter(([key]) => key === 'redis.conf')
        .flatMap(([key, value]) => {
          const directives = redisDirectives(String(value));
          const problems = [
            ...(directives.get('port') === '0' ? [] : [`port is ${directives.get('port') ?? 'unset (6379)'}, not 0`]),
            ...(Number(directives.get('tls-port') ?? 0) > 0 ? [] : ['no tls-port']),
          ];
          return problems.length === 0 ? [] : [{ path: ['data', key], message: `ConfigMap ${object.name} ${key}: ${problems.join('; ')}` }];
        });
    },
  ),
  serviceAccountTokenRule(
    {
      id: 'PLATFORM-SERVICE-ACCOUNT-TOKEN',
      requirement:
        'a ServiceAccount and a pod mount no API token (automountServiceAccountToken: false) unless a RoleBinding or ClusterRoleBinding grants the ServiceAccount something',
      fix: 'Set automountServiceAccountToken: false on the ServiceAccount and the pod, or bind the ServiceAccount to the Role it needs the token for.',
    },
    (pod, object, scope) => {
      const accountName = text(pod.spec.serviceAccountName) ?? 'default';
      const account = scope.find('ServiceAccount', accountName, object.namespace);
      const podSetting = pod.spec.automountServiceAccountToken;
      // The pod's setting wins; without one the ServiceAccount's applies; without either the token is mounted.
      const mounts = podSetting !== undefined ? podSetting !== false : account?.body.automountServiceAccountToken !== false;
      if (!mounts || isBoundServiceAccount(accountName, object.namespace, scope)) {
        return [];
      }
      return [{ path: [...pod.path, 'spec', 'automountServiceAccountToken'], message: `pod of ServiceAccount ${accountName} mounts an API token that no binding gives any use` }];
    },
  ),
];
