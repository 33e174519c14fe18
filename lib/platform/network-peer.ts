import { k8s } from 'cdk8s-plus-27';

/** Something NetworkPolicies can name as the source or destination of a flow. */
export interface INetworkPeer {
  /** A short name for the peer, used in the names of the policies that mention it. */
  readonly peerName: string;
  /** The NetworkPolicy peer that selects its pods, as seen from `fromNamespace`. */
  toNetworkPolicyPeer(fromNamespace: string): k8s.NetworkPolicyPeer;
}

/** Pods of another namespace, such as the ingress controller or Prometheus. */
export class ClusterPeer implements INetworkPeer {
  public constructor(
    public readonly peerName: string,
    private readonly namespace: string,
    private readonly podLabels: Readonly<Record<string, string>>,
  ) {}

  public toNetworkPolicyPeer(): k8s.NetworkPolicyPeer {
    return {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.namespace } },
      podSelector: { matchLabels: { ...this.podLabels } },
    };
  }
}

/** NetworkPolicy ports for TCP port numbers. */
export function tcpPorts(...ports: readonly number[]): k8s.NetworkPolicyPort[] {
  return ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
}
