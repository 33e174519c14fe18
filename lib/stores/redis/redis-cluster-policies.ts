import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { selectorLabels } from '../../platform/labels';
import { tcpPorts } from '../../platform/network-peer';
import { REDIS_CLUSTER_BUS_PORT, REDIS_PORT } from './redis-constants';

export interface RedisClusterPoliciesProps {
  /** Name of the cluster, whose pods the policies select. */
  readonly clusterName: string;
  /** Name of the bootstrap Job, whose pods reach the nodes. */
  readonly bootstrapName: string;
  readonly namespace: string;
  /** Labels of the policy objects: the cluster's. */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The flows a Redis cluster needs within itself: node to node on the client port (replication) and
 * the bus (gossip, failover), and the bootstrap Job to every node. Clients and Prometheus are
 * allowed by the cluster itself.
 */
export class RedisClusterPolicies extends Construct {
  public constructor(scope: Construct, id: string, props: RedisClusterPoliciesProps) {
    super(scope, id);
    const nodes: k8s.NetworkPolicyPeer = { podSelector: { matchLabels: selectorLabels(props.clusterName) } };
    const bootstrap: k8s.NetworkPolicyPeer = { podSelector: { matchLabels: selectorLabels(props.bootstrapName) } };
    const policy = (constructId: string, name: string, podSelector: Record<string, string>, spec: Omit<k8s.NetworkPolicySpec, 'podSelector'>) =>
      new k8s.KubeNetworkPolicy(this, constructId, {
        metadata: { name, namespace: props.namespace, labels: { ...props.labels } },
        spec: { podSelector: { matchLabels: podSelector }, ...spec },
      });

    policy('AllowClusterPeers', `${props.clusterName}-allow-cluster-peers`, selectorLabels(props.clusterName), {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [nodes], ports: tcpPorts(REDIS_PORT, REDIS_CLUSTER_BUS_PORT) }],
      // Replication uses the client port, gossip and failover the bus.
      egress: [{ to: [nodes], ports: tcpPorts(REDIS_PORT, REDIS_CLUSTER_BUS_PORT) }],
    });
    policy('AllowFromBootstrap', `${props.clusterName}-allow-from-bootstrap`, selectorLabels(props.clusterName), {
      policyTypes: ['Ingress'],
      ingress: [{ from: [bootstrap], ports: tcpPorts(REDIS_PORT) }],
    });
    policy('BootstrapAllowEgress', `${props.bootstrapName}-allow-egress-to-${props.clusterName}`, selectorLabels(props.bootstrapName), {
      policyTypes: ['Egress'],
      egress: [{ to: [nodes], ports: tcpPorts(REDIS_PORT) }],
    });
  }
}
