import { analysisDuration, metricDuration } from '../../../tools/reporting/analysis';
import { durationSeconds, resolveIntOrPercent } from '../../../tools/reporting/durations';
import { podReadiness } from '../../../tools/reporting/pod-readiness';
import { ReleaseEstimate, TimeCategory } from '../../../tools/reporting/release-estimate';
import { estimateEnvironment } from '../../../tools/reporting/release-time';
import { analysisTemplate, deployment, hpa, object, OPTIONS, POD_TEMPLATE, rollout } from './fixtures';

/** The release's own parts; detection is tested in detection.test.ts (0 here: no Application deploys these fixtures). */
function parts(estimate: ReleaseEstimate): Record<string, number> {
  return Object.fromEntries(Object.values(TimeCategory).filter((category) => category !== TimeCategory.DETECTION).map((category) => [
    category,
    estimate.components.filter((c) => c.category === category).reduce((sum, c) => sum + c.seconds, 0),
  ]));
}

function only(objects: Parameters<typeof estimateEnvironment>[0], applications: Parameters<typeof estimateEnvironment>[1] = []): ReleaseEstimate {
  const estimates = estimateEnvironment(objects, applications, OPTIONS);
  expect(estimates).toHaveLength(1);
  return estimates[0];
}

describe('pod readiness', () => {
  test('a normal start: image pull + the first startup probe after the expected start + one readiness period + minReadySeconds', () => {
    expect(podReadiness(POD_TEMPLATE.spec, 5, 20, OPTIONS)).toEqual({ imagePullSeconds: 30, startSeconds: 20, readySeconds: 5, minReadySeconds: 5, totalSeconds: 60 });
  });

  test('an expected start between two startup probes counts until the next probe', () => {
    expect(podReadiness(POD_TEMPLATE.spec, 0, 22, OPTIONS).startSeconds).toBe(25);
  });

  test('the start never counts beyond the startup probe\'s failure bound (initialDelay + period x failureThreshold), where the kubelet restarts the container', () => {
    const spec = { containers: [{ startupProbe: { initialDelaySeconds: 10, periodSeconds: 5, failureThreshold: 6 } }] };
    expect(podReadiness(spec, 0, 300, OPTIONS).startSeconds).toBe(40);
  });

  test('without probes the pod counts as started at the expected start and ready at once; probe fields default as in Kubernetes', () => {
    expect(podReadiness({ containers: [{ name: 'a' }] }, 0, 20, OPTIONS).totalSeconds).toBe(50);
    expect(podReadiness({ containers: [{ readinessProbe: { initialDelaySeconds: 3, successThreshold: 2 } }] }, 0, 20, OPTIONS).readySeconds).toBe(23);
  });

  test('the slowest container sets the pace', () => {
    const spec = { containers: [{ name: 'fast' }, { name: 'slow', readinessProbe: { periodSeconds: 10, successThreshold: 3 } }] };
    expect(podReadiness(spec, 0, 20, OPTIONS)).toMatchObject({ startSeconds: 20, readySeconds: 30, totalSeconds: 80 });
  });
});

describe('durations', () => {
  test.each([
    [30, 30], ['30s', 30], ['5m', 300], ['1h30m', 5400], ['500ms', 0.5], ['90', 90], ['{{args.interval}}', undefined], [undefined, undefined],
  ])('%p is %p seconds', (value, expected) => {
    expect(durationSeconds(value)).toBe(expected);
  });

  test('percentages resolve like Kubernetes: maxSurge rounds up, maxUnavailable down', () => {
    expect(resolveIntOrPercent('25%', 10, '25%', true)).toBe(3);
    expect(resolveIntOrPercent('25%', 10, '25%', false)).toBe(2);
    expect(resolveIntOrPercent(undefined, 4, '25%', true)).toBe(1);
    expect(resolveIntOrPercent(2, 4, '25%', true)).toBe(2);
  });
});

describe('analysis', () => {
  test.each([
    ['interval x count', { interval: '30s', count: 4 }, 120],
    ['plus the initial delay', { interval: '1m', count: 2, initialDelay: '30s' }, 150],
    ['one measurement', {}, 0],
    ['an interval without a count runs until stopped', { interval: '1m' }, Infinity],
    ['a templated count is not a bound', { interval: '1m', count: '{{args.count}}' }, Infinity],
    ['a Job measurement lasting up to its deadline', { initialDelay: '10s', provider: { job: { spec: { activeDeadlineSeconds: 135 } } } }, 145],
    ['a Job measurement without a deadline', { provider: { job: { spec: {} } } }, Infinity],
  ])('a metric with %s', (_label, metric, seconds) => {
    expect(metricDuration(metric)).toBe(seconds);
  });

  test('templates run in parallel: the slowest metric of all counts; a missing template is reported', () => {
    const objects = [
      analysisTemplate('success-rate', [{ name: 'rate', interval: '30s', count: 4 }, { name: 'errors', interval: '1m', count: 3 }]),
      analysisTemplate('latency', [{ name: 'p99', interval: '10s', count: 5 }]),
    ];
    const run = analysisDuration([{ templateName: 'success-rate' }, { templateName: 'latency' }, { templateName: 'gone' }], 'generator-platform', objects);
    expect(run.seconds).toBe(180);
    expect(run.missingTemplates).toEqual(['gone']);
  });
});

describe('Deployment', () => {
  test('RollingUpdate with maxUnavailable 0 at the autoscaler\'s maximum: ceil(12 / 3) = 4 surge batches x 60 s = 240 s', () => {
    const estimate = only([deployment('web'), hpa('Deployment', 'web', 12)]);
    expect(estimate).toMatchObject({ strategy: 'RollingUpdate', replicas: 12, totalSeconds: 240, budgeted: true });
    expect(parts(estimate)).toEqual({ rollout: 240, pauses: 0, analysis: 0, switch: 0, waves: 0 });
  });

  test('a KEDA ScaledObject\'s maxReplicaCount is the worst case too: ceil(10 x 25%) = 3 per batch, 4 batches', () => {
    const scaledObject = object('keda.sh/v1alpha1', 'ScaledObject', 'generator-queue-depth', { maxReplicaCount: 10, scaleTargetRef: { name: 'generator' } });
    expect(only([deployment('generator'), scaledObject]).totalSeconds).toBe(240);
  });

  test('fixed replicas with maxSurge 1 and maxUnavailable 1 replace two pods per batch', () => {
    const spec = { replicas: 5, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } };
    expect(only([deployment('api', spec)]).totalSeconds).toBe(180);
  });

  test('Recreate: the old pods stop (terminationGracePeriodSeconds), then all come up at once', () => {
    expect(only([deployment('api', { replicas: 6, strategy: { type: 'Recreate' } })]).totalSeconds).toBe(95);
  });

  test('a per-service expected start replaces the default', () => {
    const estimates = estimateEnvironment([deployment('web', { replicas: 1 })], [], { ...OPTIONS, expectedStartSecondsByService: { web: 42 } });
    expect(estimates[0].pod.startSeconds).toBe(45);
  });
});

describe('Rollout canary', () => {
  const successRate = analysisTemplate('success-rate', [{ name: 'rate', interval: '30s', count: 4 }]);

  test('through ingress-nginx: each weight brings its canary pods up at once and shifts traffic; pauses and analysis add; the final promotion scales to all', () => {
    const api = rollout('api', {
      canary: {
        trafficRouting: { nginx: { stableIngress: 'api' } },
        analysis: { templates: [{ templateName: 'success-rate' }], startingStep: 1 },
        steps: [{ setWeight: 10 }, { pause: { duration: 60 } }, { analysis: { templates: [{ templateName: 'success-rate' }] } }, { setWeight: 50 }, { pause: { duration: '2m' } }],
      },
    });
    const estimate = only([api, hpa('Rollout', 'api', 12), successRate]);
    // 2 canary pods, then 6, then all 12: three batches; three traffic shifts (10 %, 50 %, 100 %).
    expect(parts(estimate)).toEqual({ rollout: 180, pauses: 180, analysis: 120, switch: 15, waves: 0 });
    expect(estimate).toMatchObject({ strategy: 'canary', replicas: 12, totalSeconds: 495 });
    expect(estimate.notes.join('\n')).toMatch(/background analysis .* no time added/);
    expect(estimate.notes.join('\n')).toMatch(/old pods stay 30 s \(scaleDownDelaySeconds\): not user-facing/);
  });

  test('without a traffic router the canary pods come up in rolling batches of maxSurge + maxUnavailable', () => {
    const api = rollout('api', { canary: { maxSurge: 1, maxUnavailable: 0, steps: [{ setWeight: 25 }, { pause: { duration: '30s' } }, { setWeight: 100 }] } }, { replicas: 4 });
    expect(parts(only([api]))).toEqual({ rollout: 240, pauses: 30, analysis: 0, switch: 0, waves: 0 });
  });

  test('a pause without duration waits for a person: the release is unbounded', () => {
    const estimate = only([rollout('api', { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } }, { replicas: 5 })]);
    expect(estimate.totalSeconds).toBe(Infinity);
    expect(estimate.notes).toContain('step 2: a pause without duration waits for a manual promotion (unbounded)');
  });
});

describe('Rollout blue-green', () => {
  const smoke = analysisTemplate('smoke', [{ name: 'http', interval: '1m', count: 2, initialDelay: '30s' }]);

  test('the whole preview comes up at once; pre-promotion analysis (covering autoPromotionSeconds); the switch; the scale-down delay is not counted', () => {
    const web = rollout('web', {
      blueGreen: { activeService: 'web', previewService: 'web-preview', prePromotionAnalysis: { templates: [{ templateName: 'smoke' }] }, autoPromotionSeconds: 60, scaleDownDelaySeconds: 30 },
    });
    const estimate = only([web, hpa('Rollout', 'web', 12), smoke]);
    expect(parts(estimate)).toEqual({ rollout: 60, pauses: 0, analysis: 150, switch: 5, waves: 0 });
    expect(estimate.totalSeconds).toBe(215);
    expect(estimate.notes).toContain('after the switch the old ReplicaSet stays 30 s (scaleDownDelaySeconds): not user-facing, not counted');
  });

  test('a smaller preview is scaled to all replicas before the switch; post-promotion analysis counts; a long autoPromotionSeconds waits beyond the analysis', () => {
    const web = rollout('web', {
      blueGreen: { activeService: 'web', previewReplicaCount: 2, autoPromotionSeconds: 200, prePromotionAnalysis: { templates: [{ templateName: 'smoke' }] }, postPromotionAnalysis: { templates: [{ templateName: 'smoke' }] } },
    }, { replicas: 6 });
    expect(parts(only([web, smoke]))).toEqual({ rollout: 120, pauses: 50, analysis: 300, switch: 5, waves: 0 });
  });

  test('without auto-promotion the release waits for a person: unbounded', () => {
    expect(only([rollout('web', { blueGreen: { activeService: 'web', autoPromotionEnabled: false } }, { replicas: 3 })]).totalSeconds).toBe(Infinity);
  });
});

describe('sync waves and other kinds', () => {
  test('each earlier wave costs the wave delay: inside the environment and among the Argo CD Applications that deploy it', () => {
    const wave = (value: string) => ({ annotations: { 'argocd.argoproj.io/sync-wave': value } });
    const objects = [
      deployment('web', { replicas: 1 }, { ...wave('2'), file: 'production/web.yaml' }),
      analysisTemplate('smoke', []),
      object('v1', 'ConfigMap', 'early', {}, wave('-1')),
      object('v1', 'ConfigMap', 'same', {}, wave('2')),
    ];
    const application = (name: string, waveValue: string, include: string) => object('argoproj.io/v1alpha1', 'Application', name, {
      source: { repoURL: 'https://github.com/acme/generator-platform-k8s', path: 'dist/production', directory: { include } },
    }, { environment: 'argocd/production', ...wave(waveValue) });
    const elsewhere = { ...application('staging-addons', '-5', '*.yaml'), environment: 'argocd/staging' };
    const applications = [application('production-stores', '0', '{postgres,redis,rabbitmq}.yaml'), application('production-services', '1', '{web,api,generator}.yaml'), elsewhere];
    const estimate = only(objects, applications);
    // Waves -1 and 0 (the template has no annotation) inside; the stores' Application before the
    // services' in the same folder; another cluster's Applications do not count.
    expect(parts(estimate).waves).toBe(6);
    // The Applications' folder has no GitHub webhook secret: Argo CD polls, 2 x 180 s + 15 s.
    expect(estimate.totalSeconds).toBe(66 + 375);
  });

  test('a StatefulSet is a store in the budget: one pod at a time, each stopped (the expected stop, within its grace period) and made ready', () => {
    const redis = object('apps/v1', 'StatefulSet', 'redis', { replicas: 6, template: POD_TEMPLATE, updateStrategy: { type: 'RollingUpdate' } });
    // No minReadySeconds: 55 s per pod, plus 10 s to stop (grace 35 s), 6 pods.
    expect(only([redis])).toMatchObject({ budgeted: true, totalSeconds: 6 * 65, strategy: 'RollingUpdate' });
  });

  test('a Deployment that a Rollout takes its template from (workloadRef) is not released itself', () => {
    const template = deployment('api', { replicas: 0 });
    const api = object('argoproj.io/v1alpha1', 'Rollout', 'api', {
      replicas: 3, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, strategy: { canary: { steps: [{ setWeight: 100 }] } },
    });
    const estimate = only([template, api]);
    expect(estimate.kind).toBe('Rollout');
    expect(estimate.pod.totalSeconds).toBe(55);
  });
});
