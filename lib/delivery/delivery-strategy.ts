import {
  RolloutSpecStrategy,
  RolloutSpecStrategyCanaryMaxSurge,
  RolloutSpecStrategyCanaryMaxUnavailable,
  RolloutSpecStrategyCanarySteps,
  RolloutSpecStrategyCanaryStepsPauseDuration,
} from '../../imports/argoproj.io';
import { ANALYSIS_ARGS, IReleaseAnalysis } from './release-analysis';

/** How a new version of a service replaces the running one. */
export enum DeliveryKind {
  /** A Deployment's rolling update: surge new pods, then remove old ones. */
  ROLLING_UPDATE = 'rolling-update',
  /** An Argo Rollout that starts a full copy, analyses it behind a preview Service, then switches. */
  BLUE_GREEN = 'blue-green',
  /**
   * An Argo Rollout that shifts ingress-nginx traffic to the new version step by step, analysing as
   * it goes; for a service without traffic routing (a queue consumer), a share of the replicas.
   */
  CANARY = 'canary',
}

export interface RollingUpdateOptions {
  /**
   * Pods a rolling update adds on top of the replica count, in percent of it (rounded up, at least
   * one); no pod goes before its replacement is ready (`maxUnavailable: 0`). More surge means
   * fewer batches of new pods to wait for, and more quota.
   * @default 25
   */
  readonly maxSurgePercent?: number;
}

/** The parts of a Rollout every progressive strategy sets. */
export interface ProgressiveDeliveryOptions {
  /** Judges the new version; a failed or errored analysis aborts the release and rolls back. */
  readonly analysis: IReleaseAnalysis;
  /**
   * Seconds a step may make no progress (new pods not ready) before the Rollout aborts and rolls
   * back. Longer than the gate analysis, so that an analysis in progress is never taken for a stall.
   * @default 180
   */
  readonly progressDeadlineSeconds?: number;
  /**
   * Seconds the old pods keep running after the switch, so ingress-nginx and kube-proxy stop
   * sending them traffic before they go, and (blue-green) a failed post-promotion analysis can
   * switch back to them. At least the post-promotion analysis's `watchSeconds`. Not used by a
   * canary without traffic routing, which Argo Rollouts rejects it for.
   * @default - blue-green: the post-promotion analysis's watchSeconds, at least 30; canary: 30
   */
  readonly scaleDownDelaySeconds?: number;
  /**
   * Seconds the new pods keep running after an abort, to look at them before they go.
   * @default 30
   */
  readonly abortScaleDownDelaySeconds?: number;
}

/** An AnalysisTemplate run beside the gate, by name (e.g. a PreviewTraffic). */
export interface IAnalysisTemplateReference {
  readonly templateName: string;
}

export interface BlueGreenOptions extends ProgressiveDeliveryOptions {
  /**
   * An AnalysisTemplate that sends traffic to the preview Service while the gate measures it.
   * No user reaches the preview before promotion, so without it the gate sees no data and fails.
   * @default - none: the preview gets only the traffic that reaches it otherwise
   */
  readonly previewTraffic?: IAnalysisTemplateReference;
}

export interface CanaryOptions extends ProgressiveDeliveryOptions {
  /**
   * Share of traffic, in percent, the canary gets before the analysis step.
   * @default 20; without traffic routing, maxSurgePercent (at most 50): the canary is the first batch
   * of surged pods, so a release waits for no more batches of new pods than a rolling update
   */
  readonly firstWeightPercent?: number;
  /**
   * Share of traffic, in percent, the canary gets after the analysis step passed, before it takes all.
   * @default 50
   */
  readonly secondWeightPercent?: number;
  /**
   * Seconds each weight is held (with the background analysis watching) before the next step.
   * @default 30
   */
  readonly stepPauseSeconds?: number;
  /**
   * Whether ingress-nginx shifts the traffic (a service with an Ingress), or false, the canary's
   * weight is its share of the replicas (a queue consumer, which takes jobs, not requests): then the
   * canary takes `firstWeightPercent` of the replicas, the gate runs, and it takes all, a rolling
   * step of `maxSurgePercent` at a time with no worker going before its replacement is ready.
   * @default true
   */
  readonly trafficRouting?: boolean;
  /**
   * Without traffic routing: pods added on top of the replica count per step, in percent of it.
   * @default 25
   */
  readonly maxSurgePercent?: number;
  /**
   * Without traffic routing: whether Argo Rollouts points the stable Service at the stable
   * ReplicaSet (`stableService`), or, false, leaves it selecting every pod and names only the
   * `canaryService`, so that the replica share is the traffic share of clients that reach the pods
   * through that Service alone (the sign-in proxy, asked by ingress-nginx outside any Ingress).
   * Argo Rollouts v1.6.6 requires `stableService` only with traffic routing
   * (pkg/apis/rollouts/validation/validation.go `requireCanaryStableServices`) and leaves an unnamed
   * Service alone (rollout/service.go `ensureSVCTargets`).
   * @default true
   */
  readonly pinStableService?: boolean;
}

/** Seconds a canary holds each weight by default. */
export const CANARY_STEP_PAUSE_SECONDS = 30;

/** The Services and Ingress a progressive strategy points the Rollout at. */
export interface RolloutTargets {
  readonly namespace: string;
  /** The Service (and, for a canary, the Ingress) that carries production traffic. */
  readonly stableService: string;
  /** The Service that selects only the new pods once Argo Rollouts adds their hash: `<name>-preview` or `<name>-canary`. */
  readonly newVersionService: string;
  /**
   * Further Ingresses that route to the stable Service, e.g. the public paths published without
   * sign-in. A canary shifts traffic only on the Ingresses its traffic routing lists; any other
   * keeps sending all of its traffic to the stable version. Ignored by blue-green, which switches
   * the Service itself.
   * @default - none: the stable Service's own Ingress only
   */
  readonly additionalStableIngresses?: readonly string[];
}

/**
 * A service's delivery strategy. A class with factories rather than a union, so a config and a
 * construct read as intent: `DeliveryStrategy.rollingUpdate()`, `DeliveryStrategy.blueGreen({ analysis })`,
 * `DeliveryStrategy.canary({ analysis })`. Rolling update renders a Deployment; the other two an
 * Argo Rollout with the same pod template.
 */
export class DeliveryStrategy {
  /** A Deployment with `maxUnavailable: 0` and `maxSurge: 25%` (by default), exactly as before Argo Rollouts. */
  public static rollingUpdate(options: RollingUpdateOptions = {}): DeliveryStrategy {
    return new DeliveryStrategy(DeliveryKind.ROLLING_UPDATE, undefined, options.maxSurgePercent);
  }

  /**
   * A full copy of the new version starts behind `<name>-preview`; the gate analysis runs against
   * it, and only when it passes does the active Service switch (automatic promotion).
   */
  public static blueGreen(options: BlueGreenOptions): DeliveryStrategy {
    return new DeliveryStrategy(DeliveryKind.BLUE_GREEN, options);
  }

  /**
   * A full-size canary starts behind `<name>-canary`; ingress-nginx sends it `firstWeightPercent`
   * of the traffic, the gate analysis runs, then `secondWeightPercent`, then all. The watch analysis
   * runs in the background from the first weight on.
   */
  public static canary(options: CanaryOptions): DeliveryStrategy {
    return new DeliveryStrategy(DeliveryKind.CANARY, options);
  }

  /**
   * The strategy of a kind named in a config. `analysis` is required for blue-green and canary,
   * and ignored for a rolling update.
   */
  public static of(
    kind: DeliveryKind,
    options: { readonly analysis?: IReleaseAnalysis } & Omit<CanaryOptions & BlueGreenOptions, 'analysis'> & RollingUpdateOptions,
  ): DeliveryStrategy {
    if (kind === DeliveryKind.ROLLING_UPDATE) {
      return DeliveryStrategy.rollingUpdate({ maxSurgePercent: options.maxSurgePercent });
    }
    const analysis = options.analysis;
    if (!analysis) {
      throw new Error(`DeliveryStrategy.${kind} needs a ReleaseAnalysis: a release that nothing judges would be promoted blind`);
    }
    return kind === DeliveryKind.BLUE_GREEN ? DeliveryStrategy.blueGreen({ ...options, analysis }) : DeliveryStrategy.canary({ ...options, analysis });
  }

  /** Surge of a rolling update (or of a canary without traffic routing), in percent of the replica count. */
  public readonly maxSurgePercent: number;
  /** False for a canary whose weight is a share of the replicas; true for blue-green (the Service switch) and a routed canary. */
  public readonly trafficRouting: boolean;
  public readonly progressDeadlineSeconds: number;
  public readonly scaleDownDelaySeconds: number;
  public readonly abortScaleDownDelaySeconds: number;
  public readonly firstWeightPercent: number;
  public readonly secondWeightPercent: number;
  public readonly stepPauseSeconds: number;
  /** False for a canary without traffic routing whose stable Service keeps selecting every pod. */
  public readonly pinStableService: boolean;

  private constructor(
    public readonly kind: DeliveryKind,
    private readonly options?: CanaryOptions & BlueGreenOptions,
    maxSurgePercent?: number,
  ) {
    this.maxSurgePercent = maxSurgePercent ?? options?.maxSurgePercent ?? 25;
    this.trafficRouting = kind === DeliveryKind.BLUE_GREEN || (kind === DeliveryKind.CANARY && (options?.trafficRouting ?? true));
    this.progressDeadlineSeconds = options?.progressDeadlineSeconds ?? 180;
    const postPromotionSeconds = kind === DeliveryKind.BLUE_GREEN ? options?.analysis.watchSeconds : undefined;
    this.scaleDownDelaySeconds = options?.scaleDownDelaySeconds ?? Math.max(30, postPromotionSeconds ?? 0);
    this.abortScaleDownDelaySeconds = options?.abortScaleDownDelaySeconds ?? 30;
    const replicaCanary = kind === DeliveryKind.CANARY && !this.trafficRouting;
    this.firstWeightPercent = options?.firstWeightPercent ?? (replicaCanary ? Math.min(50, this.maxSurgePercent) : 20);
    this.secondWeightPercent = options?.secondWeightPercent ?? 50;
    this.stepPauseSeconds = options?.stepPauseSeconds ?? CANARY_STEP_PAUSE_SECONDS;
    this.pinStableService = options?.pinStableService ?? true;
    this.validate();
  }

  /** True when the service is rendered as an Argo Rollout rather than a Deployment. */
  public get isProgressive(): boolean {
    return this.kind !== DeliveryKind.ROLLING_UPDATE;
  }

  /** The analysis a progressive strategy is judged by. */
  public get analysis(): IReleaseAnalysis | undefined {
    return this.options?.analysis;
  }

  /** Suffix of the Service that selects the new version's pods: `preview` or `canary`; none for a rolling update. */
  public get newVersionServiceSuffix(): string | undefined {
    switch (this.kind) {
      case DeliveryKind.BLUE_GREEN:
        return 'preview';
      case DeliveryKind.CANARY:
        return 'canary';
      default:
        return undefined;
    }
  }

  /** The Rollout's `spec.strategy`; only for blue-green and canary. */
  public rolloutStrategy(targets: RolloutTargets): RolloutSpecStrategy {
    const analysis = this.options?.analysis;
    if (!analysis) {
      throw new Error(`a ${this.kind} strategy has no Rollout strategy; render a Deployment`);
    }
    const args = [
      { name: ANALYSIS_ARGS.service, value: targets.newVersionService },
      { name: ANALYSIS_ARGS.namespace, value: targets.namespace },
    ];
    const gate = { templates: [{ templateName: analysis.gateTemplateName }], args };
    if (this.kind === DeliveryKind.BLUE_GREEN) {
      const previewTraffic = this.options?.previewTraffic;
      return {
        blueGreen: {
          activeService: targets.stableService,
          previewService: targets.newVersionService,
          // previewReplicaCount is left out: the preview runs at full size, so the pods analysed are
          // the pods that take traffic and promotion is a Service switch with no second batch of pods.
          prePromotionAnalysis: previewTraffic
            ? { ...gate, templates: [...gate.templates, { templateName: previewTraffic.templateName }] }
            : gate,
          autoPromotionEnabled: true,
          // The watch on the new version's real traffic once it is active. A failed run aborts the
          // Rollout, which switches the active Service back to the previous ReplicaSet: that set is
          // still at full size because scaleDownDelaySeconds is at least the run's length (validate()).
          // Argo Rollouts v1.6.6 docs/features/bluegreen.md, postPromotionAnalysis: "If
          // scaleDownDelaySeconds is specified, the controller will cancel any AnalysisRuns at time of
          // scaleDownDelay to scale down the ReplicaSet"; rollout/bluegreen.go
          // scaleDownOldReplicaSetsForBlueGreen keeps the previous stable ReplicaSet while it is
          // still status.stableRS, which it stays until the post-promotion run succeeds (rollout/sync.go).
          postPromotionAnalysis: { templates: [{ templateName: analysis.watchTemplateName }], args },
          scaleDownDelaySeconds: this.scaleDownDelaySeconds,
          abortScaleDownDelaySeconds: this.abortScaleDownDelaySeconds,
        },
      };
    }
    const pause = (): RolloutSpecStrategyCanarySteps => ({ pause: { duration: RolloutSpecStrategyCanaryStepsPauseDuration.fromString(`${this.stepPauseSeconds}s`) } });
    // Background analysis from the first weight on (step index `startingStep`: once setWeight took effect) until the release ends.
    const background = (startingStep: number) => ({ templates: [{ templateName: analysis.watchTemplateName }], args, startingStep });
    if (!this.trafficRouting) {
      return {
        canary: {
          // Argo Rollouts points these Services at the stable and the canary ReplicaSet with or without
          // traffic routing (v1.6.6 rollout/service.go reconcileStableAndCanaryService), so the
          // analysis tells the canary's series by their `service` label. Without stableService the
          // stable Service keeps selecting every pod, the canary's included.
          ...(this.pinStableService ? { stableService: targets.stableService } : {}),
          canaryService: targets.newVersionService,
          // A basic canary (no traffic router) approximates the weight with replicas: no pod goes
          // before its replacement is ready. scaleDownDelaySeconds, abortScaleDownDelaySeconds and
          // dynamicStableScale need traffic routing (v1.6.6 pkg/apis/rollouts/validation/validation.go).
          maxSurge: RolloutSpecStrategyCanaryMaxSurge.fromString(`${this.maxSurgePercent}%`),
          maxUnavailable: RolloutSpecStrategyCanaryMaxUnavailable.fromNumber(0),
          analysis: background(1),
          steps: [
            { setWeight: this.firstWeightPercent },
            pause(),
            { analysis: gate },
          ],
        },
      };
    }
    const additionalStableIngresses = targets.additionalStableIngresses ?? [];
    const repeated = additionalStableIngresses.find((name, index) => name === targets.stableService || additionalStableIngresses.indexOf(name) !== index);
    if (repeated !== undefined) {
      throw new Error(`DeliveryStrategy.canary: additionalStableIngresses names ${JSON.stringify(repeated)} twice (the Ingress ${targets.stableService} is always listed); name each further Ingress once`);
    }
    return {
      canary: {
        stableService: targets.stableService,
        canaryService: targets.newVersionService,
        // Argo Rollouts (1.5+) takes stableIngress or stableIngresses, never both: with
        // stableIngresses it ignores stableIngress, so the list names the main Ingress as well.
        trafficRouting: {
          nginx: additionalStableIngresses.length > 0
            ? { stableIngresses: [targets.stableService, ...additionalStableIngresses] }
            : { stableIngress: targets.stableService },
        },
        // The stable ReplicaSet stays at full size until the canary takes all traffic, so an abort
        // sends traffic back to pods that are already running (no scale-up on the way back).
        dynamicStableScale: false,
        scaleDownDelaySeconds: this.scaleDownDelaySeconds,
        abortScaleDownDelaySeconds: this.abortScaleDownDelaySeconds,
        analysis: background(2),
        steps: [
          // The canary starts at full size before it gets any traffic: the weights then only move
          // traffic, so a release waits for one batch of new pods instead of one per weight, and
          // the canary never runs short of pods. It costs no extra quota (the canary reaches full size either way).
          { setCanaryScale: { weight: 100 } },
          { setWeight: this.firstWeightPercent },
          pause(),
          { analysis: gate },
          { setWeight: this.secondWeightPercent },
          pause(),
        ],
      },
    };
  }

  /**
   * Pods the service can run at once, at `maxReplicas`, during a release. A blue-green or canary
   * release runs the new version at full size beside the old one before it switches, and Argo
   * Rollouts keeps a replaced ReplicaSet at full size for `scaleDownDelaySeconds` (an aborted one
   * for `abortScaleDownDelaySeconds`): a second release within that delay runs three full sets, the
   * one waiting to scale down (the previous stable, or the previous preview a new version replaced),
   * the stable one and the new one. (Argo Rollouts v1.6.6, commit 737ca89b, rollout/replicaset.go
   * `scaleDownDelayHelper`: an old ReplicaSet with a scale-down deadline ahead keeps the Rollout's
   * replicas, for blue-green and, after a promotion, for a canary with traffic routing;
   * `scaleDownDelayRevisionLimit` is unset, so none is cut short.) A third release within the same
   * delay would add a fourth set; its pods wait for quota until the oldest set's delay has passed.
   */
  public maxPodsDuringRelease(maxReplicas: number): number {
    // A canary without traffic routing keeps all its ReplicaSets (old ones included) within
    // replicas + maxSurge, like a rolling update, and keeps no scaled-down set waiting (no scale-down
    // delay): Argo Rollouts v1.6.6 utils/replicaset/canary.go CalculateReplicaCountsForBasicCanary.
    return this.trafficRouting ? 3 * maxReplicas : maxReplicas + Math.max(1, Math.ceil((maxReplicas * this.maxSurgePercent) / 100));
  }

  private validate(): void {
    const fail = (field: string, value: unknown, fix: string): never => {
      throw new Error(`DeliveryStrategy.${this.kind}: ${field} is ${JSON.stringify(value)}; ${fix}`);
    };
    for (const [field, value, min, max] of [
      ['progressDeadlineSeconds', this.progressDeadlineSeconds, 30, 600],
      ['scaleDownDelaySeconds', this.scaleDownDelaySeconds, 0, 300],
      ['abortScaleDownDelaySeconds', this.abortScaleDownDelaySeconds, 0, 300],
      ['stepPauseSeconds', this.stepPauseSeconds, 10, 300],
    ] as const) {
      if (!Number.isInteger(value) || value < min || value > max) {
        fail(field, value, `use a whole number of seconds from ${min} to ${max}`);
      }
    }
    const gateSeconds = this.options?.analysis.gateSeconds;
    if (gateSeconds !== undefined && this.progressDeadlineSeconds <= gateSeconds) {
      fail('progressDeadlineSeconds', this.progressDeadlineSeconds, `make it longer than the gate analysis (${gateSeconds} s), or a passing analysis could be aborted as a stall`);
    }
    if (this.kind === DeliveryKind.BLUE_GREEN) {
      const watchSeconds = this.options?.analysis.watchSeconds;
      if (watchSeconds === undefined) {
        fail('analysis.watchSeconds', watchSeconds, 'give the analysis a watchCount: a blue-green release runs the watch after the switch (postPromotionAnalysis), which must end for the release to complete');
      }
      if (this.scaleDownDelaySeconds < (watchSeconds as number)) {
        fail('scaleDownDelaySeconds', this.scaleDownDelaySeconds, `make it at least the post-promotion analysis (${watchSeconds} s), or a failed analysis would switch back to a ReplicaSet already scaled down`);
      }
      if (this.progressDeadlineSeconds <= (watchSeconds as number)) {
        fail('progressDeadlineSeconds', this.progressDeadlineSeconds, `make it longer than the post-promotion analysis (${watchSeconds} s), or a passing analysis could be aborted as a stall`);
      }
    }
    if (!Number.isInteger(this.maxSurgePercent) || this.maxSurgePercent < 1 || this.maxSurgePercent > 100) {
      fail('maxSurgePercent', this.maxSurgePercent, 'use a whole percentage from 1 to 100');
    }
    const first = this.firstWeightPercent;
    const second = this.secondWeightPercent;
    if (!Number.isInteger(first) || first < 1 || first > 50) {
      fail('firstWeightPercent', first, 'use a whole percentage from 1 to 50: a first step is a small share');
    }
    // A canary without traffic routing has one weight: the gate, then all.
    const replicaCanary = this.kind === DeliveryKind.CANARY && !this.trafficRouting;
    if (!this.pinStableService && !replicaCanary) {
      fail('pinStableService', false, 'leave the stable Service unpinned only for a canary without traffic routing: blue-green switches it, and ingress-nginx routing needs it (Argo Rollouts requires stableService with trafficRouting)');
    }
    if (!replicaCanary && (!Number.isInteger(second) || second <= first || second > 99)) {
      fail('secondWeightPercent', second, `use a whole percentage above firstWeightPercent (${first}) and below 100`);
    }
  }
}
