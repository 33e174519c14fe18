import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { INetworkPeer, tcpPorts } from '../../platform/network-peer';

/**
 * The broker's listeners. Its non-TLS listeners are off (`disableNonTLSListeners`), so the
 * operator opens only the TLS ports below: AMQP over TLS, the management API over HTTPS and
 * rabbitmq_prometheus over HTTPS, each named in the client Service (`amqps`, `management-tls`,
 * `prometheus-tls`).
 */
export const AMQPS_PORT = 5671;
export const MANAGEMENT_TLS_PORT = 15671;
export const PROMETHEUS_TLS_PORT = 15691;
/** epmd, Erlang distribution and the CLI tools' distribution ports, used between cluster nodes. */
const INTER_NODE_PORTS = [4369, 25672, 35672, 35673, 35674, 35675, 35676, 35677, 35678, 35679, 35680, 35681, 35682];

/** Where a broker policy goes and which pods it opens. */
export interface BrokerPolicyTarget {
  /** Name of the RabbitmqCluster: the policies are `<clusterName>-allow-<purpose>`. */
  readonly clusterName: string;
  readonly namespace: string;
  /** Labels of the policy objects. */
  readonly labels: Readonly<Record<string, string>>;
  /** The labels the operator gives the nodes' pods. */
  readonly podLabels: Readonly<Record<string, string>>;
}

/** The flows every broker needs besides its clients'. */
export interface BrokerNetworkPoliciesOptions extends BrokerPolicyTarget {
  /** Namespace of the RabbitMQ Cluster and Messaging Topology operators, which call the management API. */
  readonly operatorNamespace: string;
  /** Prometheus, allowed to scrape the rabbitmq_prometheus port. */
  readonly metricsScraper: INetworkPeer;
  /** The Kubernetes API server: peer discovery lists the cluster's endpoints through it. */
  readonly kubernetesApi: INetworkPeer;
}

/**
 * Adds to `scope`, in this order, the policies of the broker's own flows: between its nodes, from
 * the operators, from Prometheus and to the API server.
 */
export function addBrokerNetworkPolicies(scope: Construct, options: BrokerNetworkPoliciesOptions): void {
  const ns = options.namespace;
  const policy = (purpose: string, spec: Omit<k8s.NetworkPolicySpec, 'podSelector'>) => brokerPolicy(scope, `NetworkPolicy-${purpose}`, purpose, options, spec);
  const self = { podSelector: { matchLabels: { ...options.podLabels } } };
  policy('cluster-nodes', {
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [self], ports: tcpPorts(...INTER_NODE_PORTS, AMQPS_PORT) }],
    egress: [{ to: [self], ports: tcpPorts(...INTER_NODE_PORTS, AMQPS_PORT) }],
  });
  policy('operators', { policyTypes: ['Ingress'], ingress: [{ from: [operatorsPeer(options.operatorNamespace)], ports: tcpPorts(MANAGEMENT_TLS_PORT) }] });
  policy('metrics-scrape', { policyTypes: ['Ingress'], ingress: [{ from: [options.metricsScraper.toNetworkPolicyPeer(ns)], ports: tcpPorts(PROMETHEUS_TLS_PORT) }] });
  policy('egress-to-kubernetes-api', { policyTypes: ['Egress'], egress: [{ to: [options.kubernetesApi.toNetworkPolicyPeer(ns)], ports: tcpPorts(443, 6443) }] });
}

/** One NetworkPolicy of the broker's pods, `<clusterName>-allow-<purpose>`. */
export function brokerPolicy(scope: Construct, id: string, purpose: string, target: BrokerPolicyTarget, spec: Omit<k8s.NetworkPolicySpec, 'podSelector'>): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: `${target.clusterName}-allow-${purpose}`, namespace: target.namespace, labels: { ...target.labels } },
    spec: { podSelector: { matchLabels: { ...target.podLabels } }, ...spec },
  });
}

/** The RabbitMQ Cluster and Messaging Topology operators' pods. */
function operatorsPeer(namespace: string): k8s.NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
    podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['rabbitmq-cluster-operator', 'messaging-topology-operator'] }] },
  };
}
