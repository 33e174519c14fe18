/** A Kubernetes kind with its API group (`''` for the core group), as AppProject lists name them. */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** The group of an `apiVersion` (`apps/v1` -> `apps`, `v1` -> `''`). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

export function groupKindKey(groupKind: GroupKind): string {
  return `${groupKind.group}/${groupKind.kind}`;
}

/** The distinct group kinds, sorted by group then kind, so rendered lists are stable. */
export function distinctGroupKinds(groupKinds: readonly GroupKind[]): GroupKind[] {
  const byKey = new Map(groupKinds.map((gk) => [groupKindKey(gk), { group: gk.group, kind: gk.kind }]));
  return [...byKey.values()].sort((a, b) => a.group.localeCompare(b.group) || a.kind.localeCompare(b.kind));
}
