import { Chart } from 'cdk8s';
import { Replicas } from '../../../lib/platform/replicas';
import { CidrPeer } from '../../../lib/platform/cidr-peer';
import { NamespaceBaseline } from '../../../lib/platform/namespace-baseline';
import { ClusterPeer } from '../../../lib/platform/network-peer';
import { ICertificateIssuer } from '../../../lib/security/tls-certificate';
import { GeneratorService } from '../../../lib/services/generator-service';
import { LongRunningService } from '../../../lib/services/long-running-service';
import { JobQueue } from '../../../lib/stores/job-queue';
import { MessageBroker } from '../../../lib/stores/message-broker';
import { KubeObject, objectsOf } from '../../support/kube';
import { IMAGE, oneReplica, prometheus, serviceScope, smallResources } from '../../support/service-fixtures';

/** The KEDA operator's pods, as the environments name them. */
export const KEDA_OPERATOR = new ClusterPeer('keda', 'keda', { 'app.kubernetes.io/name': 'keda-operator' });

/** The internal CA's Issuer, as the environment chart passes it. */
export const TLS_ISSUER: ICertificateIssuer = { issuerName: 'internal-ca', issuerKind: 'Issuer' };

/** A chart with a namespace and a 3-node broker named `rabbitmq`, and a way to add plain services beside it. */
export function brokerScope(): {
  chart: Chart;
  namespace: NamespaceBaseline;
  broker: MessageBroker;
  service: (id: string, extra?: object) => LongRunningService;
} {
  const { chart, namespace } = serviceScope();
  const broker = new MessageBroker(chart, 'rabbitmq', {
    namespace, replicas: 3, cpuMillis: 2000, memoryMi: 4096, storageGi: 20, zones: ['z1'], metricsScraper: prometheus, kubernetesApi: new CidrPeer('kubernetes-api', '10.0.0.1/32'),
    tlsIssuer: TLS_ISSUER,
  });
  const service = (id: string, extra: object = {}) =>
    new LongRunningService(chart, id, { namespace, component: 'c', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 8080, ...extra });
  return { chart, namespace, broker, service };
}

/** The job queue wired as the environment chart wires it: `api` publishes, `generator` consumes and KEDA scales it on the queue's depth. */
export function renderScaledJobQueue(): KubeObject[] {
  const { chart, namespace, broker, service } = brokerScope();
  const queue = new JobQueue(chart, 'jobs', { broker, vaultPathPrefix: 'platform/test' });
  const generator = new GeneratorService(chart, 'generator', {
    namespace, image: IMAGE, replicas: Replicas.autoscaled({ min: 2, max: 10 }), resources: smallResources, zones: ['z1'], metricsScraper: prometheus, scaledByQueueDepth: true,
  });
  queue.grantPublish(service('api'));
  queue.grantConsume(generator);
  queue.scaleConsumer(generator, { kedaOperator: KEDA_OPERATOR });
  return objectsOf(chart);
}
