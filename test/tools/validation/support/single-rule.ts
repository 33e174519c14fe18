import { EnvironmentScope } from '../../../../tools/validation/environment-scope';
import { JsonObject, ManifestObject } from '../../../../tools/validation/manifest';
import { Rule } from '../../../../tools/validation/rule';

/** One parsed object of `environment`, in namespace generator-platform, as the gate's loader reads it. */
export function manifest(environment: string, apiVersion: string, kind: string, body: JsonObject): ManifestObject {
  const metadata = body.metadata as JsonObject;
  return { environment, file: `${environment}/platform.yaml`, documentIndex: 0, apiVersion, kind, name: String(metadata.name), namespace: 'generator-platform', body };
}

/** The messages rule `ruleId` of `rules` reports for `object`, seeing `others` in its environment. */
export function messagesOf(rules: readonly Rule[], ruleId: string, object: ManifestObject, others: readonly ManifestObject[] = []): string[] {
  const rule = rules.find((candidate) => candidate.id === ruleId);
  if (!rule) {
    throw new Error(`no rule ${ruleId}`);
  }
  return rule.check(object, new EnvironmentScope([object, ...others])).map((violation) => violation.message);
}
