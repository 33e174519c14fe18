import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseManifestFile } from '../../../tools/validation/load-manifests';
import { compiledValidatorFile, compiledValidatorKey, readCompiledValidator, writeCompiledValidator } from '../../../tools/validation/schema/compiled-validator-cache';
import { RuleHit } from '../../../tools/validation/rule';
import { checkSchema } from '../../../tools/validation/schema/schema-check';
import { loadSchemaRegistry, SchemaRegistry } from '../../../tools/validation/schema/schema-registry';
import { readSchemaSources, SchemaSources } from '../../../tools/validation/schema/schema-sources';
import { allowIngressNetworkPolicy, deployment, externalSecret, K8sObject, meta, rabbitmqCluster } from './support/builders';
import { at, toYaml } from './support/platform-fixtures';

/**
 * The compiled cache must not change what is validated: a validator loaded from its standalone
 * code on disk gives exactly the Ajv errors, and so the findings, of one Ajv compiles in memory
 * the way the registry did before the cache existed (no `code.source`).
 */

let sources: SchemaSources;
/** Compiled in memory, no cache: the reference. */
let fresh: SchemaRegistry;
/** Wrote the cache. */
let writer: SchemaRegistry;
/** Read every validator back from the cache the writer wrote. */
let loaded: SchemaRegistry;
let cacheDir: string;

const tempDirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A copy of the warm cache, so that a test can damage it without touching the others. */
function copyOfCache(): string {
  const copy = tempDir('compiled-cache-copy-');
  fs.cpSync(cacheDir, copy, { recursive: true });
  return copy;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

type Mutation = (object: K8sObject) => void;

interface KindCases {
  readonly apiVersion: string;
  readonly kind: string;
  readonly valid: () => K8sObject;
  /** Each breaks one thing and must give exactly these rule ids. */
  readonly broken: Record<string, { readonly mutate: Mutation; readonly ruleIds: string[] }>;
}

const CASES: readonly KindCases[] = [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    valid: () => deployment('web'),
    broken: {
      'unknown nested field': { mutate: (o) => (at(o, 'spec', 'template', 'spec', 'containers', 0, 'securityContext').runAsNonRot = true), ruleIds: ['SCHEMA-UNKNOWN-FIELD'] },
      'wrong type': { mutate: (o) => (at(o, 'spec').replicas = '3'), ruleIds: ['SCHEMA-TYPE'] },
      'missing required field': { mutate: (o) => delete at(o, 'spec', 'template', 'spec', 'containers', 0).name, ruleIds: ['SCHEMA-REQUIRED'] },
      'bad enum': { mutate: (o) => (o.kind = 'Deploy'), ruleIds: ['SCHEMA-ENUM'] },
      'format (int32)': { mutate: (o) => (at(o, 'spec').replicas = 2 ** 40), ruleIds: ['SCHEMA-CONSTRAINT'] },
      'int-or-string type': { mutate: (o) => (at(o, 'spec', 'template', 'spec', 'containers', 0, 'readinessProbe', 'httpGet').port = true), ruleIds: ['SCHEMA-TYPE'] },
    },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    valid: () => allowIngressNetworkPolicy('web'),
    broken: {
      'unknown nested field': { mutate: (o) => (at(o, 'spec', 'ingress', 0, 'from', 0, 'namespaceSelector').matchLabel = {}), ruleIds: ['SCHEMA-UNKNOWN-FIELD'] },
      'wrong type': { mutate: (o) => (at(o, 'spec', 'ingress', 0, 'ports', 0).port = true), ruleIds: ['SCHEMA-TYPE'] },
      'missing required field': { mutate: (o) => delete at(o, 'spec').podSelector, ruleIds: ['SCHEMA-REQUIRED'] },
      'bad enum': { mutate: (o) => (o.kind = 'NetPol'), ruleIds: ['SCHEMA-ENUM'] },
      'format (int32)': { mutate: (o) => (at(o, 'spec', 'ingress', 0, 'ports', 0).endPort = 2 ** 40), ruleIds: ['SCHEMA-CONSTRAINT'] },
    },
  },
  {
    apiVersion: 'external-secrets.io/v1beta1',
    kind: 'ExternalSecret',
    valid: () => externalSecret('db'),
    broken: {
      'unknown nested field': { mutate: (o) => (at(o, 'spec', 'data', 0, 'remoteRef').propery = 'password'), ruleIds: ['SCHEMA-UNKNOWN-FIELD'] },
      'unknown metadata field (ObjectMeta reference)': { mutate: (o) => (at(o, 'metadata').label = { a: 'b' }), ruleIds: ['SCHEMA-UNKNOWN-FIELD'] },
      'wrong type': { mutate: (o) => (at(o, 'spec').refreshInterval = 3600), ruleIds: ['SCHEMA-TYPE'] },
      'missing required field': { mutate: (o) => delete at(o, 'spec', 'data', 0).secretKey, ruleIds: ['SCHEMA-REQUIRED'] },
      'bad enum': { mutate: (o) => (at(o, 'spec', 'target').creationPolicy = 'Keep'), ruleIds: ['SCHEMA-ENUM'] },
    },
  },
  {
    apiVersion: 'rabbitmq.com/v1beta1',
    kind: 'RabbitmqCluster',
    valid: () => ({ ...rabbitmqCluster('mq'), spec: { replicas: 3, persistence: { storage: '10Gi' }, rabbitmq: { additionalPlugins: ['rabbitmq_top'] } } }),
    broken: {
      'unknown nested field': { mutate: (o) => (at(o, 'spec', 'persistence').storageClas = 'fast'), ruleIds: ['SCHEMA-UNKNOWN-FIELD'] },
      'wrong type': { mutate: (o) => (at(o, 'spec').replicas = 'three'), ruleIds: ['SCHEMA-TYPE'] },
      'missing required field': { mutate: (o) => (at(o, 'spec').affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} } }), ruleIds: ['SCHEMA-REQUIRED'] },
      'bad enum': { mutate: (o) => (at(o, 'spec').service = { type: 'External' }), ruleIds: ['SCHEMA-ENUM'] },
      'pattern (quantity)': { mutate: (o) => (at(o, 'spec', 'persistence').storage = '10 gigs'), ruleIds: ['SCHEMA-CONSTRAINT'] },
      'pattern (\\w)': { mutate: (o) => (at(o, 'spec', 'rabbitmq').additionalPlugins = ['rabbitmq-top!']), ruleIds: ['SCHEMA-CONSTRAINT'] },
    },
  },
  {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    valid: () => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: meta('alerts'),
      spec: { groups: [{ name: 'web', partial_response_strategy: 'WARN', rules: [{ alert: 'Down', expr: 'up == 0' }] }] },
    }),
    broken: {
      'Go regexp pattern with (?i)': { mutate: (o) => (at(o, 'spec', 'groups', 0).partial_response_strategy = 'ignore'), ruleIds: ['SCHEMA-CONSTRAINT'] },
      'Go regexp pattern (duration)': { mutate: (o) => (at(o, 'spec', 'groups', 0).interval = '5 minutes'), ruleIds: ['SCHEMA-CONSTRAINT'] },
    },
  },
];

/** Every broken variant of a kind, plus the valid object and one object with every break at once. */
function objectsOf(cases: KindCases): [string, K8sObject, string[]][] {
  const everything = cases.valid();
  const result: [string, K8sObject, string[]][] = [['valid', cases.valid(), []]];
  for (const [name, { mutate, ruleIds }] of Object.entries(cases.broken)) {
    const object = cases.valid();
    mutate(object);
    mutate(everything);
    result.push([name, object, ruleIds]);
  }
  result.push(['every break at once', everything, [...new Set(Object.values(cases.broken).flatMap(({ ruleIds }) => ruleIds))].sort()]);
  return result;
}

/** What the validator says about an object: the verdict and Ajv's raw errors, in order. */
function verdict(registry: SchemaRegistry, apiVersion: string, kind: string, object: unknown): unknown {
  const validator = registry.validatorFor(apiVersion, kind);
  if (!validator) {
    throw new Error(`no validator for ${apiVersion} ${kind}`);
  }
  const valid = validator(clone(object));
  return { valid, errors: clone(validator.errors ?? []) };
}

/**
 * The schema findings of the object as the gate reports them, checked against the schema of its
 * original kind even when a case breaks `kind` itself (the built-in schemas' one enum).
 */
function findings(registry: SchemaRegistry, object: K8sObject): RuleHit[] {
  const [manifest] = parseManifestFile('production/object.yaml', toYaml([object]));
  const original = CASES.find((cases) => cases.apiVersion === object.apiVersion && cases.kind === object.kind) ?? CASES.find((cases) => cases.apiVersion === object.apiVersion);
  return checkSchema({ ...manifest, kind: original?.kind ?? manifest.kind }, registry);
}

function ruleIds(registry: SchemaRegistry, object: K8sObject): string[] {
  return [...new Set(findings(registry, object).map((hit) => hit.ruleId))].sort();
}

/** The file's header names the key in its name and the checksum of its code, which loads. */
function isValidCacheFile(file: string): boolean {
  const key = path.basename(file).slice(path.basename(file).lastIndexOf('@') + 1, -'.js'.length);
  return readCompiledValidator(file, key) !== undefined;
}

function cacheFiles(dir: string, kind: string): string[] {
  return fs.readdirSync(dir).filter((entry) => entry.startsWith(`${kind}@`) && entry.endsWith('.js'));
}

beforeAll(async () => {
  sources = await readSchemaSources();
  fresh = new SchemaRegistry(sources);
  cacheDir = tempDir('compiled-cache-');
  writer = new SchemaRegistry(sources, { compiledCacheDir: cacheDir });
  for (const { apiVersion, kind } of CASES) {
    writer.validatorFor(apiVersion, kind);
  }
  loaded = new SchemaRegistry(sources, { compiledCacheDir: cacheDir });
  for (const { apiVersion, kind } of CASES) {
    loaded.validatorFor(apiVersion, kind);
  }
});

afterAll(() => {
  for (const dir of tempDirs) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('the compiled validator cache', () => {
  test('a cold registry compiles and writes each kind, a warm one loads it from disk', () => {
    for (const { apiVersion, kind } of CASES) {
      expect([kind, fresh.validatorFor(apiVersion, kind) && fresh.originOf(apiVersion, kind)]).toEqual([kind, 'compiled']);
      expect([kind, writer.originOf(apiVersion, kind)]).toEqual([kind, 'standalone']);
      expect([kind, loaded.originOf(apiVersion, kind)]).toEqual([kind, 'cache']);
      expect(cacheFiles(cacheDir, kind)).toHaveLength(1);
    }
  });

  describe.each(CASES.map((cases) => [`${cases.kind} (${cases.apiVersion})`, cases] as const))('%s', (_name, cases) => {
    test.each(objectsOf(cases))('%s: the loaded validator gives exactly the fresh errors and findings', (_case, object, expectedRuleIds) => {
      const reference = verdict(fresh, cases.apiVersion, cases.kind, object);
      expect(verdict(loaded, cases.apiVersion, cases.kind, object)).toEqual(reference);
      expect(verdict(writer, cases.apiVersion, cases.kind, object)).toEqual(reference);
      expect(findings(loaded, object)).toEqual(findings(fresh, object));
      expect(ruleIds(fresh, object)).toEqual(expectedRuleIds);
    });
  });

  test('the key changes with every input', () => {
    const inputs = { compiler: { ajv: '8.20.0' }, apiVersion: 'apps/v1', kind: 'Deployment', definitions: 'a'.repeat(64), schema: { $ref: 'x' } };
    const keys = [
      inputs,
      { ...inputs, compiler: { ajv: '8.20.1' } },
      { ...inputs, apiVersion: 'apps/v2' },
      { ...inputs, kind: 'StatefulSet' },
      { ...inputs, definitions: 'b'.repeat(64) },
      { ...inputs, schema: { $ref: 'y' } },
    ].map(compiledValidatorKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(compiledValidatorKey(clone(inputs))).toBe(keys[0]);
  });

  test('a cache written for one CRD schema is not used once the schema changes', () => {
    const dir = copyOfCache();
    const changed = clone(sources);
    const resource = changed.customResources.find((r) => r.kind === 'ExternalSecret' && r.apiVersion === 'external-secrets.io/v1beta1') as { schema: unknown };
    const creationPolicy = at(resource.schema as K8sObject, 'properties', 'spec', 'properties', 'target', 'properties', 'creationPolicy') as { enum: string[] };
    creationPolicy.enum = [...creationPolicy.enum, 'Keep'];
    const object = externalSecret('db');
    at(object, 'spec', 'target').creationPolicy = 'Keep';

    const registry = new SchemaRegistry(changed, { compiledCacheDir: dir });
    expect(ruleIds(registry, object)).toEqual([]);
    expect(ruleIds(loaded, object)).toEqual(['SCHEMA-ENUM']);
    expect(registry.originOf('external-secrets.io/v1beta1', 'ExternalSecret')).toBe('standalone');
    // The unchanged kinds still hit.
    expect(registry.validatorFor('rabbitmq.com/v1beta1', 'RabbitmqCluster')).toBeDefined();
    expect(registry.originOf('rabbitmq.com/v1beta1', 'RabbitmqCluster')).toBe('cache');
    // The file of the old key is replaced, not kept beside the new one.
    expect(cacheFiles(dir, 'ExternalSecret')).toHaveLength(1);
    expect(cacheFiles(dir, 'ExternalSecret')).not.toEqual(cacheFiles(cacheDir, 'ExternalSecret'));
  });

  test('a cache written for the Kubernetes definitions is not used once they change', () => {
    const dir = copyOfCache();
    const changed = clone(sources);
    const port = at(changed.kubernetesDefinitions as K8sObject, 'io.k8s.api.networking.v1.NetworkPolicyPort', 'properties', 'port') as Record<string, unknown>;
    delete port.format;
    port.type = 'integer';
    const object = allowIngressNetworkPolicy('web');

    const registry = new SchemaRegistry(changed, { compiledCacheDir: dir });
    expect(ruleIds(registry, object)).toEqual(['SCHEMA-TYPE']);
    expect(ruleIds(loaded, object)).toEqual([]);
    expect(registry.originOf('networking.k8s.io/v1', 'NetworkPolicy')).toBe('standalone');
    // Every kind may reference the definitions (CRDs for metadata), so every key includes them.
    registry.validatorFor('rabbitmq.com/v1beta1', 'RabbitmqCluster');
    expect(registry.originOf('rabbitmq.com/v1beta1', 'RabbitmqCluster')).toBe('standalone');
  });

  test('a file holding another kind\'s validator under this kind\'s name is not used', () => {
    const dir = copyOfCache();
    const [deploymentFile] = cacheFiles(dir, 'Deployment');
    const [networkPolicyFile] = cacheFiles(dir, 'NetworkPolicy');
    fs.copyFileSync(path.join(dir, deploymentFile), path.join(dir, networkPolicyFile));

    const registry = new SchemaRegistry(sources, { compiledCacheDir: dir });
    const object = allowIngressNetworkPolicy('web');
    expect(findings(registry, object)).toEqual(findings(fresh, object));
    expect(registry.originOf('networking.k8s.io/v1', 'NetworkPolicy')).toBe('standalone');
    expect(isValidCacheFile(path.join(dir, networkPolicyFile))).toBe(true);
  });

  const corruptions: Record<string, (file: string, key: string) => void> = {
    'an empty file': (file) => fs.writeFileSync(file, ''),
    'garbage': (file) => fs.writeFileSync(file, 'not javascript {{{'),
    'a truncated file': (file) => fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 5000)),
    'a changed body under the old checksum': (file) => fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('additionalProperty', 'additionalPropertx')),
    'a body that throws': (file, key) => writeCompiledValidator(file, key, 'throw new Error("corrupt");'),
    'a body that exports no function': (file, key) => writeCompiledValidator(file, key, 'module.exports = 42;'),
    'a body that requires an unknown module': (file, key) => writeCompiledValidator(file, key, 'module.exports = require("fs").readFileSync;'),
    'an older format': (file) => fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/ v\d+ key=/, ' v0 key=')),
  };

  test.each(Object.keys(corruptions))('%s is ignored and rewritten', (name) => {
    const dir = copyOfCache();
    const [fileName] = cacheFiles(dir, 'Deployment');
    const file = path.join(dir, fileName);
    const key = fileName.slice(fileName.lastIndexOf('@') + 1, -'.js'.length);
    corruptions[name](file, key);
    expect(isValidCacheFile(file)).toBe(false);

    const registry = new SchemaRegistry(sources, { compiledCacheDir: dir });
    for (const [, object] of objectsOf(CASES[0])) {
      expect(findings(registry, object)).toEqual(findings(fresh, object));
    }
    expect(registry.originOf('apps/v1', 'Deployment')).toBe('standalone');
    expect(isValidCacheFile(file)).toBe(true);
    const next = new SchemaRegistry(sources, { compiledCacheDir: dir });
    next.validatorFor('apps/v1', 'Deployment');
    expect(next.originOf('apps/v1', 'Deployment')).toBe('cache');
  });

  test('an unreadable cache entry or an unwritable cache folder changes nothing', () => {
    const dir = copyOfCache();
    const [fileName] = cacheFiles(dir, 'Deployment');
    fs.rmSync(path.join(dir, fileName));
    fs.mkdirSync(path.join(dir, fileName));
    const blocked = path.join(tempDir('compiled-cache-blocked-'), 'file');
    fs.writeFileSync(blocked, 'not a folder');

    for (const compiledCacheDir of [dir, blocked]) {
      const registry = new SchemaRegistry(sources, { compiledCacheDir });
      for (const [, object] of objectsOf(CASES[0])) {
        expect(findings(registry, object)).toEqual(findings(fresh, object));
      }
      expect(registry.originOf('apps/v1', 'Deployment')).toBe('standalone');
    }
  });

  test('the registry of a run keeps its compiled cache under <cacheDir>/compiled', async () => {
    const dir = tempDir('schema-cache-');
    const registry = await loadSchemaRegistry({ cacheDir: dir });
    registry.validatorFor('networking.k8s.io/v1', 'NetworkPolicy');
    expect(registry.originOf('networking.k8s.io/v1', 'NetworkPolicy')).toBe('standalone');
    expect(cacheFiles(path.join(dir, 'compiled'), 'NetworkPolicy')).toHaveLength(1);
  });

  test('the file name is derived from the key', () => {
    expect(path.basename(compiledValidatorFile('/c', 'external-secrets.io/v1beta1', 'ExternalSecret', 'abc'))).toBe('ExternalSecret@external-secrets.io_v1beta1@abc.js');
  });
});

describe('every pinned kind', () => {
  test('loads from standalone code that gives the fresh errors', () => {
    const dir = tempDir('compiled-cache-all-');
    const registry = new SchemaRegistry(sources, { compiledCacheDir: dir });
    const kinds = [
      ...sources.customResources.map((resource) => [resource.apiVersion, resource.kind]),
      ...Object.values(sources.kubernetesDefinitions).flatMap((definition) =>
        ((definition as { 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[] })['x-kubernetes-group-version-kind'] ?? []).map((gvk) => [
          gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version,
          gvk.kind,
        ]),
      ),
    ];
    const probes = (apiVersion: string, kind: string): unknown[] => [
      {},
      { apiVersion, kind, metadata: { name: 'x', labels: { a: 1 } }, spec: { unknownField: true } },
      { apiVersion, kind: 7, metadata: [], spec: null, status: 'up' },
    ];
    const notStandalone: string[] = [];
    for (const [apiVersion, kind] of kinds) {
      registry.validatorFor(apiVersion, kind);
      if (registry.originOf(apiVersion, kind) !== 'standalone') {
        notStandalone.push(`${apiVersion} ${kind}`);
      }
      for (const probe of probes(apiVersion, kind)) {
        expect([apiVersion, kind, verdict(registry, apiVersion, kind, probe)]).toEqual([apiVersion, kind, verdict(fresh, apiVersion, kind, probe)]);
      }
    }
    expect(notStandalone).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
