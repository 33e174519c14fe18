import { ADDON_RULES } from './addons/third-party-rules';
import { ARGOCD_REFERENCE_RULES } from './cross-references/argocd-references';
import { ARGOCD_TENANCY_RULES } from './cross-references/argocd-tenancy';
import { CERTIFICATE_REFERENCE_RULES } from './cross-references/certificate-references';
import { IMAGE_PULL_REFERENCE_RULES } from './cross-references/image-pull-references';
import { INGRESS_REFERENCE_RULES } from './cross-references/ingress-references';
import { OPERATOR_REFERENCE_RULES } from './cross-references/operator-references';
import { POD_REFERENCE_RULES } from './cross-references/pod-references';
import { ROLLOUT_REFERENCE_RULES } from './cross-references/rollout-references';
import { SELECTOR_REFERENCE_RULES } from './cross-references/selector-references';
import { EXEMPTION_RULES } from './exemptions';
import { FRESHNESS_RULES } from './freshness';
import { IMAGE_DIGEST_RULES } from './policy/image-digests';
import { KUBE_LINTER_RULES } from './policy/kube-linter';
import { KUBE_SCORE_RULES } from './policy/kube-score';
import { POD_SECURITY_RESTRICTED_RULES } from './policy/pod-security-restricted';
import { POLARIS_RULES } from './policy/polaris';
import { PLATFORM_SECURITY_RULES } from './policy/platform-security';
import { PLATFORM_TRANSPORT_TLS_RULES } from './policy/platform-transport-tls';
import { TLS_CLIENT_TRUST_RULES } from './policy/tls-client-trust';
import { Rule, RuleDescription } from './rule';
import { SCHEMA_RULES } from './schema/schema-rules';

/** Rules that check one schema-valid object at a time (policy and cross-references). */
export const OBJECT_RULES: readonly Rule[] = [
  ...POD_SECURITY_RESTRICTED_RULES,
  ...KUBE_LINTER_RULES,
  ...POLARIS_RULES,
  ...KUBE_SCORE_RULES,
  ...SELECTOR_REFERENCE_RULES,
  ...INGRESS_REFERENCE_RULES,
  ...CERTIFICATE_REFERENCE_RULES,
  ...POD_REFERENCE_RULES,
  ...IMAGE_PULL_REFERENCE_RULES,
  ...OPERATOR_REFERENCE_RULES,
  ...ROLLOUT_REFERENCE_RULES,
  ...ARGOCD_REFERENCE_RULES,
  ...ARGOCD_TENANCY_RULES,
  ...PLATFORM_SECURITY_RULES,
  ...PLATFORM_TRANSPORT_TLS_RULES,
  ...IMAGE_DIGEST_RULES,
  ...TLS_CLIENT_TRUST_RULES,
];

/** Every rule the gate can report, in the order of docs/validation-rules.md. */
export const ALL_RULES: readonly RuleDescription[] = [...SCHEMA_RULES, ...OBJECT_RULES, ...ADDON_RULES, ...FRESHNESS_RULES, ...EXEMPTION_RULES];

const RULES_BY_ID = new Map(ALL_RULES.map((rule) => [rule.id, rule]));

export const RULE_IDS: ReadonlySet<string> = new Set(RULES_BY_ID.keys());

export function describeRule(id: string): RuleDescription {
  const rule = RULES_BY_ID.get(id);
  if (!rule) {
    throw new Error(`unknown rule id ${id}`);
  }
  return rule;
}
