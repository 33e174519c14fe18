import { EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { peakDemand, quantity, RESOURCES } from '../../tools/reporting/peak-demand';
import { find, kinds, renderChart } from '../support/kube';

/**
 * The namespace quota must hold the worst moment of an ordinary day: every autoscaled workload at
 * its maximum while web and api are each released twice within Argo Rollouts' scale-down delay
 * (30 s). A replaced ReplicaSet keeps its full size until its delay ends (Argo Rollouts v1.6.6,
 * rollout/replicaset.go scaleDownDelayHelper), so a Rollout then runs three full sets: the one
 * waiting to scale down (the previous stable, or the preview a newer version replaced), the stable
 * one and the new one. Computed here from the rendered objects alone, ephemeral storage included.
 *
 * The computation is tools/reporting/peak-demand.ts, which `npm run report` shares.
 *
 * Before the footprint counted the third set, the quota was short (requests, worst case vs quota):
 *   staging:    ephemeral-storage 519.6Gi vs 432Gi; pods, CPU and memory fitted, barely (56 / 58, 109.7 / 113, 214.6Gi / 221Gi)
 *   production: ephemeral-storage 1497.6Gi vs 1222Gi, pods 113 vs 107, CPU 241.7 vs 233, memory 478.6Gi vs 461Gi
 * and a second web release alone (api idle) already exceeded ephemeral storage: 439.6Gi vs 432Gi
 * (staging), 1257.6Gi vs 1222Gi (production).
 */

describe.each([EnvironmentName.STAGING, EnvironmentName.PRODUCTION])('%s: the ResourceQuota holds back-to-back releases with every workload at its maximum', (environment) => {
  const objects = renderChart(ENVIRONMENTS[environment]);
  const hard = find(objects, 'ResourceQuota', 'workload-quota').spec.hard;
  const demand = peakDemand(objects);
  const headroom = 1 + ENVIRONMENTS[environment].quotaHeadroomPercent / 100;

  test('web and api are Rollouts whose replaced ReplicaSet waits out a scale-down delay; the generator and the sign-in proxy are canaries of their replicas, within their surge', () => {
    expect(kinds(objects, 'Rollout').map((rollout) => rollout.metadata.name).sort()).toEqual(['api', 'generator', 'oauth2-proxy', 'web']);
    for (const rollout of kinds(objects, 'Rollout').filter((r) => r.metadata.name === 'web' || r.metadata.name === 'api')) {
      expect((rollout.spec.strategy.blueGreen ?? rollout.spec.strategy.canary).scaleDownDelaySeconds).toBeGreaterThan(0);
    }
    for (const name of ['generator', 'oauth2-proxy']) {
      const canary = find(objects, 'Rollout', name).spec.strategy.canary;
      expect(canary).toMatchObject({ maxSurge: '50%', maxUnavailable: 0 });
      expect(canary.trafficRouting).toBeUndefined();
    }
  });

  test.each(RESOURCES)('%s: the quota covers the worst case, with the stated headroom on top', (resource) => {
    const quota = quantity(resource === 'pods' ? hard.pods : hard[`requests.${resource}`]);
    // In GiB for memory and storage, so that a failure reads in the quota's own unit.
    const unit = resource === 'memory' || resource === 'ephemeral-storage' ? 2 ** 30 : 1;
    expect(quota / unit).toBeGreaterThanOrEqual((demand[resource] * headroom) / unit - 1e-6);
    if (resource !== 'pods') {
      expect(hard[`limits.${resource}`]).toBe(hard[`requests.${resource}`]);
    }
  });
});
