import { KubeClient, KubeObject } from '../cluster/kube-client';

const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';

const describe = (object: KubeObject) => `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;

type Path = readonly (string | number)[];

/** Every leaf path of `value` (as its keys and indexes), empty maps and lists and nulls left out: they carry nothing to drop. */
function leafPaths(value: unknown, prefix: Path): Path[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => leafPaths(item, [...prefix, index]));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => leafPaths(item, [...prefix, key]));
  }
  return value === null || value === undefined ? [] : [prefix];
}

function has(value: unknown, path: Path): boolean {
  let current: unknown = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !(key in (current as Record<string | number, unknown>))) {
      return false;
    }
    current = (current as Record<string | number, unknown>)[key];
  }
  return true;
}

/** `spec.template.metadata.labels["app.kubernetes.io/name"]`, `spec.topologySpreadConstraints[0].nodeTaintsPolicy`. */
const pathText = (path: Path) =>
  path.map((key, index) => (typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$-]*$/.test(key) ? `${index === 0 ? '' : '.'}${key}` : `[${JSON.stringify(key)}]`)).join('');

/**
 * Fields that Git has and the cluster does not: for each rendered object, every leaf of its
 * manifest that the live object lacks (`<Kind> <namespace>/<name>: <path>`). Argo CD does not see
 * these once the object exists: with Server-Side Diff the API server prunes the unknown field from
 * the predicted state too, so the Application stays Synced while the setting in Git does nothing
 * (found by this test with `nodeTaintsPolicy` on a CloudNativePG Cluster). Values may differ
 * (quantities are normalized, defaults added); only a missing path counts. Hooks are left out.
 */
export async function droppedFields(client: KubeClient, rendered: readonly KubeObject[]): Promise<string[]> {
  const dropped: string[] = [];
  for (const object of rendered.filter((candidate) => !(candidate.metadata.annotations as Record<string, string> | undefined)?.[HOOK_ANNOTATION])) {
    const response = await client.request('GET', client.pathOf(object));
    if (response.status !== 200) {
      dropped.push(`${describe(object)}: not in the cluster`);
      continue;
    }
    const live = response.body;
    // A status in a manifest is never applied (the API server keeps its own), so it cannot be dropped.
    const desired = Object.fromEntries(Object.entries(object).filter(([key]) => key !== 'status'));
    dropped.push(...leafPaths(desired, []).filter((path) => !has(live, path)).map((path) => `${describe(object)}: ${pathText(path)}`));
  }
  return dropped;
}
