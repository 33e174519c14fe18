import { Rule, RuleDescription } from '../rule';
import { ADDON_IMAGE_PINNED } from './addon-image-rule';
import { ADDON_PROJECT_PERMITS } from './addon-project-rule';
import { AddonRule } from './addon-rule';

/** Rules that check only the objects of rendered add-ons. */
export const ADDON_RULES: readonly AddonRule[] = [ADDON_IMAGE_PINNED, ADDON_PROJECT_PERMITS];

/**
 * Which of the gate's rules check third-party objects (rendered add-ons) and why; the reason is
 * printed in docs/validation-rules.md ("Rendered add-ons"). Every rule id must match exactly one
 * entry (a test enforces it), so a new rule is a decision, never a silent skip.
 */
export interface ThirdPartyDecision {
  /** Rule id, or a family prefix ending in `-` (e.g. `PSS-RESTRICTED-`). */
  readonly rules: string;
  readonly applies: boolean;
  readonly reason: string;
}

export const THIRD_PARTY_DECISIONS: readonly ThirdPartyDecision[] = [
  { rules: 'SCHEMA-', applies: true, reason: 'the API server rejects what the Kubernetes 1.27 or the installed CRD schema rejects; custom resources are checked against the pinned CRDs, else the CRDs the add-ons themselves install' },
  { rules: 'ADDON-', applies: true, reason: 'written for rendered add-ons: pinned images, and objects the AppProject permits' },
  { rules: 'ARGOCD-SYNC-HOOK', applies: true, reason: 'Argo CD reads the hook annotations of every object it syncs' },
  { rules: 'ARGOCD-SYNC-OPTIONS', applies: true, reason: 'Argo CD reads the sync-options annotation of every object it syncs' },
  { rules: 'ARGOCD-SYNC-WAVE', applies: true, reason: 'Argo CD reads the sync-wave annotation of every object it syncs' },
  { rules: 'ARGOCD-', applies: false, reason: "about this repository's Argo CD objects (Applications, projects, the order of waves between them); an upstream chart's own waves are the chart's" },
  { rules: 'EXEMPTION-', applies: true, reason: 'an exemption annotation, wherever it is, must be valid and used' },
  { rules: 'FRESHNESS-', applies: false, reason: 'rendered add-ons are not in dist/; addons.lock.json pins their sources instead' },
  { rules: 'PSS-RESTRICTED-', applies: false, reason: "add-on namespaces are not restricted: node agents need host paths and host networking (fluent-bit, node-exporter); the upstream's security posture is reviewed when a pin moves" },
  { rules: 'KUBE-LINTER-', applies: false, reason: "our hardening profile (probes, budgets, anti-affinity, read-only root); an upstream chart's defaults are its own. The latest-tag check is ADDON-IMAGE-PINNED here" },
  { rules: 'KUBE-SCORE-', applies: false, reason: "our hardening profile (NetworkPolicies, resources, pull policy Always); an upstream chart's defaults are its own" },
  { rules: 'POLARIS-', applies: false, reason: 'our hardening profile; operators hold cluster-wide RBAC by design, limited by the add-on project' },
  { rules: 'XREF-', applies: false, reason: 'references among our objects; an operator creates at run time what its manifests reference (the Prometheus StatefulSets, webhook certificates)' },
  { rules: 'PLATFORM-', applies: false, reason: "the platform's own conventions (our labels, TLS between our services, ingress sign-in, image digests in staging and production)" },
];

/** The decision for a rule id: the exact entry, else the longest matching family prefix. */
export function thirdPartyDecision(ruleId: string): ThirdPartyDecision | undefined {
  const exact = THIRD_PARTY_DECISIONS.find((decision) => decision.rules === ruleId);
  if (exact) {
    return exact;
  }
  return THIRD_PARTY_DECISIONS.filter((decision) => decision.rules.endsWith('-') && ruleId.startsWith(decision.rules)).sort((a, b) => b.rules.length - a.rules.length)[0];
}

/** A decision as its row in docs/validation-rules.md ("Rendered add-ons"). */
export function thirdPartyDecisionRow(decision: ThirdPartyDecision): string {
  return `| ${decision.rules.endsWith('-') ? `${decision.rules}*` : decision.rules} | ${decision.applies ? 'yes' : 'no'} | ${decision.reason} |`;
}

/** The object rules that check third-party objects. */
export function thirdPartyObjectRules(rules: readonly Rule[]): Rule[] {
  return rules.filter((rule) => thirdPartyDecision(rule.id)?.applies === true);
}

/** Rule ids no decision covers (a test keeps this empty). */
export function undecidedRules(rules: readonly RuleDescription[]): string[] {
  return rules.map((rule) => rule.id).filter((id) => thirdPartyDecision(id) === undefined);
}
