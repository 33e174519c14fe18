import { ManifestObject } from '../manifest';
import { PodTemplate } from '../pod-templates';

/**
 * Pods that operators run for a rendered custom resource, with the labels and ports the operator
 * gives them, so that NetworkPolicy, PDB and Service selectors aimed at them resolve. Documented
 * in docs/validation-rules.md ("Operator conventions").
 */
export function operatorPods(object: ManifestObject): PodTemplate[] {
  const group = object.apiVersion.split('/')[0];
  if (group === 'postgresql.cnpg.io' && object.kind === 'Cluster') {
    // CloudNativePG moves the primary role between instances, so a selector may name either role.
    return ['primary', 'replica'].map((role) =>
      operatorPod({ 'cnpg.io/cluster': object.name, 'cnpg.io/podRole': 'instance', 'cnpg.io/instanceRole': role, role }, [
        { name: 'postgresql', containerPort: 5432 },
        { name: 'metrics', containerPort: 9187 },
      ]),
    );
  }
  if (group === 'postgresql.cnpg.io' && object.kind === 'Pooler') {
    return [
      operatorPod({ 'cnpg.io/poolerName': object.name, 'cnpg.io/podRole': 'pooler' }, [
        { name: 'pgbouncer', containerPort: 5432 },
        { name: 'metrics', containerPort: 9127 },
      ]),
    ];
  }
  if (group === 'rabbitmq.com' && object.kind === 'RabbitmqCluster') {
    // With spec.tls the operator opens the TLS ports; disableNonTLSListeners closes the plain ones.
    const tls = (object.body as { spec?: { tls?: { secretName?: string; disableNonTLSListeners?: boolean } } }).spec?.tls;
    const tlsEnabled = tls?.secretName !== undefined && tls.secretName !== '';
    const plain = tlsEnabled && tls?.disableNonTLSListeners === true
      ? []
      : [{ name: 'amqp', containerPort: 5672 }, { name: 'management', containerPort: 15672 }, { name: 'prometheus', containerPort: 15692 }];
    const encrypted = tlsEnabled
      ? [{ name: 'amqps', containerPort: 5671 }, { name: 'management-tls', containerPort: 15671 }, { name: 'prometheus-tls', containerPort: 15691 }]
      : [];
    return [
      operatorPod({ 'app.kubernetes.io/name': object.name, 'app.kubernetes.io/component': 'rabbitmq', 'app.kubernetes.io/part-of': 'rabbitmq' }, [
        ...plain,
        ...encrypted,
        { name: 'epmd', containerPort: 4369 },
        { name: 'cluster-rpc', containerPort: 25672 },
      ]),
    ];
  }
  if (group === 'cert-manager.io' && object.kind === 'Certificate') {
    // cert-manager runs an HTTP-01 solver pod in the Certificate's namespace for each pending ACME challenge.
    return [operatorPod({ 'acme.cert-manager.io/http01-solver': 'true' }, [{ name: 'http', containerPort: 8089 }])];
  }
  return [];
}

function operatorPod(labels: Record<string, string>, ports: { name: string; containerPort: number }[]): PodTemplate {
  return { labels, annotations: {}, path: [], spec: { containers: [{ name: 'operator-managed', ports: ports.map((port) => ({ ...port, protocol: 'TCP' })) }] } };
}
