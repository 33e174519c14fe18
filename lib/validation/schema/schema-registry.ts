import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { goRegExp } from './go-regexp';
import { CustomResourceSchema, readSchemaSources, SchemaSourceOptions, SchemaSources } from './schema-sources';
import { CHECKED_FORMATS, toStrictSchema } from './strict-schema';

const KUBERNETES_SCHEMA_ID = 'kubernetes-1.27';
const OBJECT_META_REF = `${KUBERNETES_SCHEMA_ID}#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;

interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/**
 * Strict validators for every pinned kind: Kubernetes 1.27 built-ins by their
 * `x-kubernetes-group-version-kind`, custom resources by the served versions of their CRD. The
 * definitions document is transformed and added to Ajv once; each kind's validator is compiled
 * on first use and then reused.
 */
export class SchemaRegistry {
  private readonly ajv: Ajv;
  private readonly builtInDefinitions = new Map<string, string>();
  private readonly customResources = new Map<string, CustomResourceSchema>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(sources: SchemaSources) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false, code: { regExp: goRegExp } });
    addFormats(this.ajv, [...CHECKED_FORMATS]);
    this.ajv.addSchema({ $id: KUBERNETES_SCHEMA_ID, definitions: toStrictSchema(sources.kubernetesDefinitions) });
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

  /** The compiled strict validator, or undefined when no pinned schema defines the kind. */
  validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
    const key = keyOf(apiVersion, kind);
    const cached = this.validators.get(key);
    if (cached) {
      return cached;
    }
    const schema = this.schemaFor(key);
    if (!schema) {
      return undefined;
    }
    const validator = this.ajv.compile(schema);
    this.validators.set(key, validator);
    return validator;
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

/** The registry for these options, read and set up once per process. */
export function loadSchemaRegistry(options: SchemaSourceOptions = {}): Promise<SchemaRegistry> {
  const key = JSON.stringify([options.lockFile, options.mirrorDir, options.cacheDir]);
  let registry = registries.get(key);
  if (!registry) {
    registry = readSchemaSources(options).then((sources) => new SchemaRegistry(sources));
    registry.catch(() => registries.delete(key));
    registries.set(key, registry);
  }
  return registry;
}
