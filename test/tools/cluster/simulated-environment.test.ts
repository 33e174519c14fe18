import * as path from 'path';
import { KubeObject } from '../../../tools/cluster/kube-client';
import { readObjects, ROLLOUT_HASH_LABEL, simulateEnvironment } from '../../../tools/cluster/simulated-environment';

/** The committed production render (test/synth proves dist/ is what synth writes). */
const production = readObjects([path.join(__dirname, '..', '..', '..', 'dist', 'production')]);
const everythingServed = () => true;
const find = (objects: readonly KubeObject[], kind: string, name: string) => objects.find((object) => object.kind === kind && object.metadata.name === name) as KubeObject & { spec: any };

describe('simulateEnvironment: production on a cluster without Argo Rollouts, CloudNativePG, RabbitMQ or KEDA', () => {
  const simulated = simulateEnvironment(production, everythingServed);

  test('a Rollout becomes a Deployment of one labelled ReplicaSet, at its autoscaler minimum, which its HPA now scales', () => {
    const web = find(simulated.objects, 'Deployment', 'web');
    expect(web.spec.replicas).toBe(find(production, 'HorizontalPodAutoscaler', 'web').spec.minReplicas);
    expect(web.spec.selector.matchLabels[ROLLOUT_HASH_LABEL]).toBe('stable');
    expect(web.spec.template.metadata.labels[ROLLOUT_HASH_LABEL]).toBe('stable');
    expect(find(simulated.objects, 'HorizontalPodAutoscaler', 'web').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });
    expect(simulated.objects.some((object) => object.kind === 'Rollout')).toBe(false);
  });

  test("a CloudNativePG Cluster becomes the instances' StatefulSet, with the Cluster's spread, node affinity and requests", () => {
    const cluster = find(production, 'Cluster', 'postgres');
    const instances = find(simulated.objects, 'StatefulSet', 'postgres');
    expect(instances.spec.replicas).toBe(cluster.spec.instances);
    const pod = instances.spec.template.spec;
    expect(pod.topologySpreadConstraints).toEqual(cluster.spec.topologySpreadConstraints);
    expect(pod.affinity.nodeAffinity).toEqual(cluster.spec.affinity.nodeAffinity);
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual(cluster.spec.affinity.additionalPodAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution);
    expect(pod.containers[0].resources).toEqual(cluster.spec.resources);
    expect(instances.spec.template.metadata.labels).toMatchObject({ 'cnpg.io/cluster': 'postgres', 'cnpg.io/podRole': 'instance' });
  });

  test("a RabbitmqCluster becomes the operator's `<name>-server` StatefulSet with the override's spread and the container's requests", () => {
    const broker = find(production, 'RabbitmqCluster', 'rabbitmq');
    const servers = find(simulated.objects, 'StatefulSet', 'rabbitmq-server');
    const override = broker.spec.override.statefulSet.spec.template.spec;
    expect(servers.spec.replicas).toBe(broker.spec.replicas);
    expect(servers.spec.template.spec.topologySpreadConstraints).toEqual(override.topologySpreadConstraints);
    expect(servers.spec.template.spec.affinity).toEqual(broker.spec.affinity);
    expect(servers.spec.template.spec.containers[0].resources).toEqual(override.containers[0].resources);
  });

  test("a CloudNativePG Pooler becomes a Deployment of its instances whose pods carry the label CloudNativePG adds and its spread selects", () => {
    const pooler = find(production, 'Pooler', 'postgres-pooler');
    const deployment = find(simulated.objects, 'Deployment', 'postgres-pooler-pooler');
    expect(deployment.spec.replicas).toBe(pooler.spec.instances);
    const selected = pooler.spec.template.spec.topologySpreadConstraints.map((constraint: { labelSelector: { matchLabels: Record<string, string> } }) => constraint.labelSelector.matchLabels);
    for (const labels of selected) {
      expect(deployment.spec.template.metadata.labels).toMatchObject(labels);
    }
  });

  test("a KEDA ScaledObject becomes the HorizontalPodAutoscaler KEDA makes, and its Deployment starts at the minimum", () => {
    const scaledObject = production.find((object) => object.kind === 'ScaledObject') as KubeObject & { spec: any };
    const hpa = find(simulated.objects, 'HorizontalPodAutoscaler', scaledObject.spec.advanced.horizontalPodAutoscalerConfig.name);
    expect(hpa.spec).toMatchObject({ minReplicas: scaledObject.spec.minReplicaCount, maxReplicas: scaledObject.spec.maxReplicaCount, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: scaledObject.spec.scaleTargetRef.name } });
    expect(find(simulated.objects, 'Deployment', scaledObject.spec.scaleTargetRef.name).spec.replicas).toBe(scaledObject.spec.minReplicaCount);
  });

  test('a canary Rollout without traffic routing becomes a Deployment that rolls within the canary\'s surge, with no ReplicaSet hash', () => {
    const template = { metadata: { labels: { 'app.kubernetes.io/name': 'worker' } }, spec: { containers: [{ name: 'worker', image: 'w' }] } };
    const strategy = { canary: { canaryService: 'worker-canary', stableService: 'worker', maxSurge: '50%', maxUnavailable: 0, steps: [{ setWeight: 20 }] } };
    const result = simulateEnvironment([
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'worker', namespace: 'apps' }, spec: { replicas: 4, selector: { matchLabels: { 'app.kubernetes.io/name': 'worker' } }, strategy, template } },
    ], everythingServed);
    const worker = find(result.objects, 'Deployment', 'worker');
    expect(worker.spec).toMatchObject({ replicas: 4, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '50%', maxUnavailable: 0 } } });
    expect(worker.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'worker' });
    expect(worker.spec.template.metadata.labels[ROLLOUT_HASH_LABEL]).toBeUndefined();
  });

  test('a ScaledObject of a Rollout makes the HorizontalPodAutoscaler of the Rollout\'s stand-in Deployment, which starts at the minimum', () => {
    const template = { metadata: { labels: { 'app.kubernetes.io/name': 'worker' } }, spec: { containers: [{ name: 'worker', image: 'w' }] } };
    const objects: KubeObject[] = [
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'worker', namespace: 'apps' }, spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'worker' } }, template } },
      {
        apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'worker-queue-depth', namespace: 'apps' },
        spec: { scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'worker' }, minReplicaCount: 2, maxReplicaCount: 8 },
      },
    ];
    const result = simulateEnvironment(objects, everythingServed);
    expect(find(result.objects, 'HorizontalPodAutoscaler', 'keda-hpa-worker-queue-depth').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' });
    expect(find(result.objects, 'Deployment', 'worker').spec.replicas).toBe(2);
  });

  test('per-pod claims become emptyDir volumes of the same name (no provisioner); Jobs and unserved kinds are skipped and named', () => {
    for (const set of simulated.objects.filter((object) => object.kind === 'StatefulSet')) {
      expect((set.spec as any).volumeClaimTemplates).toBeUndefined();
    }
    type Volume = { name: string; ephemeral?: object; emptyDir?: object };
    // The generator is a Deployment or, released as a canary, a Rollout.
    const generator = find(production, 'Rollout', 'generator') ?? find(production, 'Deployment', 'generator');
    const claimed = (generator.spec.template.spec.volumes as Volume[]).filter((volume) => volume.ephemeral).map((volume) => volume.name);
    expect(claimed.length).toBeGreaterThan(0);
    const volumes = find(simulated.objects, 'Deployment', 'generator').spec.template.spec.volumes as Volume[];
    expect(volumes.filter((volume) => claimed.includes(volume.name))).toEqual(claimed.map((name) => ({ name, emptyDir: {} })));
    expect(simulated.skipped).toEqual(expect.arrayContaining([expect.stringMatching(/^Job\/redis-bootstrap: /)]));
    const onlyCore = simulateEnvironment(production, (object) => !object.apiVersion.includes('monitoring.coreos.com'));
    expect(onlyCore.skipped).toEqual(expect.arrayContaining([expect.stringMatching(/^ServiceMonitor\/.*does not serve/)]));
  });
});
