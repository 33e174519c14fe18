import { Construct } from 'constructs';
import { INetworkPeer } from '../../platform/network-peer';
import { CnpgInstancePeer } from './cnpg-instance-peer';
import { ipBlockPeers, TcpFlowPolicy, TcpFlowPolicyProps } from './tcp-flow-policy';

export const POSTGRES_PORT = 5432;
/** The instance manager's status endpoint, called by the operator and by the other instances. */
const INSTANCE_MANAGER_PORT = 8000;
/** The instance manager's Prometheus exporter. */
const POSTGRES_METRICS_PORT = 9187;

/** The flows the PostgreSQL instances need through the namespace's default-deny. */
export interface InstanceNetworkPoliciesOptions {
  /** Name of the Cluster: the policies are `<clusterName>-allow-<purpose>`. */
  readonly clusterName: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The instance and Job pods the policies open. */
  readonly instances: CnpgInstancePeer;
  /** The pooler, the instances' only client. */
  readonly pooler: INetworkPeer;
  /** The CloudNativePG operator's pods. */
  readonly operator: INetworkPeer;
  /** Prometheus, allowed to scrape the instances' exporters. */
  readonly metricsScraper: INetworkPeer;
  /** HTTPS endpoint of the object store; its port is the one egress port to `objectStoreEgressCidrs`. */
  readonly objectStoreEndpointUrl: string;
  readonly objectStoreEgressCidrs: readonly string[];
  readonly kubernetesApiCidrs: readonly string[];
  readonly kubernetesApiPorts: readonly number[];
}

/**
 * Adds to `scope`, in this order, one TcpFlowPolicy per flow of the instances: from the pooler,
 * between the instances, from the operator, from Prometheus, to the object store and to the API server.
 */
export function addInstanceNetworkPolicies(scope: Construct, options: InstanceNetworkPoliciesOptions): void {
  const ns = options.namespace;
  const policy = (policyId: string, purpose: string, flow: Pick<TcpFlowPolicyProps, 'ingressFrom' | 'egressTo' | 'ports'>) =>
    new TcpFlowPolicy(scope, policyId, { name: `${options.clusterName}-allow-${purpose}`, namespace: ns, labels: options.labels, podSelector: options.instances.selector, ...flow });
  const { instances, pooler, operator } = options;
  policy('AllowFromPooler', `from-${pooler.peerName}`, { ingressFrom: [pooler.toNetworkPolicyPeer(ns)], ports: [POSTGRES_PORT] });
  // Streaming replication, cloning (join Jobs) and the instance managers' status calls to each other.
  policy('AllowInstanceTraffic', 'instance-traffic', {
    ingressFrom: [instances.toNetworkPolicyPeer(ns)],
    egressTo: [instances.toNetworkPolicyPeer(ns)],
    ports: [POSTGRES_PORT, INSTANCE_MANAGER_PORT],
  });
  policy('AllowFromOperator', `from-${operator.peerName}`, { ingressFrom: [operator.toNetworkPolicyPeer(ns)], ports: [INSTANCE_MANAGER_PORT, POSTGRES_PORT] });
  policy('AllowMetricsScrape', 'metrics-scrape', { ingressFrom: [options.metricsScraper.toNetworkPolicyPeer(ns)], ports: [POSTGRES_METRICS_PORT] });
  policy('AllowEgressToObjectStore', 'egress-to-object-store', {
    egressTo: ipBlockPeers(options.objectStoreEgressCidrs),
    ports: [httpsPort(options.objectStoreEndpointUrl)],
  });
  policy('AllowEgressToKubernetesApi', 'egress-to-kubernetes-api', { egressTo: ipBlockPeers(options.kubernetesApiCidrs), ports: options.kubernetesApiPorts });
}

function httpsPort(endpointUrl: string): number {
  const url = new URL(endpointUrl);
  return url.port === '' ? 443 : Number(url.port);
}
