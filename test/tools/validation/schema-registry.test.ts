import * as fs from 'fs';
import * as path from 'path';
import { SCHEMA_LOCK_FILE } from '../../../tools/schemas/schema-lock';
import { ValidationInputError } from '../../../tools/validation/input-error';
import { parseManifestFile } from '../../../tools/validation/load-manifests';
import { checkSchema } from '../../../tools/validation/schema/schema-check';
import { loadSchemaRegistry, SchemaRegistry } from '../../../tools/validation/schema/schema-registry';
import { readSchemaSources } from '../../../tools/validation/schema/schema-sources';
import { certificate, meta, scaledObject, service } from './support/builders';
import { toYaml } from './support/platform-fixtures';
import { tempDirsRemovedAfterAll } from '../../support/files';

/** Temporary folders of this file, removed after it (also when a test fails). */
const makeTempDir = tempDirsRemovedAfterAll();

let registry: SchemaRegistry;

beforeAll(async () => {
  registry = await loadSchemaRegistry();
});

function schemaRuleIds(object: Record<string, unknown>): string[] {
  const [manifest] = parseManifestFile('production/object.yaml', toYaml([object]));
  return checkSchema(manifest, registry).map((hit) => hit.ruleId);
}

function argoApplication(source: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: meta('web'),
    spec: { project: 'default', destination: { namespace: 'generator-platform', server: 'https://kubernetes.default.svc' }, source },
  };
}

describe('the schema registry', () => {
  test('compiles each kind once and reuses the validator', () => {
    expect(registry.validatorFor('apps/v1', 'Deployment')).toBe(registry.validatorFor('apps/v1', 'Deployment'));
  });

  test('finds built-in kinds by group/version/kind and CRD kinds by their served versions', () => {
    expect(registry.validatorFor('policy/v1', 'PodDisruptionBudget')).toBeDefined();
    expect(registry.validatorFor('external-secrets.io/v1beta1', 'ExternalSecret')).toBeDefined();
    expect(registry.validatorFor('external-secrets.io/v1alpha1', 'ExternalSecret')).toBeDefined();
    expect(registry.validatorFor('apps/v1beta1', 'Deployment')).toBeUndefined();
  });

  test('rejects an unknown field in a CRD object', () => {
    const object = scaledObject('generator');
    ((object.spec as Record<string, unknown[]>).triggers[0] as Record<string, unknown>).threshold = '5';
    expect(schemaRuleIds(object)).toEqual(['SCHEMA-UNKNOWN-FIELD']);
  });

  test('validates CRD object metadata as ObjectMeta', () => {
    const object = certificate('web-tls');
    (object.metadata as Record<string, unknown>).label = { a: 'b' };
    expect(schemaRuleIds(object)).toEqual(['SCHEMA-UNKNOWN-FIELD']);
  });

  test('keeps x-kubernetes-preserve-unknown-fields open and everything around it closed', () => {
    expect(schemaRuleIds(argoApplication({ repoURL: 'https://example.com/repo.git', helm: { valuesObject: { anything: { goes: 1 } } } }))).toEqual([]);
    expect(schemaRuleIds(argoApplication({ repoURL: 'https://example.com/repo.git', helm: { valueObject: {} } }))).toEqual(['SCHEMA-UNKNOWN-FIELD']);
  });

  test('accepts an integer or a string for int-or-string fields, nothing else', () => {
    const withTarget = (targetPort: unknown) => service('web', { ports: [{ port: 80, targetPort }] });
    expect(schemaRuleIds(withTarget('http'))).toEqual([]);
    expect(schemaRuleIds(withTarget(8080))).toEqual([]);
    expect(schemaRuleIds(withTarget(true))).toEqual(['SCHEMA-TYPE']);
  });

  test('rejects a value outside a CRD enum and a missing required field', () => {
    const object = certificate('web-tls');
    const spec = object.spec as Record<string, unknown>;
    spec.privateKey = { algorithm: 'DSA' };
    delete spec.secretName;
    expect(schemaRuleIds(object).sort()).toEqual(['SCHEMA-ENUM', 'SCHEMA-REQUIRED']);
  });
});

describe('the pinned schema files', () => {
  test('a checksum mismatch is a hard error', async () => {
    const lock = JSON.parse(fs.readFileSync(SCHEMA_LOCK_FILE, 'utf8')) as { files: { sha256: string }[] };
    lock.files[0].sha256 = '0'.repeat(64);
    const dir = makeTempDir('schema-lock-');
    const lockFile = path.join(dir, 'schemas.lock.json');
    fs.writeFileSync(lockFile, JSON.stringify(lock));
    const reading = readSchemaSources({ lockFile, cacheDir: path.join(dir, 'cache') });
    await expect(reading).rejects.toThrow(ValidationInputError);
    await expect(reading).rejects.toThrow(/checksum mismatch/);
  });
});

describe('every pinned kind', () => {
  test('compiles, so no object can crash the gate on a schema JavaScript cannot read', async () => {
    const sources = await readSchemaSources();
    const fresh = new SchemaRegistry(sources);
    const kinds = [
      ...sources.customResources.map((resource) => [resource.apiVersion, resource.kind]),
      ...Object.values(sources.kubernetesDefinitions).flatMap((definition) =>
        ((definition as { 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[] })['x-kubernetes-group-version-kind'] ?? []).map((gvk) => [
          gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version,
          gvk.kind,
        ]),
      ),
    ];
    for (const [apiVersion, kind] of kinds) {
      expect(() => fresh.validatorFor(apiVersion, kind)).not.toThrow();
    }
  });

  test('reads RE2 inline case-insensitivity in patterns (PrometheusRule)', () => {
    const rule = (strategy: string) => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: meta('alerts'),
      spec: { groups: [{ name: 'web', partial_response_strategy: strategy, rules: [{ alert: 'Down', expr: 'up == 0' }] }] },
    });
    expect(schemaRuleIds(rule('WARN'))).toEqual([]);
    expect(schemaRuleIds(rule('ignore'))).toEqual(['SCHEMA-CONSTRAINT']);
  });
});
