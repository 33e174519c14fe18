import { k8s } from 'cdk8s-plus-27';
import { INetworkPeer } from './network-peer';
import { IPV4_CIDR } from './input-patterns';

/** Addresses outside the cluster's pod network, such as the Kubernetes API server or object storage. */
export class CidrPeer implements INetworkPeer {
  public constructor(
    public readonly peerName: string,
    private readonly cidr: string,
    private readonly except: readonly string[] = [],
  ) {
    if (!IPV4_CIDR.test(cidr)) {
      throw new Error(`${peerName}: ${JSON.stringify(cidr)} is not an IPv4 CIDR such as 10.0.0.1/32`);
    }
  }

  public toNetworkPolicyPeer(): k8s.NetworkPolicyPeer {
    return { ipBlock: { cidr: this.cidr, except: this.except.length > 0 ? [...this.except] : undefined } };
  }
}
