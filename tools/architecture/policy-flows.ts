import { labelSelectorMatches } from '../validation/label-selector';
import { list, record, records, stringMap, text } from '../validation/json-access';
import { ManifestObject } from '../validation/manifest';
import { PodSet } from './pod-sets';

/** The node that stands for every pod of the namespace, where a policy selects them all (`podSelector: {}`), e.g. DNS egress. */
export const EVERY_POD = 'every-pod';

/** A peer outside the environment's namespace, or an address block. */
export interface OutsidePeer {
  /** Graph node id: `ns:<namespace>:<pod labels>` or `cidr:<block>`. */
  readonly id: string;
  /** Namespace the peer's pods run in; absent for an address block. */
  readonly namespace?: string;
  /** `app.kubernetes.io/name=prometheus`, or the CIDR. */
  readonly selector: string;
  /** The NetworkPolicy names that mention it (for naming an address block: `...-allow-egress-to-<what>`). */
  readonly policies: readonly string[];
}

/** One allowed connection: source node, destination node, destination port. */
export interface Flow {
  readonly from: string;
  readonly to: string;
  /** Destination port number; 0 for "every port". */
  readonly port: number;
  readonly protocol: string;
  /** The NetworkPolicies that allow it (both sides for a flow inside the namespace). */
  readonly policies: readonly string[];
}

/** A rule on one side whose other side allows nothing: egress allowed, the destination's ingress not (or the reverse). */
export interface OneSidedRule {
  readonly flow: Flow;
  readonly direction: 'Ingress' | 'Egress';
}

export interface PolicyFlows {
  readonly flows: readonly Flow[];
  readonly outsidePeers: readonly OutsidePeer[];
  readonly oneSided: readonly OneSidedRule[];
}

interface Grant {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: string;
  readonly policy: string;
}

export function flowKey(flow: Pick<Flow, 'from' | 'to' | 'port' | 'protocol'>): string {
  return `${flow.from}->${flow.to}:${flow.port}/${flow.protocol}`;
}

function labelText(selector: unknown): string {
  const { matchLabels, matchExpressions } = record(selector);
  const parts = Object.entries(stringMap(matchLabels)).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => `${key}=${value}`);
  for (const expression of records(matchExpressions)) {
    parts.push(`${text(expression.key)} ${text(expression.operator)} (${list(expression.values).join(', ')})`);
  }
  return parts.join(', ') || 'every pod';
}

/**
 * The flows the environment's NetworkPolicies allow, resolved to pod sets (a selector that picks
 * every pod set, `podSelector: {}`, to {@link EVERY_POD}), peers in other namespaces and address
 * blocks. A flow between two pod sets of the namespace needs both an egress rule of the source and
 * an ingress rule of the destination (both are isolated by `default-deny-all`); a flow from or to
 * outside needs only the rule rendered here, because the other side's policies are not.
 */
export function policyFlowsOf(namespace: string, objects: readonly ManifestObject[], podSets: readonly PodSet[]): PolicyFlows {
  const policies = objects.filter((object) => object.kind === 'NetworkPolicy' && object.apiVersion === 'networking.k8s.io/v1');
  const outside = new Map<string, { namespace?: string; selector: string; policies: Set<string> }>();
  const selected = (selector: unknown): string[] => {
    const all = Object.keys(record(selector)).every((key) => Object.keys(record(record(selector)[key])).length === 0 && list(record(selector)[key]).length === 0);
    return all ? [EVERY_POD] : podSets.filter((set) => labelSelectorMatches(selector, set.labels)).map((set) => set.id);
  };
  const peersOf = (peer: Record<string, unknown>, policy: string): string[] => {
    const block = record(peer.ipBlock);
    if (text(block.cidr)) {
      const cidr = text(block.cidr)!;
      const except = list(block.except).join(', ');
      const id = `cidr:${cidr}`;
      const entry = outside.get(id) ?? { selector: except ? `${cidr} except ${except}` : cidr, policies: new Set<string>() };
      entry.policies.add(policy);
      outside.set(id, entry);
      return [id];
    }
    if (peer.namespaceSelector === undefined) {
      return selected(peer.podSelector);
    }
    const peerNamespace = stringMap(record(peer.namespaceSelector).matchLabels)['kubernetes.io/metadata.name'] ?? `namespaces ${labelText(peer.namespaceSelector)}`;
    if (peerNamespace === namespace) {
      return selected(peer.podSelector);
    }
    const selector = labelText(peer.podSelector);
    const id = `ns:${peerNamespace}:${selector}`;
    const entry = outside.get(id) ?? { namespace: peerNamespace, selector, policies: new Set<string>() };
    entry.policies.add(policy);
    outside.set(id, entry);
    return [id];
  };
  const portsOf = (rule: Record<string, unknown>, destinations: readonly string[]): { port: number; protocol: string; destination: string }[] =>
    destinations.flatMap((destination) => {
      const ports = records(rule.ports);
      if (ports.length === 0) {
        return [{ port: 0, protocol: 'any', destination }];
      }
      return ports.flatMap((port) => {
        const protocol = text(port.protocol) ?? 'TCP';
        const named = text(port.port);
        const number = typeof port.port === 'number' ? port.port : named ? podSets.find((set) => set.id === destination)?.namedPorts[named] : 0;
        const end = typeof port.endPort === 'number' ? port.endPort : number;
        if (number === undefined) {
          return [];
        }
        return Array.from({ length: (end ?? number) - number + 1 }, (_, offset) => ({ port: number + offset, protocol, destination }));
      });
    });
  const ingress: Grant[] = [];
  const egress: Grant[] = [];
  const isolated = { Ingress: new Set<string>(), Egress: new Set<string>() };
  for (const policy of policies) {
    const spec = record(policy.body.spec);
    const targets = selected(spec.podSelector);
    const types = list(spec.policyTypes).length > 0 ? list(spec.policyTypes) : ['Ingress', ...(spec.egress ? ['Egress'] : [])];
    for (const type of types as ('Ingress' | 'Egress')[]) {
      (targets.includes(EVERY_POD) ? [EVERY_POD, ...podSets.map((set) => set.id)] : targets).forEach((target) => isolated[type]?.add(target));
    }
    for (const target of targets) {
      for (const rule of records(spec.ingress)) {
        const sources = list(rule.from).length === 0 ? ['anywhere'] : records(rule.from).flatMap((peer) => peersOf(peer, policy.name));
        for (const source of sources) {
          for (const { port, protocol } of portsOf(rule, [target])) {
            ingress.push({ from: source, to: target, port, protocol, policy: policy.name });
          }
        }
      }
      for (const rule of records(spec.egress)) {
        const destinations = list(rule.to).length === 0 ? ['anywhere'] : records(rule.to).flatMap((peer) => peersOf(peer, policy.name));
        for (const { port, protocol, destination } of portsOf(rule, destinations)) {
          egress.push({ from: target, to: destination, port, protocol, policy: policy.name });
        }
      }
    }
  }
  const inside = (id: string) => id === EVERY_POD || podSets.some((set) => set.id === id);
  const flows = new Map<string, { flow: Omit<Flow, 'policies'>; policies: Set<string> }>();
  const oneSided: OneSidedRule[] = [];
  const allow = (grant: Grant, policy: string[]) => {
    const key = flowKey(grant);
    const entry = flows.get(key) ?? { flow: { from: grant.from, to: grant.to, port: grant.port, protocol: grant.protocol }, policies: new Set<string>() };
    policy.forEach((name) => entry.policies.add(name));
    flows.set(key, entry);
  };
  const matches = (a: Grant, b: Grant) => a.from === b.from && a.to === b.to && (a.port === b.port || a.port === 0 || b.port === 0) && (a.protocol === b.protocol || a.protocol === 'any' || b.protocol === 'any');
  for (const grant of egress) {
    if (!inside(grant.to)) {
      allow(grant, [grant.policy]);
      continue;
    }
    const other = ingress.filter((candidate) => matches(candidate, grant));
    if (other.length > 0 || !isolated.Ingress.has(grant.to)) {
      allow(grant, [grant.policy, ...other.map((candidate) => candidate.policy)]);
    } else {
      oneSided.push({ flow: { ...grant, policies: [grant.policy] }, direction: 'Egress' });
    }
  }
  for (const grant of ingress) {
    if (!inside(grant.from)) {
      allow(grant, [grant.policy]);
      continue;
    }
    const other = egress.filter((candidate) => matches(candidate, grant));
    if (other.length === 0 && isolated.Egress.has(grant.from)) {
      oneSided.push({ flow: { ...grant, policies: [grant.policy] }, direction: 'Ingress' });
    } else if (other.length === 0) {
      allow(grant, [grant.policy]);
    }
  }
  const sortedFlows = [...flows.values()]
    .map(({ flow, policies: names }) => ({ ...flow, policies: [...names].sort() }))
    .sort((a, b) => flowKey(a).localeCompare(flowKey(b), 'en', { numeric: true }));
  const outsidePeers = [...outside.entries()].map(([id, entry]) => ({ id, namespace: entry.namespace, selector: entry.selector, policies: [...entry.policies].sort() })).sort((a, b) => a.id.localeCompare(b.id));
  return { flows: sortedFlows, outsidePeers, oneSided };
}
