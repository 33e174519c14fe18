import * as fs from 'fs';
import { findLockEntry, readSchemaLock, resolveLockedFile } from '../schemas/schema-lock';
import { record, records, text } from '../validation/json-access';
import { JsonObject } from '../validation/manifest';

/** The pinned Kubernetes 1.27 OpenAPI definitions in schemas.lock.json. */
const KUBERNETES_DEFINITIONS = 'k8s-1.27/_definitions.json';
const ALPHA_VERSION = /alpha/;

/**
 * What Argo CD 2.10 passes to `helm template --api-versions` (util/argo APIResourcesToStrings with
 * kinds): `group/version` and `group/version/Kind` of every resource the cluster serves, core
 * group as `v1`. These are the Kubernetes 1.27 built-in resources of the pinned definitions
 * (kinds with ObjectMeta, so not lists or subresource bodies), without alpha versions (off by
 * default in 1.27).
 */
export function builtInApiVersions(): string[] {
  const file = resolveLockedFile(findLockEntry(readSchemaLock(), KUBERNETES_DEFINITIONS));
  const definitions = record((JSON.parse(fs.readFileSync(file, 'utf8')) as JsonObject).definitions);
  const result = new Set<string>();
  for (const definition of Object.values(definitions).map(record)) {
    const metadataRef = text(record(record(definition.properties).metadata).$ref) ?? '';
    if (!metadataRef.endsWith('.ObjectMeta')) {
      continue;
    }
    for (const gvk of records(definition['x-kubernetes-group-version-kind'])) {
      const version = text(gvk.version) ?? '';
      if (!ALPHA_VERSION.test(version)) {
        addResource(result, text(gvk.group) ?? '', version, text(gvk.kind) ?? '');
      }
    }
  }
  return [...result].sort();
}

/**
 * The API versions the add-ons add once they run: every served version of the CRDs they install,
 * and the group versions of their aggregated APIServices (e.g. KEDA's external metrics).
 */
export function installedApiVersions(objects: readonly JsonObject[]): string[] {
  const result = new Set<string>();
  for (const object of objects) {
    const spec = record(object.spec);
    if (object.kind === 'CustomResourceDefinition') {
      const kind = text(record(spec.names).kind) ?? '';
      for (const version of records(spec.versions).filter((entry) => entry.served !== false)) {
        addResource(result, text(spec.group) ?? '', text(version.name) ?? '', kind);
      }
    } else if (object.kind === 'APIService' && text(spec.group) && text(spec.version)) {
      result.add(`${text(spec.group)}/${text(spec.version)}`);
    }
  }
  return [...result].sort();
}

function addResource(into: Set<string>, group: string, version: string, kind: string): void {
  const groupVersion = group ? `${group}/${version}` : version;
  into.add(groupVersion);
  if (kind) {
    into.add(`${groupVersion}/${kind}`);
  }
}

/** Sorted union of API version lists. */
export function unionOf(...lists: ReadonlyArray<readonly string[]>): string[] {
  return [...new Set(lists.flat())].sort();
}
