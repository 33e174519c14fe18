import { zoneNodeAffinity } from '../../lib/platform/zone-node-affinity';

describe('zoneNodeAffinity', () => {
  test('schedules pods only on nodes in the configured zones', () => {
    expect(zoneNodeAffinity(['eu-central-1a', 'eu-central-1b'])).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-central-1a', 'eu-central-1b'] }] }],
      },
    });
  });

  test('does not restrict scheduling when no zone is configured', () => {
    expect(zoneNodeAffinity([])).toBeUndefined();
  });
});
