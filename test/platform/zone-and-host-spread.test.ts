import { zoneAndHostSpread } from '../../lib/platform/zone-and-host-spread';

describe('zoneAndHostSpread', () => {
  const labels = { 'app.kubernetes.io/name': 'api' };

  test('with minimal arguments: a skew of one across zones and machines, per ReplicaSet, not scheduling past it when strict', () => {
    expect(zoneAndHostSpread(labels, true)).toEqual(
      ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
        topologyKey,
        maxSkew: 1,
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: labels },
        matchLabelKeys: ['pod-template-hash'],
        nodeTaintsPolicy: 'Honor',
      })),
    );
  });

  test("with every argument: best effort, spreading each of Argo Rollouts' ReplicaSets on its own", () => {
    for (const constraint of zoneAndHostSpread(labels, false, 'rollouts-pod-template-hash')) {
      expect(constraint).toMatchObject({ whenUnsatisfiable: 'ScheduleAnyway', matchLabelKeys: ['rollouts-pod-template-hash'] });
    }
  });

  test('copies the labels, so a caller changing its own object later does not change the constraints', () => {
    const own = { ...labels };
    const [zone] = zoneAndHostSpread(own, true);
    own['app.kubernetes.io/name'] = 'web';
    expect(zone.labelSelector).toEqual({ matchLabels: labels });
  });
});
