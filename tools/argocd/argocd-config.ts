import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { KubeObject } from '../cluster/kube-client';

/** The namespace Argo CD runs in and reads its settings from (`--namespace` of the controller). */
export const ARGOCD_NAMESPACE = 'argocd';

/**
 * Argo CD's settings manager lists its ConfigMaps with the label selector
 * `app.kubernetes.io/part-of=argocd` (util/settings/settings.go of v2.10.18, `partOfArgoCDSelector`):
 * an argocd-cm without the label is as good as missing.
 */
const PART_OF_ARGOCD = { 'app.kubernetes.io/part-of': 'argocd' };

/** docs/gitops.md marks the Application health check it tells a person to put into argocd-cm with this comment. */
const HEALTH_CHECK_MARKER = '<!-- application-health-check -->';
/** The argocd-cm key of that check (`resource.customizations.health.<group>_<kind>`, docs/gitops.md step 2). */
export const APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';

/**
 * The Lua block under the marker in docs/gitops.md, unindented: the repository renders no
 * argocd-cm (a person adds the check when bootstrapping Argo CD), so the harness takes exactly
 * what the bootstrap documentation lists, never a copy of it.
 */
export function documentedApplicationHealthCheck(docs: string = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'gitops.md'), 'utf8')): string {
  const marker = docs.indexOf(HEALTH_CHECK_MARKER);
  if (marker < 0) {
    throw new Error(`docs/gitops.md has no ${HEALTH_CHECK_MARKER} block: the Application health check for argocd-cm cannot be read`);
  }
  const start = docs.indexOf('```lua', marker);
  const end = docs.indexOf('```', start + 6);
  const lines = docs.slice(start + 6, end).split('\n').slice(1, -1);
  const indent = Math.min(...lines.filter((line) => line.trim() !== '').map((line) => line.length - line.trimStart().length));
  return lines.map((line) => line.slice(indent)).join('\n') + '\n';
}

/**
 * docs/gitops.md step 2: compare no object's status (`ignoreResourceStatusField: all`; Argo CD
 * 2.10 ignores only CRDs' by default, 3.0 made `all` the default). With Server-Side Diff, a
 * controller's status write showed as a difference: every run of Kyverno's cleanup CronJobs put
 * that Application OutOfSync and self-heal synced it again, every 10 minutes for ever (found by
 * test/argocd/production-bootstrap.argocd.test.ts; argoproj/argo-cd issue 17394).
 */
export const COMPARE_OPTIONS_KEY = 'resource.compareoptions';
export const COMPARE_OPTIONS = 'ignoreResourceStatusField: all\n';

/** The argocd-cm key of the APIService health check the harness adds (see SIMULATED_API_SERVICES). */
export const API_SERVICE_HEALTH_KEY = 'resource.customizations.health.apiregistration.k8s.io_APIService';

/**
 * Aggregated APIs whose servers do not run here, by APIService name, with who would serve them.
 * An APIService is Available only once kube-apiserver's availability controller reached the
 * server's discovery endpoint through its Service, and here that Service's endpoints are KWOK pod
 * IPs nothing answers at. That status belongs to kube-apiserver, so no status writer can stand in
 * for it (the controller would overwrite it); instead Argo CD's check calls these Healthy, named as
 * simulated in its message.
 */
export const SIMULATED_API_SERVICES: Readonly<Record<string, string>> = {
  'v1beta1.external.metrics.k8s.io': "KEDA's metrics API server (keda-operator-metrics-apiserver)",
};

/**
 * The APIService health check for argocd-cm: the simulated APIServices are Healthy; every other
 * one is judged exactly as gitops-engine's built-in check does (pkg/health/health_apiservice.go of
 * the gitops-engine Argo CD 2.10.18 pins: the Available condition, "<reason>: <message>").
 */
export function apiServiceHealthCheck(simulated: Readonly<Record<string, string>> = SIMULATED_API_SERVICES): string {
  const table = Object.entries(simulated).map(([name, server]) => `  [${JSON.stringify(name)}] = ${JSON.stringify(server)},`).join('\n');
  return [
    'local simulated = {',
    table,
    '}',
    'hs = {}',
    'if simulated[obj.metadata.name] ~= nil then',
    '  hs.status = "Healthy"',
    '  hs.message = "simulated: " .. simulated[obj.metadata.name] .. " does not run in this test cluster"',
    '  return hs',
    'end',
    'if obj.status ~= nil and obj.status.conditions ~= nil then',
    '  for _, condition in ipairs(obj.status.conditions) do',
    '    if condition.type == "Available" then',
    '      if condition.status == "True" then hs.status = "Healthy" else hs.status = "Progressing" end',
    '      hs.message = (condition.reason or "") .. ": " .. (condition.message or "")',
    '      return hs',
    '    end',
    '  end',
    'end',
    'hs.status = "Progressing"',
    'hs.message = "Waiting to be processed"',
    'return hs',
    '',
  ].join('\n');
}

/**
 * argocd-gpg-keys-cm as Argo CD keeps it (common.ArgoCDGPGKeysConfigMapName): one entry per public
 * key, named by its long key ID, holding the armored key (docs/user-guide/gpg-verification.md of
 * v2.10.18, declarative setup). install.yaml brings it empty; `argocd gpg add` or an administrator
 * fills it. Only the repo server reads it, through the folder it is mounted at (ArgoCd writes
 * that folder); the object is here so that the cluster shows what a real one would.
 */
export function gpgKeysConfigMap(publicKeys: Readonly<Record<string, string>>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argocd-gpg-keys-cm', namespace: ARGOCD_NAMESPACE, labels: { ...PART_OF_ARGOCD, 'app.kubernetes.io/name': 'argocd-gpg-keys-cm' } },
    data: { ...publicKeys },
  };
}

/** The namespace and the settings an Argo CD install (manifests/install.yaml) brings, reduced to what the controller and repo server read. */
export function argoCdSettings(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ARGOCD_NAMESPACE } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-cm', namespace: ARGOCD_NAMESPACE, labels: PART_OF_ARGOCD },
      data: { [APPLICATION_HEALTH_KEY]: documentedApplicationHealthCheck(), [COMPARE_OPTIONS_KEY]: COMPARE_OPTIONS, [API_SERVICE_HEALTH_KEY]: apiServiceHealthCheck() },
    },
    // No policies: only the API server (not run here) enforces them; the controller reads the ConfigMap's presence.
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-rbac-cm', namespace: ARGOCD_NAMESPACE, labels: PART_OF_ARGOCD }, data: {} },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'argocd-secret', namespace: ARGOCD_NAMESPACE, labels: PART_OF_ARGOCD },
      type: 'Opaque',
      // What the API server would generate on its first start; random per run.
      stringData: { 'server.secretkey': randomBytes(32).toString('base64') },
    },
  ];
}
