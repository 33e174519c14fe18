import { labelSelectorMatches, mapSelectorMatches } from '../validation/label-selector';
import { list, record, records, stringMap, text } from '../validation/json-access';
import { ManifestObject } from '../validation/manifest';
import { podTemplatesOf } from '../validation/pod-templates';
import { PodSet } from './pod-sets';

/** Why a port of a pod set is TLS, keyed `<pod set>:<port>`: the rendered setting that makes it so. */
export type TlsEvidence = ReadonlyMap<string, string>;

/** RabbitMQ's inter-node ports: 25672 (distribution, AMQP port + 20000) and 35672-35682 (CLI tools), per rabbitmq.com/docs/networking#ports. */
const RABBITMQ_DISTRIBUTION_PORTS = [25672, ...Array.from({ length: 11 }, (_, offset) => 35672 + offset)];
/** The listeners the RabbitMQ cluster operator opens with TLS when `spec.tls.secretName` is set: AMQPS, management and Prometheus over TLS. */
const RABBITMQ_TLS_LISTENERS = [5671, 15671, 15691];

/**
 * The ports that serve only TLS, decided from what is rendered, never assumed:
 * - a Service port with `appProtocol: https` (its target port, resolved by name on the pods it selects);
 * - a `redis.conf` (ConfigMap mounted by the pods) with `port 0` and `tls-port N`: N, and N + 10000 with `tls-cluster yes`;
 * - a CloudNativePG Cluster with `spec.certificates.serverTLSSecret` and a `pg_hba` that rejects `hostnossl`, and a Pooler whose `pg_hba` rejects it: 5432;
 * - a RabbitmqCluster with `spec.tls.secretName` and `disableNonTLSListeners`: 5671, 15671, 15691; with `-proto_dist inet_tls`: the inter-node ports.
 * The Kubernetes API (443 and 6443 to its address block) and HTTPS endpoints (443 to an address block) are TLS by their protocol.
 */
export function tlsEvidenceOf(objects: readonly ManifestObject[], podSets: readonly PodSet[]): TlsEvidence {
  const evidence = new Map<string, string>();
  const add = (podSet: string, port: number, why: string) => {
    if (!evidence.has(`${podSet}:${port}`)) {
      evidence.set(`${podSet}:${port}`, why);
    }
  };
  for (const service of objects.filter((object) => object.kind === 'Service')) {
    const spec = record(service.body.spec);
    const selector = stringMap(spec.selector);
    if (Object.keys(selector).length === 0) {
      continue;
    }
    for (const podSet of podSets.filter((set) => mapSelectorMatches(selector, set.labels))) {
      for (const port of records(spec.ports).filter((entry) => text(entry.appProtocol) === 'https')) {
        const target = typeof port.targetPort === 'number' ? port.targetPort : podSet.namedPorts[text(port.targetPort) ?? ''] ?? (port.port as number);
        add(podSet.id, target, `Service ${service.name} port ${text(port.name) ?? port.port}: appProtocol https`);
      }
    }
  }
  for (const configMap of objects.filter((object) => object.kind === 'ConfigMap')) {
    const conf = text(record(configMap.body.data)['redis.conf']);
    const tlsPort = conf && /^port 0$/m.test(conf) ? Number(/^tls-port (\d+)$/m.exec(conf)?.[1]) : NaN;
    if (!tlsPort) {
      continue;
    }
    for (const podSet of podSets.filter((set) => mountsConfigMap(objects, set, configMap.name))) {
      add(podSet.id, tlsPort, `ConfigMap ${configMap.name} redis.conf: port 0, tls-port ${tlsPort}`);
      if (/^tls-cluster yes$/m.test(conf!)) {
        add(podSet.id, tlsPort + 10000, `ConfigMap ${configMap.name} redis.conf: tls-cluster yes`);
      }
    }
  }
  for (const object of objects) {
    const spec = record(object.body.spec);
    const rejectsPlain = list(record(spec.postgresql ?? spec.pgbouncer).pg_hba).some((line) => /^hostnossl\s.*\sreject$/.test(String(line)));
    if (object.kind === 'Cluster' && text(record(spec.certificates).serverTLSSecret) && rejectsPlain) {
      add(object.name, 5432, `Cluster ${object.name}: certificates.serverTLSSecret, pg_hba rejects hostnossl`);
    }
    if (object.kind === 'Pooler' && rejectsPlain) {
      add(object.name, 5432, `Pooler ${object.name}: pg_hba rejects hostnossl`);
    }
    if (object.kind === 'RabbitmqCluster' && text(record(spec.tls).secretName) && record(spec.tls).disableNonTLSListeners === true) {
      RABBITMQ_TLS_LISTENERS.forEach((port) => add(object.name, port, `RabbitmqCluster ${object.name}: tls.secretName, disableNonTLSListeners`));
    }
    if (object.kind === 'RabbitmqCluster' && /-proto_dist inet_tls/.test(text(record(spec.rabbitmq).envConfig) ?? '')) {
      RABBITMQ_DISTRIBUTION_PORTS.forEach((port) => add(object.name, port, `RabbitmqCluster ${object.name}: envConfig -proto_dist inet_tls`));
    }
  }
  return evidence;
}

function mountsConfigMap(objects: readonly ManifestObject[], podSet: PodSet, name: string): boolean {
  return objects.some((object) =>
    podTemplatesOf(object).some(
      (template) => labelSelectorMatches({ matchLabels: podSet.labels }, template.labels) && records(template.spec.volumes).some((volume) => text(record(volume.configMap).name) === name),
    ),
  );
}

/** Why a flow to an address block is TLS: the Kubernetes API and HTTPS are TLS by protocol. */
export function outsideTlsReason(port: number, peerName: string): string | undefined {
  if (peerName === 'kubernetes-api' && (port === 443 || port === 6443)) {
    return 'the Kubernetes API serves only TLS';
  }
  return port === 443 ? 'port 443: HTTPS' : undefined;
}
