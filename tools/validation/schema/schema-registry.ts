import { createHash } from 'crypto';
import * as path from 'path';
import Ajv from 'ajv';
import ajvPackage from 'ajv/package.json';
import standaloneCode from 'ajv/dist/standalone';
import addFormats from 'ajv-formats';
import ajvFormatsPackage from 'ajv-formats/package.json';
import { SCHEMA_CACHE_DIR } from '../../schemas/schema-lock';
import { compiledValidatorFile, compiledValidatorKey, readCompiledValidator, writeCompiledValidator } from './compiled-validator-cache';
import { goRegExp } from './go-regexp';
import { CustomResourceSchema, readSchemaSources, SchemaSourceOptions, SchemaSources } from './schema-sources';
import { loadStandaloneValidator, SchemaValidator } from './standalone-runtime';
import { CHECKED_FORMATS, toStrictSchema } from './strict-schema';

export type { SchemaValidator } from './standalone-runtime';

const KUBERNETES_SCHEMA_ID = 'kubernetes-1.27';
const OBJECT_META_REF = `${KUBERNETES_SCHEMA_ID}#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;

/** Ajv options besides `code`; `code` is `{ regExp: goRegExp }`, plus `source: true` with a compiled cache. */
const AJV_OPTIONS = { strict: false, allErrors: true, validateSchema: false, logger: false } as const;

/**
 * Everything about the compiler that shapes the generated code, for the compiled cache key. The
 * schemas themselves (after the strict transform) are added per kind; the Go regexp engine and the
 * format functions are referenced by the code, not copied into it, so their versions suffice.
 */
const COMPILER = {
  ajv: ajvPackage.version,
  ajvFormats: ajvFormatsPackage.version,
  options: AJV_OPTIONS,
  code: { source: true, regExp: goRegExp.code, formats: CHECKED_FORMATS },
  kubernetesSchemaId: KUBERNETES_SCHEMA_ID,
};

interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface SchemaRegistryOptions {
  /**
   * Folder that keeps each compiled validator as Ajv standalone code, keyed by a hash of all its
   * inputs, so a later run loads it instead of compiling. Without it every validator is compiled
   * in memory.
   */
  readonly compiledCacheDir?: string;
}

/**
 * How a validator was made: `compiled` by Ajv in memory (no compiled cache, or Ajv could not
 * emit standalone code for it), loaded from the compiled `cache`, or compiled now and loaded from
 * the `standalone` code just written to the cache (the same code a later run loads).
 */
export type ValidatorOrigin = 'compiled' | 'cache' | 'standalone';

interface RegisteredValidator {
  readonly validator: SchemaValidator;
  readonly origin: ValidatorOrigin;
}

/**
 * Strict validators for every pinned kind: Kubernetes 1.27 built-ins by their
 * `x-kubernetes-group-version-kind`, custom resources by the served versions of their CRD. The
 * definitions document is transformed and added to Ajv once; each kind's validator is compiled
 * on first use and then reused. With a compiled cache, a kind compiled by an earlier run is
 * loaded from its standalone code, and Ajv is only set up when some kind misses the cache.
 */
export class SchemaRegistry {
  private readonly builtInDefinitions = new Map<string, string>();
  private readonly customResources = new Map<string, CustomResourceSchema>();
  private readonly validators = new Map<string, RegisteredValidator>();
  private ajvInstance: Ajv | undefined;
  private strictDefinitionsValue: Record<string, unknown> | undefined;
  private definitionsSha256Value: string | undefined;

  constructor(
    private readonly sources: SchemaSources,
    private readonly options: SchemaRegistryOptions = {},
  ) {
    for (const [name, definition] of Object.entries(sources.kubernetesDefinitions)) {
      for (const gvk of groupVersionKinds(definition)) {
        const key = keyOf(gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version, gvk.kind);
        if (!this.builtInDefinitions.has(key)) {
          this.builtInDefinitions.set(key, name);
        }
      }
    }
    for (const resource of sources.customResources) {
      this.customResources.set(keyOf(resource.apiVersion, resource.kind), resource);
    }
  }

  /** The strict validator, or undefined when no pinned schema defines the kind. */
  validatorFor(apiVersion: string, kind: string): SchemaValidator | undefined {
    return this.registered(apiVersion, kind)?.validator;
  }

  /** How the validator for the kind was made, once `validatorFor` made it. */
  originOf(apiVersion: string, kind: string): ValidatorOrigin | undefined {
    return this.validators.get(keyOf(apiVersion, kind))?.origin;
  }

  private registered(apiVersion: string, kind: string): RegisteredValidator | undefined {
    const key = keyOf(apiVersion, kind);
    const known = this.validators.get(key);
    if (known) {
      return known;
    }
    const schema = this.schemaFor(key);
    if (!schema) {
      return undefined;
    }
    const cacheDir = this.options.compiledCacheDir;
    const registered: RegisteredValidator =
      cacheDir === undefined ? { validator: this.ajv().compile(schema), origin: 'compiled' } : this.throughCompiledCache(cacheDir, apiVersion, kind, schema);
    this.validators.set(key, registered);
    return registered;
  }

  /**
   * Loads the validator from the compiled cache, or compiles it, emits its standalone code, stores
   * the code and loads it back, so that a cold and a warm run validate with the same code.
   */
  private throughCompiledCache(cacheDir: string, apiVersion: string, kind: string, schema: object): RegisteredValidator {
    const key = compiledValidatorKey({ compiler: COMPILER, apiVersion, kind, definitions: this.definitionsSha256(), schema });
    const file = compiledValidatorFile(cacheDir, apiVersion, kind, key);
    const cached = readCompiledValidator(file, key);
    if (cached) {
      return { validator: cached, origin: 'cache' };
    }
    const ajv = this.ajv();
    const compiled = ajv.compile(schema);
    let code: string;
    let loaded: SchemaValidator;
    try {
      code = standaloneCode(ajv, compiled);
      loaded = loadStandaloneValidator(code);
    } catch {
      // The tests load every pinned kind as standalone code; should a new schema defeat it, the
      // in-memory validator checks the same thing, only without the cache.
      return { validator: compiled, origin: 'compiled' };
    }
    writeCompiledValidator(file, key, code);
    return { validator: loaded, origin: 'standalone' };
  }

  private ajv(): Ajv {
    if (!this.ajvInstance) {
      const source = this.options.compiledCacheDir !== undefined;
      const ajv = new Ajv({ ...AJV_OPTIONS, code: source ? { source: true, regExp: goRegExp } : { regExp: goRegExp } });
      addFormats(ajv, [...CHECKED_FORMATS]);
      ajv.addSchema({ $id: KUBERNETES_SCHEMA_ID, definitions: this.strictDefinitions() });
      this.ajvInstance = ajv;
    }
    return this.ajvInstance;
  }

  private strictDefinitions(): Record<string, unknown> {
    this.strictDefinitionsValue ??= toStrictSchema(this.sources.kubernetesDefinitions) as Record<string, unknown>;
    return this.strictDefinitionsValue;
  }

  /** Every validator may reference the definitions document (CRDs for `metadata`), so every key includes it. */
  private definitionsSha256(): string {
    this.definitionsSha256Value ??= createHash('sha256').update(JSON.stringify(this.strictDefinitions())).digest('hex');
    return this.definitionsSha256Value;
  }

  private schemaFor(key: string): object | undefined {
    const definition = this.builtInDefinitions.get(key);
    if (definition) {
      return { $ref: `${KUBERNETES_SCHEMA_ID}#/definitions/${definition}` };
    }
    const resource = this.customResources.get(key);
    return resource ? customResourceSchema(resource) : undefined;
  }
}

/**
 * CRD schemas rarely describe `metadata`; the API server validates it as ObjectMeta, so the gate
 * does too.
 */
function customResourceSchema(resource: CustomResourceSchema): object {
  const schema = toStrictSchema(resource.schema) as { properties?: Record<string, unknown> };
  return {
    ...schema,
    properties: {
      ...schema.properties,
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { $ref: OBJECT_META_REF },
    },
  };
}

function groupVersionKinds(definition: unknown): GroupVersionKind[] {
  const list = (definition as { 'x-kubernetes-group-version-kind'?: unknown })['x-kubernetes-group-version-kind'];
  return Array.isArray(list) ? (list as GroupVersionKind[]) : [];
}

function keyOf(apiVersion: string, kind: string): string {
  return `${apiVersion}|${kind}`;
}

const registries = new Map<string, Promise<SchemaRegistry>>();

/** The registry for these options, read and set up once per process, with the compiled cache under `<cacheDir>/compiled`. */
export function loadSchemaRegistry(options: SchemaSourceOptions = {}): Promise<SchemaRegistry> {
  const key = JSON.stringify([options.lockFile, options.mirrorDir, options.cacheDir]);
  let registry = registries.get(key);
  if (!registry) {
    const compiledCacheDir = path.join(options.cacheDir ?? SCHEMA_CACHE_DIR, 'compiled');
    registry = readSchemaSources(options).then((sources) => new SchemaRegistry(sources, { compiledCacheDir }));
    registry.catch(() => registries.delete(key));
    registries.set(key, registry);
  }
  return registry;
}
