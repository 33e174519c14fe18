import { CANARY_STEP_PAUSE_SECONDS, DeliveryKind } from '../../lib/delivery/delivery-strategy';
import { RATE_WINDOW_SECONDS } from '../../lib/delivery/release-analysis';
import { ServiceRelease, ServiceReleaseProps } from '../../lib/delivery/service-release';
import { kinds, objectsOf } from '../support/kube';
import { IMAGE, serviceScope } from '../support/service-fixtures';

const PROMETHEUS_URL = 'http://prometheus.monitoring.svc:9090';

function release(kind: DeliveryKind, extra: Partial<ServiceReleaseProps> = {}) {
  const { chart, namespace } = serviceScope();
  const construct = new ServiceRelease(chart, 'web', { kind, namespace, prometheusUrl: PROMETHEUS_URL, image: IMAGE, ...extra });
  return { chart, construct };
}

describe('ServiceRelease', () => {
  test('with minimal props releases a rolling update with nothing to judge it', () => {
    const { chart, construct } = release(DeliveryKind.ROLLING_UPDATE);
    expect(construct.strategy.kind).toBe(DeliveryKind.ROLLING_UPDATE);
    expect(construct.analysis).toBeUndefined();
    expect(construct.previewTraffic).toBeUndefined();
    expect(kinds(objectsOf(chart), 'AnalysisTemplate')).toEqual([]);
  });

  test('gates a blue-green release on an analysis that starts with its preview traffic, which lasts the whole gate', () => {
    const { construct } = release(DeliveryKind.BLUE_GREEN);
    expect(construct.strategy.kind).toBe(DeliveryKind.BLUE_GREEN);
    expect(construct.strategy.analysis).toBe(construct.analysis);
    expect([construct.analysis!.gateTemplateName, construct.analysis!.watchTemplateName, construct.previewTraffic!.node.id]).toEqual(['web-release-gate', 'web-release-watch', 'web-preview-traffic']);
    expect(construct.analysis!.initialDelaySeconds).toBe(RATE_WINDOW_SECONDS);
  });

  test('gates a canary release one step pause earlier, without preview traffic', () => {
    const { construct } = release(DeliveryKind.CANARY);
    expect(construct.strategy.kind).toBe(DeliveryKind.CANARY);
    expect(construct.previewTraffic).toBeUndefined();
    expect(construct.analysis!.initialDelaySeconds).toBe(RATE_WINDOW_SECONDS - CANARY_STEP_PAUSE_SECONDS);
  });

  test('with all props passes the objective, latency ceiling and measurements to the analysis', () => {
    const { namespace, chart } = serviceScope();
    const props: Required<ServiceReleaseProps> = {
      kind: DeliveryKind.CANARY,
      namespace,
      prometheusUrl: PROMETHEUS_URL,
      image: IMAGE,
      successRateObjectivePercent: 99.5,
      latencyP95Ms: 800,
      analysisIntervalSeconds: 15,
      analysisCount: 4,
    };
    const construct = new ServiceRelease(chart, 'api', props);
    expect(construct.analysis).toMatchObject({ intervalSeconds: 15, count: 4, gateTemplateName: 'api-release-gate' });
    const gate = kinds(objectsOf(chart), 'AnalysisTemplate').find((t) => t.metadata.name === 'api-release-gate')!;
    expect(JSON.stringify(gate.spec.metrics)).toContain('0.995');
    expect(JSON.stringify(gate.spec.metrics)).toContain('0.8');
  });

  test('fails on an analysis the release could not pass', () => {
    expect(() => release(DeliveryKind.CANARY, { analysisCount: 0 })).toThrow(/count/);
  });
});
