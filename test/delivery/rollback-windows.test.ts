import { ENVIRONMENTS } from '../../lib/config/environments';
import { autoscaledWorkloads } from '../../lib/gitops/rendered-objects';
import { KubeObject, kinds, renderChart } from '../support/kube';

/**
 * What rolls back by itself, read from each environment's rendered objects: every Rollout's
 * analyses exist, a blue-green Rollout watches the new version after the switch for no longer
 * than it keeps the previous ReplicaSet, and every AnalysisTemplate is run by some Rollout.
 * Argo Rollouts v1.6.6 docs/features/bluegreen.md (postPromotionAnalysis): a failed post-promotion
 * analysis aborts and switches the active Service back to the previous ReplicaSet, and "if
 * scaleDownDelaySeconds is specified, the controller will cancel any AnalysisRuns at time of
 * scaleDownDelay to scale down the ReplicaSet".
 */
const ALL = Object.values(ENVIRONMENTS);

function seconds(duration: string | undefined): number {
  if (duration === undefined) {
    return 0;
  }
  const match = /^(\d+)(s|m)$/.exec(duration);
  if (!match) {
    throw new Error(`unexpected duration ${duration}`);
  }
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
}

/** The longest a template runs when every measurement passes; Infinity for a metric without a count. */
function templateSeconds(template: KubeObject): number {
  return Math.max(...template.spec.metrics.map((metric: any) =>
    metric.count === undefined ? Infinity : seconds(metric.initialDelay) + metric.count * seconds(metric.interval)));
}

function analysisBlocks(rollout: KubeObject): any[] {
  const { blueGreen, canary } = rollout.spec.strategy;
  return [blueGreen?.prePromotionAnalysis, blueGreen?.postPromotionAnalysis, canary?.analysis, ...(canary?.steps ?? []).map((step: any) => step.analysis)].filter(Boolean);
}

describe.each(ALL.map((config) => [config.name, config] as const))('rollback in %s', (_name, config) => {
  const objects = renderChart(config);
  const templates = new Map(kinds(objects, 'AnalysisTemplate').map((template) => [template.metadata.name, template]));
  const rollouts = kinds(objects, 'Rollout');

  test('every analysis a Rollout names is rendered, and every AnalysisTemplate is run by a Rollout', () => {
    const named = new Set(rollouts.flatMap((rollout) => analysisBlocks(rollout).flatMap((block) => block.templates.map((t: any) => t.templateName as string))));
    expect([...named].filter((name) => !templates.has(name))).toEqual([]);
    expect([...templates.keys()].filter((name) => !named.has(name))).toEqual([]);
  });

  test('a blue-green Rollout watches the new version after the switch, within the time it keeps the previous ReplicaSet', () => {
    const blueGreens = rollouts.filter((r) => r.spec.strategy.blueGreen);
    expect(blueGreens.map((r) => r.metadata.name)).toEqual(config.delivery.web === 'blue-green' ? ['web'] : []);
    for (const rollout of blueGreens) {
      const blueGreen = rollout.spec.strategy.blueGreen;
      expect(blueGreen.postPromotionAnalysis).toBeDefined();
      const watch = Math.max(...blueGreen.postPromotionAnalysis.templates.map((t: any) => templateSeconds(templates.get(t.templateName)!)));
      expect(Number.isFinite(watch)).toBe(true);
      expect(watch).toBeLessThanOrEqual(blueGreen.scaleDownDelaySeconds);
      // A run that outlasted the progress deadline could be aborted as a stall.
      expect(watch).toBeLessThan(rollout.spec.progressDeadlineSeconds);
      // The analysis measures the pods that now take the traffic: the preview Service keeps selecting them.
      expect(blueGreen.postPromotionAnalysis.args).toContainEqual({ name: 'service', value: blueGreen.previewService });
    }
  });

  test('the generator releases as its config says; as a canary of its replicas, KEDA scales the Rollout', () => {
    const generator = [...rollouts, ...kinds(objects, 'Deployment')].find((o) => o.metadata.name === 'generator')!;
    expect(generator.kind).toBe(config.delivery.generator === 'canary' ? 'Rollout' : 'Deployment');
    const scalers = [...kinds(objects, 'ScaledObject'), ...kinds(objects, 'HorizontalPodAutoscaler')].filter((s) => s.spec.scaleTargetRef.name === 'generator');
    for (const scaler of scalers) {
      expect(scaler.spec.scaleTargetRef).toMatchObject({ apiVersion: generator.apiVersion, kind: generator.kind });
    }
    if (generator.kind !== 'Rollout') {
      return;
    }
    const canary = generator.spec.strategy.canary;
    // Fields Argo Rollouts v1.6.6 rejects without traffic routing (pkg/apis/rollouts/validation/validation.go).
    expect(canary.trafficRouting).toBeUndefined();
    expect(canary.scaleDownDelaySeconds).toBeUndefined();
    expect(canary.abortScaleDownDelaySeconds).toBeUndefined();
    expect(canary.dynamicStableScale).toBeUndefined();
    expect(canary.steps.some((step: any) => step.setCanaryScale)).toBe(false);
    expect(canary.maxUnavailable).toBe(0);
    const gate = canary.steps.find((step: any) => step.analysis).analysis;
    expect(gate.templates).toEqual([{ templateName: 'generator-release-gate' }]);
    expect(gate.args).toContainEqual({ name: 'service', value: canary.canaryService });
    expect(canary.analysis.templates).toEqual([{ templateName: 'generator-release-watch' }]);
    expect(templateSeconds(templates.get('generator-release-gate')!)).toBeLessThan(generator.spec.progressDeadlineSeconds);
  });

  test('the sign-in proxy releases as its config says; as a canary, its own Service keeps selecting every pod and the autoscaler scales the Rollout', () => {
    const proxy = [...rollouts, ...kinds(objects, 'Deployment')].find((o) => o.metadata.name === 'oauth2-proxy')!;
    expect(proxy.kind).toBe(config.delivery.signInProxy === 'canary' ? 'Rollout' : 'Deployment');
    const scalers = kinds(objects, 'HorizontalPodAutoscaler').filter((s) => s.spec.scaleTargetRef.name === 'oauth2-proxy');
    expect(scalers).toHaveLength(config.authentication.proxyReplicas.isAutoscaled ? 1 : 0);
    for (const scaler of scalers) {
      expect(scaler.spec.scaleTargetRef).toMatchObject({ apiVersion: proxy.apiVersion, kind: proxy.kind });
      // The environment's Application ignores /spec/replicas of exactly what the autoscaler scales.
      expect(autoscaledWorkloads(objects)).toContainEqual({ group: proxy.kind === 'Rollout' ? 'argoproj.io' : 'apps', kind: proxy.kind, name: 'oauth2-proxy', namespace: config.namespace });
    }
    if (proxy.kind !== 'Rollout') {
      return;
    }
    const canary = proxy.spec.strategy.canary;
    // ingress-nginx asks the proxy's own Service outside any Ingress: Argo Rollouts must not narrow it
    // to the stable pods (no stableService), so the canary's share of the pods is its share of the requests.
    expect(canary.stableService).toBeUndefined();
    expect(canary.trafficRouting).toBeUndefined();
    expect(canary.maxUnavailable).toBe(0);
    expect(canary.steps.some((step: any) => step.setCanaryScale)).toBe(false);
    const service = kinds(objects, 'Service').find((s) => s.metadata.name === 'oauth2-proxy')!;
    expect(service.spec.selector).toEqual(proxy.spec.selector.matchLabels);
    const gate = canary.steps.find((step: any) => step.analysis).analysis;
    expect(gate.templates).toEqual([{ templateName: 'oauth2-proxy-release-gate' }]);
    expect(gate.args).toContainEqual({ name: 'service', value: 'oauth2-proxy-canary' });
    expect(canary.canaryService).toBe('oauth2-proxy-canary');
    expect(canary.analysis.templates).toEqual([{ templateName: 'oauth2-proxy-release-watch' }]);
    // The canary Service's pods are scraped: the proxy's ServiceMonitor selects it by its labels.
    const canaryService = kinds(objects, 'Service').find((s) => s.metadata.name === 'oauth2-proxy-canary')!;
    const monitor = kinds(objects, 'ServiceMonitor').find((m) => m.metadata.name === 'oauth2-proxy')!;
    expect(canaryService.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(templateSeconds(templates.get('oauth2-proxy-release-gate')!)).toBeLessThan(proxy.spec.progressDeadlineSeconds);
  });
});
