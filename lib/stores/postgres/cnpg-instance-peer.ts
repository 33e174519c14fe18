import { k8s } from 'cdk8s-plus-27';
import { INetworkPeer } from '../../platform/network-peer';

/**
 * The pods CloudNativePG runs for a Cluster's PostgreSQL: the instances and their bootstrap,
 * join and recovery Jobs. The operator labels them all `cnpg.io/cluster: <cluster>`; it puts that
 * label on the cluster's Pooler pods too (marked `cnpg.io/podRole: pooler`), which are left out.
 * Jobs carry no `cnpg.io/podRole` at all, hence `NotIn` rather than `podRole: instance`: a
 * full-recovery Job that cannot reach the object store would fail every restore.
 * @see https://cloudnative-pg.io/documentation/1.22/labels_annotations/
 */
export class CnpgInstancePeer implements INetworkPeer {
  public readonly peerName: string;

  public constructor(
    private readonly clusterName: string,
    private readonly namespaceName: string,
  ) {
    this.peerName = clusterName;
  }

  /** Selects the instance and Job pods; for `podSelector` fields. */
  public get selector(): k8s.LabelSelector {
    return {
      matchLabels: { 'cnpg.io/cluster': this.clusterName },
      matchExpressions: [{ key: 'cnpg.io/podRole', operator: 'NotIn', values: ['pooler'] }],
    };
  }

  public toNetworkPolicyPeer(fromNamespace: string): k8s.NetworkPolicyPeer {
    if (fromNamespace === this.namespaceName) {
      return { podSelector: this.selector };
    }
    return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.namespaceName } }, podSelector: this.selector };
  }
}
