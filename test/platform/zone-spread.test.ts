import { zoneSpread } from '../../lib/platform/zone-spread';

describe('zoneSpread', () => {
  const labels = { 'app.kubernetes.io/name': 'redis' };

  test('one strict constraint over zones, without a revision label (a StatefulSet replaces pods in place)', () => {
    expect(zoneSpread(labels, true)).toEqual([
      { topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: labels }, nodeTaintsPolicy: 'Honor' },
    ]);
  });

  test('counts only nodes the pod tolerates, so a lost zone (tainted unreachable) does not hold the skew', () => {
    expect(zoneSpread(labels, false)[0].nodeTaintsPolicy).toBe('Honor');
  });

  test('best effort where the cluster has no room for the strict spread', () => {
    expect(zoneSpread(labels, false)[0].whenUnsatisfiable).toBe('ScheduleAnyway');
  });
});
