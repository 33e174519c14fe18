/**
 * The names the broker certificate carries: the client Service (clients, KEDA, the topology
 * operator's `<name>.<namespace>.svc`), each node by its Erlang node name's host
 * (`rabbit@<pod>.<name>-nodes.<namespace>`, verified by the peer that dials it over TLS
 * distribution), and by its stable DNS names, as Prometheus, which scrapes pods, knows it.
 */
export function brokerCertificateDnsNames(cluster: string, namespace: string, replicas: number): string[] {
  const nodes = Array.from({ length: replicas }, (_, index) => `${cluster}-server-${index}.${cluster}-nodes.${namespace}`);
  return [
    ...serviceNames(cluster, namespace),
    ...nodes,
    ...nodes.map((host) => `${host}.svc`),
    ...nodes.map((host) => `${host}.svc.cluster.local`),
  ];
}

/** The client Service's names, short to fully qualified. */
function serviceNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}
