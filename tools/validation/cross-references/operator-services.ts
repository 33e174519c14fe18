import { ManifestObject } from '../manifest';

/**
 * Services the RabbitMQ Cluster Operator creates for a rendered RabbitmqCluster, so that a
 * ServiceMonitor or Ingress aimed at them resolves. They carry the same labels as the brokers.
 * Documented in docs/validation-rules.md ("Operator conventions").
 */
export function operatorServices(object: ManifestObject): ManifestObject[] {
  if (!(object.apiVersion.startsWith('rabbitmq.com/') && object.kind === 'RabbitmqCluster')) {
    return [];
  }
  const labels = { 'app.kubernetes.io/name': object.name, 'app.kubernetes.io/component': 'rabbitmq', 'app.kubernetes.io/part-of': 'rabbitmq' };
  const service = (name: string, ports: [string, number][]): ManifestObject => ({
    ...object,
    apiVersion: 'v1',
    kind: 'Service',
    name,
    body: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: object.namespace, labels },
      spec: { selector: labels, ports: ports.map(([portName, port]) => ({ name: portName, port, targetPort: port, protocol: 'TCP' })) },
    },
  });
  // As cluster-operator 2.7 names them: TLS adds amqps, management-tls and prometheus-tls (which
  // replaces prometheus); disableNonTLSListeners drops amqp and management.
  const tls = (object.body as { spec?: { tls?: { secretName?: string; disableNonTLSListeners?: boolean } } }).spec?.tls;
  const tlsEnabled = tls?.secretName !== undefined && tls.secretName !== '';
  const plainPorts: [string, number][] = tlsEnabled && tls?.disableNonTLSListeners === true ? [] : [['amqp', 5672], ['management', 15672]];
  const tlsPorts: [string, number][] = tlsEnabled ? [['amqps', 5671], ['management-tls', 15671], ['prometheus-tls', 15691]] : [['prometheus', 15692]];
  return [
    service(object.name, [...plainPorts, ...tlsPorts]),
    service(`${object.name}-nodes`, [
      ['epmd', 4369],
      ['cluster-rpc', 25672],
    ]),
  ];
}
