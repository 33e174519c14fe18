import * as path from 'path';
import { AddonOrigin, addonOriginsIn } from './addons/addon-origin';
import { addonSchemaRegistry, checkAddonSchema } from './addons/addon-schemas';
import { ADDON_RULES, thirdPartyObjectRules } from './addons/third-party-rules';
import { EnvironmentScope } from './environment-scope';
import { applyExemptions } from './exemptions';
import { AppliedExemption, Finding, FindingObject } from './finding';
import { checkFreshness, PROJECT_DIST_DIR } from './freshness';
import { formatPath } from './json-path';
import { loadFolderContents, loadManifests } from './load-manifests';
import { FolderContents, ManifestObject } from './manifest';
import { Rule, RuleHit, RuleViolation } from './rule';
import { describeRule, OBJECT_RULES, RULE_IDS } from './rules';
import { checkSchema } from './schema/schema-check';
import { loadSchemaRegistry } from './schema/schema-registry';
import { SchemaSourceOptions } from './schema/schema-sources';

export interface ValidationOptions extends SchemaSourceOptions {
  /**
   * Compare the folder with a fresh synth.
   * @default true exactly when the folder is the project's dist/
   */
  readonly checkFreshness?: boolean;
  /**
   * Renders what a fresh synth would write, keyed by path relative to the folder.
   * @default renderAllEnvironments() of synth/render.ts
   */
  readonly render?: () => ReadonlyMap<string, string>;
}

export interface ValidationResult {
  readonly dir: string;
  readonly environments: readonly string[];
  readonly fileCount: number;
  readonly objectCount: number;
  /** Sorted by environment, file, object and rule. */
  readonly findings: readonly Finding[];
  readonly exemptions: readonly AppliedExemption[];
}

/** Validates every Kubernetes object under `dir`: schema, policy, cross-references, exemptions and (for dist/) freshness. */
export async function validateDirectory(dir: string, options: ValidationOptions = {}): Promise<ValidationResult> {
  const resolved = path.resolve(dir);
  const objects = loadManifests(resolved);
  const folder = loadFolderContents(resolved);
  const { findings, exemptions } = await validateObjects(objects, options, folder, addonOriginsIn(resolved, folder));
  const checkFreshnessNow = options.checkFreshness ?? resolved === PROJECT_DIST_DIR;
  const freshness: Finding[] = checkFreshnessNow
    ? checkFreshness(resolved, options.render).map((hit) => ({
        ruleId: hit.ruleId,
        environment: environmentOf(hit.file),
        file: hit.file,
        message: hit.message,
        fix: describeRule(hit.ruleId).fix,
      }))
    : [];
  return {
    dir: resolved,
    environments: [...new Set(objects.map((object) => object.environment))].sort(),
    fileCount: new Set(objects.map((object) => object.file)).size,
    objectCount: objects.length,
    findings: sortFindings([...findings, ...freshness]),
    exemptions,
  };
}

/**
 * Schema, policy, cross-reference and exemption checks of already loaded objects. The objects of
 * rendered add-ons (environments in `addonOrigins`) are third-party: they get the rules
 * tools/validation/addons/third-party-rules.ts decides apply to them, and the add-on rules.
 */
export async function validateObjects(
  objects: readonly ManifestObject[],
  options: SchemaSourceOptions = {},
  folder?: FolderContents,
  addonOrigins: ReadonlyMap<string, AddonOrigin> = new Map(),
): Promise<{ findings: Finding[]; exemptions: AppliedExemption[] }> {
  const registry = await loadSchemaRegistry(options);
  const addonObjects = objects.filter((object) => addonOrigins.has(object.environment));
  const addonRegistry = addonObjects.length > 0 ? await addonSchemaRegistry(addonObjects, options) : registry;
  const findings: Finding[] = [];
  const schemaInvalid = new Set<ManifestObject>();
  for (const object of objects) {
    const hits = addonOrigins.has(object.environment) ? checkAddonSchema(object, addonRegistry) : checkSchema(object, registry);
    findings.push(...hits.map((hit) => toFinding(object, hit)));
    if (hits.length > 0) {
      schemaInvalid.add(object);
    }
  }
  const scopes = new Map<string, EnvironmentScope>();
  for (const environment of new Set(objects.map((object) => object.environment))) {
    scopes.set(environment, new EnvironmentScope(objects.filter((object) => object.environment === environment), objects, folder));
  }
  const thirdPartyRules = thirdPartyObjectRules(OBJECT_RULES);
  const addonRules = new Map(
    [...addonOrigins].map(([environment, origin]) => [environment, [...thirdPartyRules, ...ADDON_RULES.map((rule): Rule => ({ ...rule, check: (checked, within) => rule.check(checked, within, origin) }))]]),
  );
  for (const object of objects) {
    const scope = scopes.get(object.environment) as EnvironmentScope;
    for (const rule of addonRules.get(object.environment) ?? OBJECT_RULES) {
      findings.push(...checkRule(rule, object, scope, schemaInvalid.has(object)).map((violation) => toFinding(object, { ...violation, ruleId: rule.id })));
    }
  }
  return applyExemptions(objects, findings, RULE_IDS, describeRule);
}

/**
 * Rules read fields defensively, but an object the schema rejected may still surprise one; its
 * schema findings already fail the gate, so a rule that cannot read it adds nothing.
 */
function checkRule(rule: Rule, object: ManifestObject, scope: EnvironmentScope, schemaRejected: boolean): RuleViolation[] {
  try {
    return rule.check(object, scope);
  } catch (error) {
    if (schemaRejected) {
      return [];
    }
    throw error;
  }
}

function toFinding(object: ManifestObject, hit: RuleHit): Finding {
  const findingObject: FindingObject = {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.name,
    namespace: object.namespace,
    documentIndex: object.documentIndex,
  };
  return {
    ruleId: hit.ruleId,
    environment: object.environment,
    file: object.file,
    object: findingObject,
    path: hit.path && hit.path.length > 0 ? formatPath(hit.path) : undefined,
    message: hit.message,
    fix: describeRule(hit.ruleId).fix,
  };
}

function environmentOf(file: string): string {
  return file.includes('/') ? file.slice(0, file.indexOf('/')) : '.';
}

function sortFindings(findings: Finding[]): Finding[] {
  const key = (finding: Finding) => [finding.environment, finding.file, String(finding.object?.documentIndex ?? -1).padStart(6, '0'), finding.ruleId, finding.path ?? ''];
  return findings.sort((a, b) => {
    const left = key(a);
    const right = key(b);
    for (let index = 0; index < left.length; index++) {
      const order = left[index].localeCompare(right[index]);
      if (order !== 0) {
        return order;
      }
    }
    return 0;
  });
}
