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
