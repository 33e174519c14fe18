import { ADDON_SIZING, addonSizingOf } from '../../lib/config/addon-sizing';
import { CLUSTERS } from '../../lib/config/clusters';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { EnvironmentName } from '../../lib/config/environment-config';
import { ClusterAddonSizing, addonSpread, admissionControllerReplicas, checkedAddonSizing } from '../../lib/gitops/addon-availability';
import { mergedValues, withHighAvailability } from '../../lib/gitops/addon-availability-values';
import { Replicas } from '../../lib/platform/replicas';
import { clusterAddons } from './fixtures';

const configOf = (environment: EnvironmentName) => ENVIRONMENTS[environment];
const cluster = (name: string) => CLUSTERS.find((c) => c.name === name)!;
const THREE_ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const highlyAvailable: ClusterAddonSizing = { clusterName: 'qa', zones: THREE_ZONES, controllerReplicas: 2, ingressReplicas: Replicas.autoscaled({ min: 3, max: 9 }) };
const valuesOf = (clusterName: string, addon: string) => clusterAddons(cluster(clusterName)).find((a) => a.name === addon)!.helmValues as any;

describe('the add-on sizing of each cluster (ADDON_SIZING over the zones of its environments)', () => {
  test('staging and production run two copies of every controller and three ingress-nginx pods or more over their three zones; development one of each', () => {
    const sized = CLUSTERS.map((c) => addonSizingOf(c, configOf)).map((s) => `${s.clusterName}: ${s.zones.length} zone(s), ${s.controllerReplicas} per controller, ingress ${s.ingressReplicas}`);
    expect(sized).toEqual([
      'development: 1 zone(s), 1 per controller, ingress Replicas.fixed(1)',
      'staging: 3 zone(s), 2 per controller, ingress Replicas.autoscaled({ min: 3, max: 9 })',
      'production: 3 zone(s), 2 per controller, ingress Replicas.autoscaled({ min: 3, max: 9 })',
    ]);
  });

  test('fails with one line naming the cluster, the field, the value, the fix and the file', () => {
    const single = { ...ADDON_SIZING, production: { ...ADDON_SIZING.production, controllerReplicas: 1 } };
    expect(() => addonSizingOf(cluster('production'), configOf, single)).toThrow(
      /^cluster production: controllerReplicas = 1; a cluster over 3 zones needs a second copy of every operator and webhook, .*\. Fix: set 2 in ADDON_SIZING \(lib\/config\/addon-sizing\.ts\)$/,
    );
    expect(() => addonSizingOf(cluster('staging'), configOf, {})).toThrow('cluster staging: ADDON_SIZING has no entry. Fix: add one in lib/config/addon-sizing.ts');
  });

  test.each([
    [{ controllerReplicas: 0 }, /controllerReplicas = 0; must be a whole number from 1 to 5/],
    [{ controllerReplicas: 1.5 }, /controllerReplicas = 1.5; must be a whole number/],
    [{ controllerReplicas: 6 }, /controllerReplicas = 6; must be a whole number from 1 to 5/],
    [{ ingressReplicas: Replicas.autoscaled({ min: 2, max: 9 }) }, /ingressReplicas = Replicas.autoscaled\(\{ min: 2, max: 9 \}\); a cluster over 3 zones needs an ingress-nginx pod in each.*raise the minimum to 3/],
    [{ ingressReplicas: Replicas.autoscaled({ min: 4, max: 3 }) }, /ingressReplicas = Replicas.autoscaled\(\{ min: 4, max: 3 \}\); needs a whole minimum of at least 1 and a maximum not below it/],
  ])('rejects %o over three zones', (change, message) => {
    expect(() => checkedAddonSizing({ ...highlyAvailable, ...change })).toThrow(message);
  });

  test('accepts single copies on a one-zone cluster, and two copies with three ingress pods over three zones', () => {
    expect(checkedAddonSizing({ clusterName: 'dev', zones: ['eu-west-1a'], controllerReplicas: 1, ingressReplicas: Replicas.fixed(1) }).controllerReplicas).toBe(1);
    expect(checkedAddonSizing(highlyAvailable)).toBe(highlyAvailable);
  });
});

describe('spread and counts', () => {
  test('a single copy gets no spread; two copies spread over hosts, and over zones too when there are several, counting only nodes the pod tolerates', () => {
    const labels = { app: 'x' };
    expect(addonSpread(labels, { ...highlyAvailable, controllerReplicas: 1 })).toEqual([]);
    expect(addonSpread(labels, { ...highlyAvailable, zones: ['eu-west-1a'] }).map((c) => c.topologyKey)).toEqual(['kubernetes.io/hostname']);
    const spread = addonSpread(labels, highlyAvailable);
    expect(spread.map((c) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    for (const constraint of spread) {
      expect(constraint).toEqual({ topologyKey: constraint.topologyKey, maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule', nodeTaintsPolicy: 'Honor', labelSelector: { matchLabels: labels }, matchLabelKeys: ['pod-template-hash'] });
    }
  });

  test("Kyverno's admission controller runs one or at least three copies, never the two its chart refuses", () => {
    expect([1, 2, 3, 4].map((controllerReplicas) => admissionControllerReplicas({ ...highlyAvailable, controllerReplicas }))).toEqual([1, 3, 3, 4]);
  });
});

describe('withHighAvailability', () => {
  type Entry = { name: string; helmValues?: Record<string, unknown>; kustomizePatches?: { target: { group: string; kind: string; name: string }; patch: string }[] };
  const addons: Entry[] = [
    { name: 'kyverno', helmValues: { admissionController: { tufRootMountPath: '/x' } } },
    { name: 'argo-rollouts', kustomizePatches: [{ target: { group: 'apps', kind: 'Deployment', name: 'other' }, patch: 'kept' }] },
    ...['cert-manager', 'external-secrets', 'keda', 'ingress-nginx', 'reloader', 'loki', 'rabbitmq-cluster-operator', 'rabbitmq-messaging-topology-operator'].map((name) => ({ name })),
  ];

  test('merges Helm values into the add-on\'s own and appends patches after its own', () => {
    const [kyverno, rollouts] = withHighAvailability(addons, highlyAvailable);
    expect((kyverno.helmValues as any).admissionController).toMatchObject({ tufRootMountPath: '/x', replicas: 3, podDisruptionBudget: { enabled: true, minAvailable: 2 } });
    expect(rollouts.kustomizePatches?.map((p) => p.target.name)).toEqual(['other', 'argo-rollouts']);
  });

  test('changes nothing on a cluster of single copies', () => {
    expect(withHighAvailability(addons, { ...highlyAvailable, zones: ['a'], controllerReplicas: 1, ingressReplicas: Replicas.fixed(1) })).toEqual(addons);
  });

  test('fails on a key both set, and on an add-on the catalog does not have', () => {
    const clash = [{ name: 'kyverno', helmValues: { admissionController: { replicas: 1 } } }, ...addons.slice(1)];
    expect(() => withHighAvailability(clash, highlyAvailable)).toThrow('add-on kyverno: the availability values set admissionController.replicas, which its catalog entry already sets.');
    expect(() => withHighAvailability(addons.filter((a) => a.name !== 'keda'), highlyAvailable)).toThrow('addonAvailabilityValues names keda, which the catalog does not have.');
  });

  test('merges mapping by mapping, as Helm merges values files', () => {
    expect(mergedValues({ a: { b: 1, c: [1] }, d: 'x' }, { a: { e: 2 }, f: [3] }, 'qa')).toEqual({ a: { b: 1, c: [1], e: 2 }, d: 'x', f: [3] });
    expect(() => mergedValues({ a: [1] }, { a: [2] }, 'qa')).toThrow(/qa: the availability values set a,/);
  });
});

describe('the catalogs synth renders', () => {
  test('production keeps its own values beside the availability ones (Kyverno\'s kubectl image, ingress-nginx hardening)', () => {
    expect(valuesOf('production', 'kyverno').webhooksCleanup.image.repository).toBe('bitnamilegacy/kubectl');
    expect(valuesOf('production', 'kyverno').admissionController.replicas).toBe(3);
    const controller = valuesOf('production', 'ingress-nginx').controller;
    expect(controller.allowSnippetAnnotations).toBe(false);
    expect(controller.autoscaling).toMatchObject({ enabled: true, minReplicas: 3, maxReplicas: 9 });
  });

  test('development renders every add-on at its chart defaults, as before', () => {
    expect(valuesOf('development', 'kyverno').admissionController).toBeUndefined();
    expect(valuesOf('development', 'ingress-nginx').controller.autoscaling).toBeUndefined();
    expect(clusterAddons(cluster('development')).find((a) => a.name === 'argo-rollouts')!.kustomizePatches).toBeUndefined();
  });
});
