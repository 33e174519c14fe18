/** A JSON value as parsed from YAML. */
export type JsonObject = { [key: string]: unknown };

/** One Kubernetes object read from one YAML document under the validated folder. */
export interface ManifestObject {
  /** First path segment under the validated folder (`production`), or `.` for files directly in it. */
  readonly environment: string;
  /** Path of the file relative to the validated folder, with `/` separators. */
  readonly file: string;
  /** 0-based position of the document in its file. */
  readonly documentIndex: number;
  readonly apiVersion: string;
  readonly kind: string;
  /** `metadata.name`, or an empty string when missing (the schema check reports that). */
  readonly name: string;
  readonly namespace?: string;
  readonly body: JsonObject;
}

/** A kustomization under the validated folder (build input for kustomize, not a Kubernetes object). */
export interface Kustomization {
  /** Path relative to the validated folder, `/`-separated. */
  readonly file: string;
  /** Its folder, relative to the validated folder (`.` at the top). */
  readonly folder: string;
  /** `resources` entries, relative to `folder` (or URLs). */
  readonly resources: readonly string[];
  /** `namespace`, which kustomize sets on every namespaced object. */
  readonly namespace?: string;
}

/** What the validated folder holds besides objects: every file, and the kustomizations. */
export interface FolderContents {
  /** Every regular file, relative and `/`-separated. */
  readonly files: readonly string[];
  readonly kustomizations: readonly Kustomization[];
}

/** `Kind namespace/name`, the way findings name an object. */
export function describeObject(object: Pick<ManifestObject, 'kind' | 'name' | 'namespace'>): string {
  const name = object.name || '(unnamed)';
  return `${object.kind} ${object.namespace ? `${object.namespace}/${name}` : name}`;
}

export function apiGroupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

export function apiVersionOnly(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
}

/** Whether the object is rendered for production, where the stricter security rules apply. */
export function isProduction(object: Pick<ManifestObject, 'environment'>): boolean {
  return object.environment === 'production';
}
