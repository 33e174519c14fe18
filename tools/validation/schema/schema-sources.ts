import * as fs from 'fs';
import { parseAllDocuments } from 'yaml';
import { fetchLockedFile, readSchemaLock, SCHEMA_CACHE_DIR, SchemaLockEntry } from '../../schemas/schema-lock';
import { ValidationInputError } from '../input-error';
import { readThroughParseCache } from './parsed-schema-cache';

export interface SchemaSourceOptions {
  /** @default schemas.lock.json at the project root */
  readonly lockFile?: string;
  /** @default defaultMirrorDir(), i.e. `$GENERATOR_PLATFORM_SCHEMA_MIRROR` or `../shared/crds` */
  readonly mirrorDir?: string;
  /** @default SCHEMA_CACHE_DIR (`.cache/schemas`) */
  readonly cacheDir?: string;
}

/** The pinned schema inputs, read and checksum-verified. */
export interface SchemaSources {
  /** `definitions` of the Kubernetes 1.27 OpenAPI document. */
  readonly kubernetesDefinitions: Record<string, unknown>;
  readonly customResources: readonly CustomResourceSchema[];
}

/** The openAPIV3Schema of one served version of a pinned CRD. */
export interface CustomResourceSchema {
  readonly apiVersion: string;
  readonly kind: string;
  readonly schema: unknown;
}

const KUBERNETES_DEFINITIONS = /(^|\/)_definitions\.json$/;

/**
 * Resolves every file of the lock (mirror, then cache, then download) and reads it. A checksum
 * mismatch or an unreadable file is a `ValidationInputError`: the gate never runs on unpinned schemas.
 */
export async function readSchemaSources(options: SchemaSourceOptions = {}): Promise<SchemaSources> {
  const lock = readSchemaLock(options.lockFile);
  const resolved = await Promise.all(lock.files.map(async (entry) => ({ entry, file: await resolve(entry, options) })));
  const definitionFiles = resolved.filter(({ entry }) => KUBERNETES_DEFINITIONS.test(entry.path));
  if (definitionFiles.length !== 1) {
    throw new ValidationInputError(`schemas.lock.json must pin exactly one Kubernetes _definitions.json, found ${definitionFiles.length}`);
  }
  return {
    kubernetesDefinitions: readDefinitions(definitionFiles[0].file),
    customResources: resolved
      .filter(({ entry }) => !KUBERNETES_DEFINITIONS.test(entry.path))
      .flatMap(({ entry, file }) =>
        readThroughParseCache(options.cacheDir ?? SCHEMA_CACHE_DIR, entry.sha256, () => readCustomResourceSchemas(fs.readFileSync(file, 'utf8'))),
      ),
  };
}

async function resolve(entry: SchemaLockEntry, options: SchemaSourceOptions): Promise<string> {
  try {
    return await fetchLockedFile(entry, { mirrorDir: options.mirrorDir, cacheDir: options.cacheDir });
  } catch (error) {
    throw new ValidationInputError(`pinned schema ${entry.path}: ${(error as Error).message}`);
  }
}

function readDefinitions(file: string): Record<string, unknown> {
  const document = JSON.parse(fs.readFileSync(file, 'utf8')) as { definitions?: Record<string, unknown> };
  if (typeof document.definitions !== 'object' || document.definitions === null) {
    throw new ValidationInputError(`${file} has no "definitions" object`);
  }
  return document.definitions;
}

/** The served versions of every CustomResourceDefinition in one YAML file. */
export function readCustomResourceSchemas(yamlText: string): CustomResourceSchema[] {
  const result: CustomResourceSchema[] = [];
  for (const document of parseAllDocuments(yamlText)) {
    const crd = document.toJS() as CustomResourceDefinition | null;
    if (crd?.kind !== 'CustomResourceDefinition') {
      continue;
    }
    for (const version of crd.spec.versions ?? []) {
      if (version.served && version.schema?.openAPIV3Schema) {
        result.push({
          apiVersion: `${crd.spec.group}/${version.name}`,
          kind: crd.spec.names.kind,
          schema: version.schema.openAPIV3Schema,
        });
      }
    }
  }
  return result;
}

interface CustomResourceDefinition {
  readonly kind: string;
  readonly spec: {
    readonly group: string;
    readonly names: { readonly kind: string };
    readonly versions?: ReadonlyArray<{ readonly name: string; readonly served?: boolean; readonly schema?: { readonly openAPIV3Schema?: unknown } }>;
  };
}
