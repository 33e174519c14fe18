import { EnvironmentScope } from '../environment-scope';
import { list, record, records, text } from '../json-access';
import { ManifestObject } from '../manifest';
import { containersOf } from '../pod-templates';
import { Rule } from '../rule';
import { kindRule, podRule } from '../rule-builders';

/**
 * Polaris danger-level default checks not already covered by a PSS-RESTRICTED or KUBE-LINTER rule:
 * https://polaris.docs.fairwinds.com/checks/security/ (pkg/config/default.yaml).
 */

const SENSITIVE_NAMES = [/^AWS_SECRET_ACCESS_KEY$/i, /^GOOGLE_APPLICATION_CREDENTIALS$/i, /^AZURE_.+KEY$/i, /^OCI_CLI_KEY_CONTENT$/i, /password/i, /token/i, /bearer/i, /secret/i];
const PRIVATE_KEY = /-BEGIN\s+.*PRIVATE KEY-/i;
const EXEC_RESOURCES = new Set(['pods/exec', 'pods/attach', '*']);
const GRANTING_VERBS = new Set(['create', '*']);
const ROLE_KINDS = ['Role', 'ClusterRole'];
const BINDING_KINDS = ['RoleBinding', 'ClusterRoleBinding'];

function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAMES.some((pattern) => pattern.test(name));
}

/** Whether a Role or ClusterRole lets its subjects exec into or attach to pods. */
function grantsPodExec(role: ManifestObject): boolean {
  return records(role.body.rules).some(
    (rule) =>
      list(rule.apiGroups).some((group) => group === '' || group === '*') &&
      list(rule.resources).some((resource) => EXEC_RESOURCES.has(String(resource))) &&
      list(rule.verbs).some((verb) => GRANTING_VERBS.has(String(verb))),
  );
}

/** The Role or ClusterRole a binding refers to, when it is among the rendered objects. */
function boundRole(binding: ManifestObject, scope: EnvironmentScope): ManifestObject | undefined {
  const roleRef = record(binding.body.roleRef);
  const kind = text(roleRef.kind) ?? '';
  const namespace = kind === 'ClusterRole' ? undefined : binding.namespace;
  return scope.find(kind, text(roleRef.name) ?? '', namespace);
}

export const POLARIS_RULES: readonly Rule[] = [
  podRule(
    {
      id: 'POLARIS-SENSITIVE-CONTAINER-ENV-VAR',
      requirement: 'no environment variable with a secret-looking name (password, token, secret, ...) or a private key has a literal value',
      fix: 'Read the value from a Secret with valueFrom.secretKeyRef (or mount the Secret as a file).',
    },
    (pod) =>
      containersOf(pod).flatMap((entry) =>
        records(entry.container.env).flatMap((variable, index) => {
          const name = text(variable.name) ?? '';
          const value = text(variable.value);
          if (value === undefined || value === '' || !(isSensitiveName(name) || PRIVATE_KEY.test(value))) {
            return [];
          }
          return [{ path: [...entry.path, 'env', index, 'value'], message: `container "${entry.name}" sets ${name} to a literal value` }];
        }),
      ),
  ),
  kindRule(
    {
      id: 'POLARIS-SENSITIVE-CONFIGMAP-CONTENT',
      requirement: 'no ConfigMap key looks like a secret (password, token, secret, ...) and no value holds a private key',
      fix: 'Move the value into a Secret (produced by an ExternalSecret) and reference that instead.',
    },
    ['ConfigMap'],
    (object) =>
      Object.entries(record(object.body.data)).flatMap(([key, value]) =>
        isSensitiveName(key) || PRIVATE_KEY.test(String(value)) ? [{ path: ['data', key], message: `ConfigMap key ${key} looks like secret content` }] : [],
      ),
  ),
  kindRule(
    {
      id: 'POLARIS-POD-EXEC-ATTACH-ROLE',
      requirement: 'no Role or ClusterRole grants create on pods/exec or pods/attach',
      fix: 'Remove pods/exec and pods/attach (and wildcards) from the role rules.',
    },
    ROLE_KINDS,
    (object) => (grantsPodExec(object) ? [{ path: ['rules'], message: `${object.kind} ${object.name} allows exec into or attach to pods` }] : []),
  ),
  kindRule(
    {
      id: 'POLARIS-POD-EXEC-ATTACH-BINDING',
      requirement: 'no RoleBinding or ClusterRoleBinding binds a rendered role that grants pods/exec or pods/attach',
      fix: 'Bind a role without pods/exec and pods/attach.',
    },
    BINDING_KINDS,
    (object, scope) => {
      const role = boundRole(object, scope);
      return role && grantsPodExec(role) ? [{ path: ['roleRef'], message: `binds ${role.kind} ${role.name}, which allows exec into or attach to pods` }] : [];
    },
  ),
  kindRule(
    {
      id: 'POLARIS-CLUSTER-ADMIN-BINDING',
      requirement: 'no RoleBinding or ClusterRoleBinding refers to the cluster-admin role',
      fix: 'Bind a role that grants only what the subjects need.',
    },
    BINDING_KINDS,
    (object) => (record(object.body.roleRef).name === 'cluster-admin' ? [{ path: ['roleRef', 'name'], message: 'binds cluster-admin' }] : []),
  ),
];
