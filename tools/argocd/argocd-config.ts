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

/** The namespace and the settings an Argo CD install (manifests/install.yaml) brings, reduced to what the controller and repo server read. */
export function argoCdSettings(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ARGOCD_NAMESPACE } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-cm', namespace: ARGOCD_NAMESPACE, labels: PART_OF_ARGOCD },
      data: { [APPLICATION_HEALTH_KEY]: documentedApplicationHealthCheck() },
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
