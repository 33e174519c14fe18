import { RenderedObject } from './rendered-objects';

/** The preview id an ApplicationSet gives each pull request: `pr-<number>`, as `npm run synth -- --preview pr-42` does. */
export const PULL_REQUEST_PREVIEW_ID = 'pr-{{number}}';

/**
 * A valid preview id used to find every value that depends on the preview id: the preview is
 * rendered once with the base id and once with this one, and every value that differs is
 * parametrized (this id replaced by PULL_REQUEST_PREVIEW_ID).
 */
export const PREVIEW_PROBE_ID = 'pr-9876543210';

/**
 * `test` then `replace`: the test makes a build fail loudly, instead of setting the wrong field,
 * when a pull request's dist/preview no longer has the base value at that path.
 */
export interface PatchOperation {
  readonly op: 'test' | 'replace';
  readonly path: string;
  readonly value: string;
}

/** A kustomize patch for one object of dist/preview: RFC 6902 operations that set its preview-specific values. */
export interface PreviewPatch {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** The object's name in dist/preview (before the patch). */
  readonly name: string;
  readonly operations: readonly PatchOperation[];
}

/**
 * Compares the base preview (dist/preview) with the same preview rendered for `probeId` and
 * returns, per object, the JSON-patch operations that turn the base into any pull request's
 * preview. `metadata.namespace` is left to kustomize's namespace setting. Throws when a value
 * differs in a way a string replacement cannot express (a different structure, or a value that
 * does not contain the probe id), because then dist/preview cannot be parametrized without synth.
 */
export function previewPatches(base: readonly RenderedObject[], probe: readonly RenderedObject[], probeId: string = PREVIEW_PROBE_ID, pullRequestId: string = PULL_REQUEST_PREVIEW_ID): PreviewPatch[] {
  if (base.length !== probe.length) {
    throw new Error(`the preview renders ${base.length} objects for its base id and ${probe.length} for "${probeId}": objects must not depend on the preview id`);
  }
  return base.flatMap((object, index): PreviewPatch[] => {
    const other = probe[index];
    const where = `${object.kind} ${object.metadata.name}`;
    if (other.kind !== object.kind || other.apiVersion !== object.apiVersion) {
      throw new Error(`object ${index + 1} of the preview is ${where} for the base id but ${other.kind} ${other.metadata.name} for "${probeId}"`);
    }
    const operations: PatchOperation[] = [];
    diffValues(object, other, '', where, (path, baseValue, value) => {
      if (path === '/metadata/namespace') {
        return;
      }
      if (!value.includes(probeId)) {
        throw new Error(`${where}: ${path} depends on the preview id but does not contain it ("${value}"), so no kustomize patch can set it per pull request`);
      }
      operations.push({ op: 'test', path, value: baseValue }, { op: 'replace', path, value: value.split(probeId).join(pullRequestId) });
    });
    if (operations.length === 0) {
      return [];
    }
    const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
    return [{ group, version, kind: object.kind, name: object.metadata.name ?? '', operations }];
  });
}

function diffValues(a: unknown, b: unknown, path: string, where: string, onChangedString: (path: string, baseValue: string, value: string) => void): void {
  if (typeof a === 'string' && typeof b === 'string') {
    if (a !== b) {
      onChangedString(path, a, b);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((item, i) => diffValues(item, b[i], `${path}/${i}`, where, onChangedString));
    return;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length || keys.some((k) => !(k in b))) {
      throw new Error(`${where}: the fields at ${path || '/'} depend on the preview id`);
    }
    for (const key of keys) {
      diffValues(a[key], b[key], `${path}/${escapePointer(key)}`, where, onChangedString);
    }
    return;
  }
  if (a !== b) {
    throw new Error(`${where}: ${path} depends on the preview id and is not a string`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 6901: `~` -> `~0`, `/` -> `~1`. */
function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
