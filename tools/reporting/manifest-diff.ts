import { RenderedObject } from './manifests';

/** One changed field: its path (`spec.template.spec.containers[web].image`) and both values; undefined when absent. */
export interface FieldChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface ChangedObject {
  readonly key: string;
  readonly changes: readonly FieldChange[];
}

/** What changed in one folder of the render (an environment, or e.g. `argocd/production`) between two renders. */
export interface EnvironmentDiff {
  readonly environment: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly ChangedObject[];
}

/** `apiVersion Kind namespace/name`: how objects are matched between the two sides. */
export function objectKey(object: Pick<RenderedObject, 'apiVersion' | 'kind' | 'name' | 'namespace'>): string {
  return `${object.apiVersion} ${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
}

/**
 * Compares two renders object by object, per folder (an environment, or one cluster's Argo CD folder): objects
 * are matched by apiVersion, kind, namespace and name wherever they live, so moving an object to
 * another file is no change. Environments without a difference are left out.
 */
export function diffRenders(before: readonly RenderedObject[], after: readonly RenderedObject[]): EnvironmentDiff[] {
  const environments = [...new Set([...before, ...after].map((o) => o.environment))].sort();
  return environments
    .map((environment) => {
      const old = byKey(before.filter((o) => o.environment === environment));
      const current = byKey(after.filter((o) => o.environment === environment));
      const added = [...current.keys()].filter((key) => !old.has(key)).sort();
      const removed = [...old.keys()].filter((key) => !current.has(key)).sort();
      const changed = [...current.keys()]
        .filter((key) => old.has(key))
        .sort()
        .map((key) => ({ key, changes: diffValues(old.get(key)!.body, current.get(key)!.body, '') }))
        .filter((object) => object.changes.length > 0);
      return { environment, added, removed, changed };
    })
    .filter((diff) => diff.added.length + diff.removed.length + diff.changed.length > 0);
}

function byKey(objects: readonly RenderedObject[]): Map<string, RenderedObject> {
  return new Map(objects.map((o) => [objectKey(o), o]));
}

/**
 * The leaf-level differences between two JSON values. Lists whose items all carry a unique
 * `name` are matched by name (`containers[web]`), other lists by position (`args[2]`).
 */
export function diffValues(before: unknown, after: unknown, path: string): FieldChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffValues(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const beforeNames = namesOf(before);
    const afterNames = namesOf(after);
    if (beforeNames && afterNames) {
      const names = [...afterNames, ...beforeNames.filter((name) => !afterNames.includes(name))];
      return names.flatMap((name) => diffValues(
        before[beforeNames.indexOf(name)],
        after[afterNames.indexOf(name)],
        `${path}[${name}]`,
      ));
    }
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_unused, index) => diffValues(before[index], after[index], `${path}[${index}]`)).flat();
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}

/** The `name` of every item when each is an object with a distinct string name, else undefined. */
function namesOf(items: readonly unknown[]): string[] | undefined {
  const names = items.map((item) => (isObject(item) && typeof item.name === 'string' ? item.name : undefined));
  if (items.length === 0 || names.some((name) => name === undefined) || new Set(names).size !== names.length) {
    return undefined;
  }
  return names as string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const MAX_VALUE_LENGTH = 120;

/** A value on one line: strings bare, everything else as compact JSON, `(absent)` for a missing field. */
export function formatValue(value: unknown): string {
  if (value === undefined) {
    return '(absent)';
  }
  const rendered = typeof value === 'string' ? value : JSON.stringify(value);
  return rendered.length > MAX_VALUE_LENGTH ? `${rendered.slice(0, MAX_VALUE_LENGTH - 3)}...` : rendered;
}

/** The human-readable diff: per environment, added (+), removed (-) and changed (~) objects with their changed fields. */
export function formatDiff(diffs: readonly EnvironmentDiff[], baseLabel: string, headLabel: string): string {
  const lines = [`rendered diff of dist/: ${baseLabel} -> ${headLabel}`];
  if (diffs.length === 0) {
    lines.push('', 'no change to any rendered object');
  }
  for (const diff of diffs) {
    lines.push('', `== ${diff.environment}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed`);
    lines.push(...diff.added.map((key) => `+ ${key}`), ...diff.removed.map((key) => `- ${key}`));
    for (const object of diff.changed) {
      lines.push(`~ ${object.key}`);
      lines.push(...object.changes.map((change) => `    ${change.path}: ${formatValue(change.before)} → ${formatValue(change.after)}`));
    }
  }
  return lines.join('\n');
}
