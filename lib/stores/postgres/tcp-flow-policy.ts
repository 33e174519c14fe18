import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { tcpPorts } from '../../platform/network-peer';

export interface TcpFlowPolicyProps {
  /** Object name, `<owner>-allow-<purpose>` by convention. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The pods this policy opens. */
  readonly podSelector: k8s.LabelSelector;
  /**
   * Peers allowed to connect to the pods on `ports`.
   * @default - no ingress rule
   */
  readonly ingressFrom?: readonly k8s.NetworkPolicyPeer[];
  /**
   * Peers the pods may connect to on `ports`.
   * @default - no egress rule
   */
  readonly egressTo?: readonly k8s.NetworkPolicyPeer[];
  /** TCP ports of the flow. */
  readonly ports: readonly number[];
}

/**
 * One TCP flow through the namespace's default-deny, in one or both directions. Each side of a
 * flow within the namespace needs its own policy: the client's egress and the server's ingress.
 */
export class TcpFlowPolicy extends Construct {
  public constructor(scope: Construct, id: string, props: TcpFlowPolicyProps) {
    super(scope, id);
    const ports = tcpPorts(...props.ports);
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        podSelector: props.podSelector,
        policyTypes: [...(props.ingressFrom ? ['Ingress'] : []), ...(props.egressTo ? ['Egress'] : [])],
        ingress: props.ingressFrom ? [{ from: [...props.ingressFrom], ports }] : undefined,
        egress: props.egressTo ? [{ to: [...props.egressTo], ports }] : undefined,
      },
    });
  }
}

/** NetworkPolicy peers for a list of CIDRs, each as it is. */
export function ipBlockPeers(cidrs: readonly string[]): k8s.NetworkPolicyPeer[] {
  return cidrs.map((cidr) => ({ ipBlock: { cidr } }));
}

/** `10.0.0.0/16`, `203.0.113.7/32`: an IPv4 CIDR. */
export function isIpv4Cidr(value: string): boolean {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  return match !== null && match.slice(1, 5).every((octet) => Number(octet) <= 255) && Number(match[5]) <= 32;
}
