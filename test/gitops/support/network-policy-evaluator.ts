import { labelSelectorMatches } from '../../../tools/validation/label-selector';

/**
 * Kubernetes NetworkPolicy semantics (networking.k8s.io/v1), evaluated over pods and addresses:
 * a flow is allowed when the sender's egress and the receiver's ingress both allow it. A pod no
 * policy selects for a direction is open in that direction; a pod some policy selects is open only
 * to what one of those policies' rules admits (peers by pod and namespace selectors, or ipBlock;
 * ports by number or by the receiving container's port name). Reference:
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: string;
}

export interface PodEndpoint {
  /** For messages: `<namespace>/<workload>`. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly ContainerPort[];
}

/** An address outside the pod network (the API server, the object store, the internet). */
export interface AddressEndpoint {
  readonly name: string;
  readonly ip: string;
}

export type Endpoint = PodEndpoint | AddressEndpoint;

/** A NetworkPolicy as rendered (loosely typed: it comes from YAML). */
export interface NetworkPolicyObject {
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: any;
}

const isPod = (endpoint: Endpoint): endpoint is PodEndpoint => 'namespace' in endpoint;

/** Namespaces carry `kubernetes.io/metadata.name` (set by the API server since 1.22) and nothing else here. */
function namespaceLabels(namespace: string): Record<string, string> {
  return { 'kubernetes.io/metadata.name': namespace };
}

function ipv4(address: string): number {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) {
    throw new Error(`not an IPv4 address: ${address}`);
  }
  return parts.reduce((value, part) => value * 256 + part, 0);
}

export function cidrContains(cidr: string, address: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4(base) / size) * size;
  const value = ipv4(address);
  return value >= start && value < start + size;
}

function peerMatches(peer: any, policyNamespace: string, endpoint: Endpoint): boolean {
  if (peer.ipBlock) {
    return !isPod(endpoint) && cidrContains(peer.ipBlock.cidr, endpoint.ip) && !(peer.ipBlock.except ?? []).some((cidr: string) => cidrContains(cidr, endpoint.ip));
  }
  if (!isPod(endpoint)) {
    return false;
  }
  const namespaceMatches = peer.namespaceSelector ? labelSelectorMatches(peer.namespaceSelector, namespaceLabels(endpoint.namespace)) : endpoint.namespace === policyNamespace;
  return namespaceMatches && (peer.podSelector ? labelSelectorMatches(peer.podSelector, { ...endpoint.labels }) : true);
}

function portMatches(rulePort: any, port: number, protocol: string, receiver: Endpoint): boolean {
  if ((rulePort.protocol ?? 'TCP') !== protocol) {
    return false;
  }
  if (rulePort.port === undefined) {
    return true;
  }
  if (typeof rulePort.port === 'number') {
    return rulePort.endPort !== undefined ? port >= rulePort.port && port <= rulePort.endPort : port === rulePort.port;
  }
  // A named port is resolved on the receiving pod's containers.
  return isPod(receiver) && receiver.ports.some((p) => p.name === rulePort.port && p.containerPort === port && (p.protocol ?? 'TCP') === protocol);
}

function policyTypes(policy: NetworkPolicyObject): string[] {
  return policy.spec.policyTypes ?? (policy.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
}

function selecting(policies: readonly NetworkPolicyObject[], pod: PodEndpoint, direction: 'Ingress' | 'Egress'): NetworkPolicyObject[] {
  return policies.filter((policy) => (policy.metadata.namespace ?? '') === pod.namespace && policyTypes(policy).includes(direction) && labelSelectorMatches(policy.spec.podSelector ?? {}, { ...pod.labels }));
}

function directionAllows(policies: readonly NetworkPolicyObject[], subject: PodEndpoint, direction: 'Ingress' | 'Egress', other: Endpoint, port: number, protocol: string, receiver: Endpoint): boolean {
  const applying = selecting(policies, subject, direction);
  if (applying.length === 0) {
    return true;
  }
  const rulesKey = direction === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = direction === 'Ingress' ? 'from' : 'to';
  return applying.some((policy) =>
    (policy.spec[rulesKey] ?? []).some((rule: any) => {
      const peers: any[] | undefined = rule[peersKey];
      const ports: any[] | undefined = rule.ports;
      const peerOk = peers === undefined || peers.length === 0 || peers.some((peer) => peerMatches(peer, policy.metadata.namespace ?? '', other));
      const portOk = ports === undefined || ports.length === 0 || ports.some((p) => portMatches(p, port, protocol, receiver));
      return peerOk && portOk;
    }),
  );
}

/** Whether `from` may open a connection to `to` on `port`/`protocol` under `policies`. */
export function flowAllowed(policies: readonly NetworkPolicyObject[], from: Endpoint, to: Endpoint, port: number, protocol = 'TCP'): boolean {
  const egressOk = !isPod(from) || directionAllows(policies, from, 'Egress', to, port, protocol, to);
  const ingressOk = !isPod(to) || directionAllows(policies, to, 'Ingress', from, port, protocol, to);
  return egressOk && ingressOk;
}

/** The pods of every Deployment, StatefulSet and DaemonSet among `objects`, in `defaultNamespace` unless they name one. */
export function workloadPods(objects: readonly any[], defaultNamespace: string): PodEndpoint[] {
  return objects
    .filter((object) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(object.kind))
    .map((object) => {
      const namespace = object.metadata.namespace ?? defaultNamespace;
      const template = object.spec.template;
      return {
        name: `${namespace}/${object.metadata.name}`,
        namespace,
        labels: template.metadata?.labels ?? {},
        ports: (template.spec.containers as any[]).flatMap((container) => container.ports ?? []),
      };
    });
}
