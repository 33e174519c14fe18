import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { NamespaceBaseline } from '../../lib/platform/namespace-baseline';
import { ClusterPeer } from '../../lib/platform/network-peer';
import { PropError } from '../../lib/platform/prop-error';
import { Replicas } from '../../lib/platform/replicas';
import { singleContainerFootprint } from '../../lib/platform/workload-footprint';
import { VaultSecret } from '../../lib/security/vault-secret';
import { UnhealthyPodEviction } from '../../lib/workloads/disruption-budget';
import { HostSeparation } from '../../lib/workloads/restricted-pod-spec';
import { RestrictedWorkload, RestrictedWorkloadProps, WorkloadPodSpecOptions } from '../../lib/workloads/restricted-workload';
import { find, kinds, objectsOf } from '../support/kube';
import { IMAGE, prometheus, serviceScope } from '../support/service-fixtures';

const footprint = singleContainerFootprint({ maxPods: 3, cpuMillis: 200, memoryMi: 256, ephemeralStorageGi: 1 });
const container: k8s.Container = { name: 'app', image: `${IMAGE.repository}:${IMAGE.tag}` };

/** What a subclass asks of the base, beyond its props. */
interface ExampleOptions extends Partial<WorkloadPodSpecOptions> {
  readonly replicas?: Replicas;
  readonly unhealthyPodEviction?: UnhealthyPodEviction;
  readonly headless?: boolean;
}

/** A Deployment on the restricted base, rendering every part the base offers. */
class ExampleWorkload extends RestrictedWorkload {
  public constructor(scope: Construct, id: string, props: RestrictedWorkloadProps, options: ExampleOptions = {}) {
    super(scope, id, props);
    this.createServiceAccount();
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: this.objectMetadata(),
      spec: {
        selector: { matchLabels: { ...this.selector } },
        template: {
          metadata: { labels: { ...this.labels } },
          spec: this.podSpec({ terminationGracePeriodSeconds: 30, hostSeparation: HostSeparation.SPREAD, containers: [container], ...options }),
        },
      },
    });
    this.createService('Service', id, [{ name: 'https', port: 443, targetPort: k8s.IntOrString.fromString('https') }], { headless: options.headless });
    this.createDisruptionBudget(options.unhealthyPodEviction);
    if (options.replicas?.isAutoscaled) {
      this.createAutoscaler({ apiVersion: 'apps/v1', kind: 'Deployment', name: id }, options.replicas);
    }
    this.createServiceMonitor(`${id}-server-tls`, `${id}.${this.namespaceName}.svc`);
    this.allowIngressFrom(prometheus, [9090], 'metrics-scrape');
  }
}

function minimalProps(namespace: NamespaceBaseline): RestrictedWorkloadProps {
  return { namespace, component: 'backend', zones: ['z1', 'z2'], footprint };
}

describe('RestrictedWorkload', () => {
  test('with minimal props: its own tokenless ServiceAccount, a restricted pod spread over zones and machines, a Service, a budget and a scrape policy', () => {
    const { chart, namespace } = serviceScope();
    const workload = new ExampleWorkload(chart, 'app', minimalProps(namespace));
    const objects = objectsOf(chart);

    expect(objects.map((o) => o.kind)).toEqual([
      'Namespace', 'ResourceQuota', 'LimitRange', 'NetworkPolicy', 'NetworkPolicy',
      'ServiceAccount', 'Deployment', 'Service', 'PodDisruptionBudget', 'ServiceMonitor', 'NetworkPolicy',
    ]);
    expect(workload.serviceHost).toBe('app.apps.svc.cluster.local');
    expect(find(objects, 'ServiceAccount', 'app')).toEqual(expect.objectContaining({ automountServiceAccountToken: false }));
    expect(find(objects, 'ServiceAccount', 'app').imagePullSecrets).toBeUndefined();
    const pod = find(objects, 'Deployment', 'app').spec.template.spec;
    expect(pod).toMatchObject({
      serviceAccountName: 'app',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 30,
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['z1', 'z2'] }] }] } } },
    });
    expect(pod.affinity.podAntiAffinity).toBeUndefined();
    expect(pod.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.whenUnsatisfiable, c.matchLabelKeys])).toEqual([
      ['topology.kubernetes.io/zone', 'DoNotSchedule', ['pod-template-hash']],
      ['kubernetes.io/hostname', 'DoNotSchedule', ['pod-template-hash']],
    ]);
    expect(find(objects, 'Service', 'app').spec).toMatchObject({ type: 'ClusterIP', selector: { 'app.kubernetes.io/name': 'app' } });
    expect(find(objects, 'PodDisruptionBudget', 'app').spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
    expect(kinds(objects, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(find(objects, 'NetworkPolicy', 'app-allow-metrics-scrape').spec.ingress).toEqual([
      { from: [prometheus.toNetworkPolicyPeer()], ports: [{ protocol: 'TCP', port: 9090 }] },
    ]);
    // Counted into the namespace quota: 3 pods.
    expect(find(objects, 'ResourceQuota', 'workload-quota').spec.hard.pods).toBe(4);
  });

  test('with all props: its error label, autoscaled, pods kept apart, a headless Service and a strict budget', () => {
    const { chart, namespace } = serviceScope();
    const props: Required<RestrictedWorkloadProps> = { ...minimalProps(namespace), errorLabel: 'Example app' };
    new ExampleWorkload(chart, 'app', props, {
      replicas: Replicas.autoscaled({ min: 2, max: 4 }),
      hostSeparation: HostSeparation.APART,
      unhealthyPodEviction: UnhealthyPodEviction.IF_HEALTHY_BUDGET,
      headless: true,
    });
    const objects = objectsOf(chart);
    const pod = find(objects, 'Deployment', 'app').spec.template.spec;
    expect(pod.affinity.podAntiAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/part-of': 'generator-platform' } } }],
    });
    expect(pod.topologySpreadConstraints).toEqual([
      { topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/part-of': 'generator-platform' } }, nodeTaintsPolicy: 'Honor' },
    ]);
    expect(find(objects, 'Service', 'app').spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(find(objects, 'Service', 'app').spec.type).toBeUndefined();
    expect(find(objects, 'PodDisruptionBudget', 'app').spec.unhealthyPodEvictionPolicy).toBe('IfHealthyBudget');
    expect(find(objects, 'HorizontalPodAutoscaler', 'app').spec).toMatchObject({ minReplicas: 2, maxReplicas: 4, behavior: { scaleDown: { stabilizationWindowSeconds: 300 } } });
  });

  test('prefers machines apart on top of the spread, and spreads best effort where the cluster has no room', () => {
    const { chart, namespace } = serviceScope();
    new ExampleWorkload(chart, 'app', minimalProps(namespace), {
      hostSeparation: HostSeparation.SPREAD_AND_PREFER_APART,
      strictTopologySpread: false,
      revisionLabel: 'rollouts-pod-template-hash',
    });
    const pod = find(objectsOf(chart), 'Deployment', 'app').spec.template.spec;
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight).toBe(100);
    expect(pod.topologySpreadConstraints.map((c: any) => [c.whenUnsatisfiable, c.matchLabelKeys])).toEqual([
      ['ScheduleAnyway', ['rollouts-pod-template-hash']],
      ['ScheduleAnyway', ['rollouts-pod-template-hash']],
    ]);
  });

  test('pullImagesWith names the registry credentials on the ServiceAccount, once', () => {
    const { chart, namespace } = serviceScope();
    const workload = new ExampleWorkload(chart, 'app', minimalProps(namespace));
    const credentials = VaultSecret.registryCredentials(chart, 'registry', { namespace: 'apps', secretName: 'registry-pull-secret', vaultPath: 'p/registry', registryServer: 'ghcr.io' });
    workload.pullImagesWith(credentials);
    workload.pullImagesWith(credentials);
    expect(find(objectsOf(chart), 'ServiceAccount', 'app').imagePullSecrets).toEqual([{ name: 'registry-pull-secret' }]);
  });

  test('allowEgressTo opens the flow from its pods; toNetworkPolicyPeer selects them, with their namespace from another', () => {
    const { chart, namespace } = serviceScope();
    const workload = new ExampleWorkload(chart, 'app', minimalProps(namespace));
    const broker = new ClusterPeer('broker', 'queues', { 'app.kubernetes.io/name': 'broker' });
    workload.allowEgressTo(broker, [5671]);
    expect(find(objectsOf(chart), 'NetworkPolicy', 'app-allow-egress-to-broker').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/part-of': 'generator-platform' } },
      policyTypes: ['Egress'],
      egress: [{ to: [broker.toNetworkPolicyPeer()], ports: [{ protocol: 'TCP', port: 5671 }] }],
    });
    expect(workload.toNetworkPolicyPeer('apps')).toEqual({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/part-of': 'generator-platform' } } });
    expect(workload.toNetworkPolicyPeer('other').namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'apps' } });
  });

  describe('fails', () => {
    test('on an id that is not a short DNS label, naming the workload by its error label', () => {
      const { chart, namespace } = serviceScope();
      const build = () => new ExampleWorkload(chart, 'My_App', { ...minimalProps(namespace), errorLabel: 'Example My_App' });
      expect(build).toThrow('Example My_App: the construct id (used as the object name) is "My_App"; use a lower-case DNS label of at most 42 characters');
      expect(build).toThrow(PropError);
    });

    test('on an id too long for the names derived from it', () => {
      const { chart, namespace } = serviceScope();
      expect(() => new ExampleWorkload(chart, 'a'.repeat(43), minimalProps(namespace))).toThrow('use a lower-case DNS label of at most 42 characters');
    });

    test('on no zones', () => {
      const { chart, namespace } = serviceScope();
      expect(() => new ExampleWorkload(chart, 'app', { ...minimalProps(namespace), zones: [] })).toThrow('app: zones is []; list at least one zone');
    });
  });
});
