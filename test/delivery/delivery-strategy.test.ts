import { Construct } from 'constructs';
import { BlueGreenOptions, CanaryOptions, DeliveryKind, DeliveryStrategy } from '../../lib/delivery/delivery-strategy';
import { IReleaseAnalysis, ReleaseAnalysis } from '../../lib/delivery/release-analysis';
import { emptyChart } from '../support/kube';

const targets = { namespace: 'apps', stableService: 'api', newVersionService: 'api-canary' };

function analysis(watchCount?: number): ReleaseAnalysis {
  return new ReleaseAnalysis(new Construct(emptyChart(), 'delivery'), 'api', { namespace: 'apps', prometheusUrl: 'http://prometheus.monitoring.svc:9090', watchCount });
}

/** A bounded watch: 3 measurements 20 s apart after one interval = 80 s. */
const postPromotion = () => analysis(3);

describe('DeliveryStrategy', () => {
  test('rollingUpdate with minimal props: a Deployment with 25% surge, no Rollout strategy', () => {
    const strategy = DeliveryStrategy.rollingUpdate();
    expect(strategy.kind).toBe(DeliveryKind.ROLLING_UPDATE);
    expect(strategy.isProgressive).toBe(false);
    expect(strategy.maxSurgePercent).toBe(25);
    expect(strategy.newVersionServiceSuffix).toBeUndefined();
    expect(strategy.maxPodsDuringRelease(10)).toBe(13);
    expect(() => strategy.rolloutStrategy(targets)).toThrow('a rolling-update strategy has no Rollout strategy; render a Deployment');
  });

  test('blueGreen with minimal props: pre-promotion gate against the preview Service, automatic promotion, the watch after the switch, the old set kept as long as it', () => {
    const strategy = DeliveryStrategy.blueGreen({ analysis: postPromotion() });
    expect(strategy.newVersionServiceSuffix).toBe('preview');
    // Stable, new, and the set a second release within the scale-down delay leaves waiting.
    expect(strategy.maxPodsDuringRelease(12)).toBe(36);
    expect(strategy.progressDeadlineSeconds).toBe(180);
    expect(strategy.rolloutStrategy({ ...targets, stableService: 'web', newVersionService: 'web-preview' })).toEqual({
      blueGreen: {
        activeService: 'web',
        previewService: 'web-preview',
        prePromotionAnalysis: {
          templates: [{ templateName: 'api-release-gate' }],
          args: [{ name: 'service', value: 'web-preview' }, { name: 'namespace', value: 'apps' }],
        },
        autoPromotionEnabled: true,
        postPromotionAnalysis: {
          templates: [{ templateName: 'api-release-watch' }],
          args: [{ name: 'service', value: 'web-preview' }, { name: 'namespace', value: 'apps' }],
        },
        scaleDownDelaySeconds: 80,
        abortScaleDownDelaySeconds: 30,
      },
    });
  });

  test('blueGreen keeps the old set at least 30 s (ingress-nginx and kube-proxy catching up), and as long as the watch when that is longer', () => {
    const short: IReleaseAnalysis = { gateTemplateName: 'g', watchTemplateName: 'w', gateSeconds: 20, watchSeconds: 20 };
    expect(DeliveryStrategy.blueGreen({ analysis: short }).scaleDownDelaySeconds).toBe(30);
    const fiveMeasurements = new ReleaseAnalysis(new Construct(emptyChart(), 'delivery'), 'web', { namespace: 'apps', prometheusUrl: 'http://p.monitoring.svc:9090', intervalSeconds: 10, watchCount: 5 });
    // 10 s initial delay + 5 x 10 s = 60 s.
    expect(DeliveryStrategy.blueGreen({ analysis: fiveMeasurements }).scaleDownDelaySeconds).toBe(60);
  });

  test('canary without traffic routing (a queue consumer): replica weight within maxSurge, no router-only field, gate after the first weight, watched from it', () => {
    const strategy = DeliveryStrategy.canary({ analysis: analysis(), trafficRouting: false, maxSurgePercent: 50 });
    expect(strategy.trafficRouting).toBe(false);
    // Like a rolling update: the canary's pods replace stable ones within the surge, and no set waits to scale down.
    expect(strategy.maxPodsDuringRelease(10)).toBe(15);
    const json = JSON.parse(JSON.stringify(strategy.rolloutStrategy(targets), (_key, value) => (value && typeof value === 'object' && 'value' in value && Object.keys(value).length === 1 ? value.value : value)));
    const args = [{ name: 'service', value: 'api-canary' }, { name: 'namespace', value: 'apps' }];
    expect(json.canary).toEqual({
      stableService: 'api',
      canaryService: 'api-canary',
      maxSurge: '50%',
      maxUnavailable: 0,
      analysis: { templates: [{ templateName: 'api-release-watch' }], args, startingStep: 1 },
      steps: [
        // The first surge batch: no more batches of new pods than a rolling update.
        { setWeight: 50 },
        { pause: { duration: '30s' } },
        { analysis: { templates: [{ templateName: 'api-release-gate' }], args } },
      ],
    });
    expect(DeliveryStrategy.canary({ analysis: analysis(), trafficRouting: false, maxSurgePercent: 80 }).firstWeightPercent).toBe(50);
    expect(DeliveryStrategy.canary({ analysis: analysis(), trafficRouting: false, maxSurgePercent: 25 }).firstWeightPercent).toBe(25);
  });

  test('canary without traffic routing and an unpinned stable Service (the sign-in proxy): only canaryService, the rest unchanged', () => {
    const pinned = DeliveryStrategy.canary({ analysis: analysis(), trafficRouting: false, maxSurgePercent: 50 }).rolloutStrategy(targets).canary!;
    const strategy = DeliveryStrategy.canary({ analysis: analysis(), trafficRouting: false, maxSurgePercent: 50, pinStableService: false });
    expect(strategy.pinStableService).toBe(false);
    const canary = strategy.rolloutStrategy(targets).canary!;
    expect(canary.stableService).toBeUndefined();
    expect(canary.canaryService).toBe('api-canary');
    expect({ ...canary, stableService: 'api' }).toEqual(pinned);
    expect(strategy.maxPodsDuringRelease(4)).toBe(6);
  });

  test('canary with minimal props: full-size canary -> 20% -> pause -> gate -> 50% -> pause, watched in the background from the first weight on', () => {
    const strategy = DeliveryStrategy.canary({ analysis: analysis() });
    const json = JSON.parse(JSON.stringify(strategy.rolloutStrategy(targets), (_key, value) => (value && typeof value === 'object' && 'value' in value && Object.keys(value).length === 1 ? value.value : value)));
    const args = [{ name: 'service', value: 'api-canary' }, { name: 'namespace', value: 'apps' }];
    expect(json.canary).toEqual({
      stableService: 'api',
      canaryService: 'api-canary',
      trafficRouting: { nginx: { stableIngress: 'api' } },
      dynamicStableScale: false,
      scaleDownDelaySeconds: 30,
      abortScaleDownDelaySeconds: 30,
      analysis: { templates: [{ templateName: 'api-release-watch' }], args, startingStep: 2 },
      steps: [
        { setCanaryScale: { weight: 100 } },
        { setWeight: 20 },
        { pause: { duration: '30s' } },
        { analysis: { templates: [{ templateName: 'api-release-gate' }], args } },
        { setWeight: 50 },
        { pause: { duration: '30s' } },
      ],
    });
  });

  test('blueGreen with all props: the preview traffic template runs beside the gate', () => {
    const options: Required<BlueGreenOptions> = {
      analysis: postPromotion(), progressDeadlineSeconds: 240, scaleDownDelaySeconds: 90, abortScaleDownDelaySeconds: 0,
      previewTraffic: { templateName: 'web-preview-traffic' },
    };
    const blueGreen = DeliveryStrategy.blueGreen(options).rolloutStrategy({ ...targets, stableService: 'web', newVersionService: 'web-preview' }).blueGreen!;
    expect(blueGreen.prePromotionAnalysis!.templates).toEqual([{ templateName: 'api-release-gate' }, { templateName: 'web-preview-traffic' }]);
    expect(blueGreen).toMatchObject({ scaleDownDelaySeconds: 90, abortScaleDownDelaySeconds: 0 });
    expect(DeliveryStrategy.blueGreen(options).progressDeadlineSeconds).toBe(240);
  });

  test('canary with all props', () => {
    const options: Required<CanaryOptions> = {
      analysis: analysis(), progressDeadlineSeconds: 90, scaleDownDelaySeconds: 20, abortScaleDownDelaySeconds: 60,
      firstWeightPercent: 10, secondWeightPercent: 40, stepPauseSeconds: 15, trafficRouting: true, maxSurgePercent: 30,
      pinStableService: true,
    };
    const strategy = DeliveryStrategy.canary(options);
    const canary = strategy.rolloutStrategy(targets).canary!;
    expect(strategy.progressDeadlineSeconds).toBe(90);
    expect(canary).toMatchObject({ scaleDownDelaySeconds: 20, abortScaleDownDelaySeconds: 60 });
    expect(canary.steps!.filter((s) => s.setWeight !== undefined).map((s) => s.setWeight)).toEqual([10, 40]);
    expect(canary.steps!.filter((s) => s.pause).map((s) => s.pause!.duration!.value)).toEqual(['15s', '15s']);
  });

  test('canary shifts the traffic of every Ingress on the stable Service: the further ones in stableIngresses, with the main one and without stableIngress', () => {
    const strategy = DeliveryStrategy.canary({ analysis: analysis() });
    expect(strategy.rolloutStrategy({ ...targets, additionalStableIngresses: ['api-public'] }).canary!.trafficRouting)
      .toEqual({ nginx: { stableIngresses: ['api', 'api-public'] } });
    expect(strategy.rolloutStrategy({ ...targets, additionalStableIngresses: [] }).canary!.trafficRouting).toEqual({ nginx: { stableIngress: 'api' } });
  });

  test('blue-green needs no Ingress list: it switches the Service the Ingresses route to', () => {
    const blueGreen = DeliveryStrategy.blueGreen({ analysis: postPromotion() }).rolloutStrategy({ ...targets, additionalStableIngresses: ['api-public'] });
    expect(JSON.stringify(blueGreen)).not.toContain('api-public');
  });

  test.each([['api'], ['api-public', 'api-public']])('canary fails on an Ingress listed twice (%s)', (...additionalStableIngresses) => {
    expect(() => DeliveryStrategy.canary({ analysis: analysis() }).rolloutStrategy({ ...targets, additionalStableIngresses }))
      .toThrow(/^DeliveryStrategy.canary: additionalStableIngresses names "api(-public)?" twice \(the Ingress api is always listed\)/);
  });

  test('of() picks the strategy a config names, and rolling update with a surge', () => {
    expect(DeliveryStrategy.of(DeliveryKind.ROLLING_UPDATE, { maxSurgePercent: 50 }).maxSurgePercent).toBe(50);
    expect(DeliveryStrategy.of(DeliveryKind.BLUE_GREEN, { analysis: postPromotion() }).kind).toBe(DeliveryKind.BLUE_GREEN);
    expect(DeliveryStrategy.of(DeliveryKind.CANARY, { analysis: analysis() }).kind).toBe(DeliveryKind.CANARY);
    expect(() => DeliveryStrategy.of(DeliveryKind.CANARY, {})).toThrow('DeliveryStrategy.canary needs a ReleaseAnalysis');
  });

  test.each([
    [() => DeliveryStrategy.rollingUpdate({ maxSurgePercent: 0 }), 'DeliveryStrategy.rolling-update: maxSurgePercent is 0; use a whole percentage from 1 to 100'],
    [() => DeliveryStrategy.blueGreen({ analysis: postPromotion(), progressDeadlineSeconds: 10 }), 'DeliveryStrategy.blue-green: progressDeadlineSeconds is 10; use a whole number of seconds from 30 to 600'],
    [() => DeliveryStrategy.blueGreen({ analysis: analysis() }), 'DeliveryStrategy.blue-green: analysis.watchSeconds is undefined; give the analysis a watchCount'],
    [() => DeliveryStrategy.blueGreen({ analysis: postPromotion(), scaleDownDelaySeconds: 79 }), 'DeliveryStrategy.blue-green: scaleDownDelaySeconds is 79; make it at least the post-promotion analysis (80 s), or a failed analysis would switch back to a ReplicaSet already scaled down'],
    [() => DeliveryStrategy.blueGreen({ analysis: postPromotion(), progressDeadlineSeconds: 80 }), 'DeliveryStrategy.blue-green: progressDeadlineSeconds is 80; make it longer than the post-promotion analysis (80 s)'],
    [() => DeliveryStrategy.canary({ analysis: analysis(), trafficRouting: false, maxSurgePercent: 0 }), 'DeliveryStrategy.canary: maxSurgePercent is 0; use a whole percentage from 1 to 100'],
    [() => DeliveryStrategy.canary({ analysis: analysis(), progressDeadlineSeconds: 60 }), 'DeliveryStrategy.canary: progressDeadlineSeconds is 60; make it longer than the gate analysis (60 s)'],
    [() => DeliveryStrategy.canary({ analysis: analysis(), firstWeightPercent: 60 }), 'DeliveryStrategy.canary: firstWeightPercent is 60; use a whole percentage from 1 to 50'],
    [() => DeliveryStrategy.canary({ analysis: analysis(), secondWeightPercent: 20 }), 'DeliveryStrategy.canary: secondWeightPercent is 20; use a whole percentage above firstWeightPercent (20) and below 100'],
    [() => DeliveryStrategy.canary({ analysis: analysis(), stepPauseSeconds: 1 }), 'DeliveryStrategy.canary: stepPauseSeconds is 1; use a whole number of seconds from 10 to 300'],
    [() => DeliveryStrategy.canary({ analysis: analysis(), pinStableService: false }), 'DeliveryStrategy.canary: pinStableService is false; leave the stable Service unpinned only for a canary without traffic routing'],
    [() => DeliveryStrategy.blueGreen({ analysis: postPromotion(), pinStableService: false } as never), 'DeliveryStrategy.blue-green: pinStableService is false'],
  ])('fails on a wrong option (%#)', (build, message) => {
    expect(build).toThrow(message);
  });
});
