import { createHash } from 'crypto';
import * as path from 'path';
import { SCHEMA_CACHE_DIR } from '../../schemas/schema-lock';
import { record, records, text } from '../json-access';
import { ManifestObject } from '../manifest';
import { RuleHit } from '../rule';
import { checkSchema } from '../schema/schema-check';
import { SchemaRegistry } from '../schema/schema-registry';
import { CustomResourceSchema, readSchemaSources, SchemaSourceOptions } from '../schema/schema-sources';

/** The served versions of the CustomResourceDefinitions among `objects`, as schemas. */
export function customResourceSchemasOf(objects: readonly ManifestObject[]): CustomResourceSchema[] {
  return objects
    .filter((object) => object.kind === 'CustomResourceDefinition')
    .flatMap((crd) => {
      const spec = record(crd.body.spec);
      const kind = text(record(spec.names).kind) ?? '';
      return records(spec.versions)
        .filter((version) => version.served === true && record(version.schema).openAPIV3Schema !== undefined)
        .map((version) => ({ apiVersion: `${text(spec.group) ?? ''}/${text(version.name) ?? ''}`, kind, schema: record(version.schema).openAPIV3Schema }));
    });
}

const registries = new Map<string, Promise<SchemaRegistry>>();

/**
 * The registry for the objects of rendered add-ons: the pinned schemas, plus the CRDs the add-ons
 * install for kinds no pinned CRD defines (what the cluster will serve once they run). A pinned
 * CRD wins, so add-ons and dist/ are checked against one schema per kind.
 */
export function addonSchemaRegistry(addonObjects: readonly ManifestObject[], options: SchemaSourceOptions = {}): Promise<SchemaRegistry> {
  const installed = customResourceSchemasOf(addonObjects);
  const key = createHash('sha256')
    .update(JSON.stringify([options.lockFile, options.mirrorDir, options.cacheDir, installed]))
    .digest('hex');
  let registry = registries.get(key);
  if (!registry) {
    registry = readSchemaSources(options).then((sources) => {
      const pinned = new Set(sources.customResources.map((resource) => `${resource.apiVersion}|${resource.kind}`));
      const byKind = new Map(installed.filter((resource) => !pinned.has(`${resource.apiVersion}|${resource.kind}`)).map((resource) => [`${resource.apiVersion}|${resource.kind}`, resource]));
      return new SchemaRegistry(
        { kubernetesDefinitions: sources.kubernetesDefinitions, customResources: [...sources.customResources, ...byKind.values()] },
        { compiledCacheDir: path.join(options.cacheDir ?? SCHEMA_CACHE_DIR, 'compiled') },
      );
    });
    registry.catch(() => registries.delete(key));
    registries.set(key, registry);
  }
  return registry;
}

/**
 * A copy of `value` without the map entries whose value is null. The API server reads a null
 * field as left out: built-in kinds decode JSON null into an unset Go field, and custom resources
 * drop non-nullable nulls before validation (apiextensions-apiserver PruneNonNullableNullsWithoutDefaults).
 * Helm charts render such nulls for empty values (`annotations:` with nothing under it).
 */
export function withoutNullFields(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(withoutNullFields);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== null).map(([key, entry]) => [key, withoutNullFields(entry)]));
  }
  return value;
}

/** The schema check of an object of a rendered add-on: as the API server reads it, nulls left out. */
export function checkAddonSchema(object: ManifestObject, registry: SchemaRegistry): RuleHit[] {
  return checkSchema({ ...object, body: withoutNullFields(object.body) as ManifestObject['body'] }, registry);
}
