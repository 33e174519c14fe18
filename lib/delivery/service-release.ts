import { Construct } from 'constructs';
import { ImageReference } from '../platform/image-reference';
import { NamespaceBaseline } from '../platform/namespace-baseline';
import { VaultSecret } from '../security/vault-secret';
import { LongRunningService } from '../services/long-running-service';
import { CANARY_STEP_PAUSE_SECONDS, DeliveryKind, DeliveryStrategy } from './delivery-strategy';
import { PreviewTraffic } from './preview-traffic';
import { RATE_WINDOW_SECONDS, ReleaseAnalysis } from './release-analysis';

export interface ServiceReleaseProps {
  /** How the service releases: ROLLING_UPDATE, BLUE_GREEN (preview, analysis, switch) or CANARY (weights, analysis). */
  readonly kind: DeliveryKind;
  /** The namespace the service runs in; the preview traffic counts itself into its quota. */
  readonly namespace: NamespaceBaseline;
  /** Prometheus HTTP API the analysis queries, e.g. `http://kube-prometheus-stack-prometheus.monitoring.svc:9090`. */
  readonly prometheusUrl: string;
  /** The service's image: the preview traffic of a blue-green release runs `node` from it. */
  readonly image: ImageReference;
  /**
   * Share of requests that must not answer 5xx during a release, in percent.
   * @default 99.9
   */
  readonly successRateObjectivePercent?: number;
  /**
   * p95 latency ceiling during a release, in milliseconds.
   * @default 500
   */
  readonly latencyP95Ms?: number;
  /**
   * Seconds between two analysis measurements.
   * @default 20
   */
  readonly analysisIntervalSeconds?: number;
  /**
   * Measurements a gate takes before it passes.
   * @default 3
   */
  readonly analysisCount?: number;
}

/**
 * How one service is released, and what judges a release: nothing for a rolling update; for
 * blue-green (before and after the switch) and canary, the service's ReleaseAnalysis (id: this construct's id, so its
 * AnalysisTemplates are `<id>-release-gate` and `<id>-release-watch`), and for blue-green the
 * PreviewTraffic (`<id>-preview-traffic`) that gives the unreached preview pods something to measure.
 */
export class ServiceRelease extends Construct {
  /** The strategy the service is built with. */
  public readonly strategy: DeliveryStrategy;
  /** The analysis of a blue-green or canary release. */
  public readonly analysis?: ReleaseAnalysis;
  /** The preview traffic of a blue-green release. */
  public readonly previewTraffic?: PreviewTraffic;

  public constructor(scope: Construct, id: string, props: ServiceReleaseProps) {
    super(scope, id);
    if (props.kind === DeliveryKind.ROLLING_UPDATE) {
      this.strategy = DeliveryStrategy.rollingUpdate();
      return;
    }
    const blueGreen = props.kind === DeliveryKind.BLUE_GREEN;
    this.analysis = new ReleaseAnalysis(this, id, {
      namespace: props.namespace.namespaceName,
      prometheusUrl: props.prometheusUrl,
      successRateObjectivePercent: props.successRateObjectivePercent,
      latencyP95Ms: props.latencyP95Ms,
      intervalSeconds: props.analysisIntervalSeconds,
      count: props.analysisCount,
      // A gate measures once one rate window of traffic lies behind it: a blue-green preview's
      // traffic starts with the analysis, a canary's one pause (after its first weight) earlier.
      initialDelaySeconds: blueGreen ? RATE_WINDOW_SECONDS : RATE_WINDOW_SECONDS - CANARY_STEP_PAUSE_SECONDS,
      // Blue-green runs the watch after the switch (postPromotionAnalysis), as long as a gate; the
      // strategy keeps the previous ReplicaSet that long (scaleDownDelaySeconds >= watchSeconds).
      watchCount: blueGreen ? props.analysisCount ?? 3 : undefined,
    });
    this.previewTraffic = blueGreen
      ? new PreviewTraffic(this, `${id}-preview-traffic`, { namespace: props.namespace, image: props.image, durationSeconds: this.analysis.gateSeconds })
      : undefined;
    this.strategy = DeliveryStrategy.of(props.kind, { analysis: this.analysis, previewTraffic: this.previewTraffic });
  }

  /** Points the preview traffic, if the release has any, at the released service (built with `strategy`). */
  public sendPreviewTrafficTo(service: LongRunningService): void {
    this.previewTraffic?.sendTo(service);
  }

  /** Pulls the preview traffic's image, if the release has any, with `credentials`. */
  public pullImagesWith(credentials: VaultSecret): void {
    this.previewTraffic?.pullImagesWith(credentials);
  }
}
