import { DeliveryKind } from '../../delivery/delivery-strategy';
import { DeliveryConfig } from '../environment-config';

/** The release gates every environment shares: the 99.9% objective and the latency ceilings. */
const RELEASE_GATES: Omit<DeliveryConfig, 'web' | 'api' | 'generator' | 'generatorMaxSurgePercent' | 'signInProxy'> = {
  successRateObjectivePercent: 99.9,
  webLatencyP95Ms: 800,
  apiLatencyP95Ms: 500,
  analysisIntervalSeconds: 15,
  analysisCount: 3,
};

/**
 * Development and previews roll: one fixed replica and next to no traffic, so an analysis would
 * only ever see "no data" and abort every release.
 */
export const ROLLING_DELIVERY: DeliveryConfig = {
  ...RELEASE_GATES,
  web: DeliveryKind.ROLLING_UPDATE,
  api: DeliveryKind.ROLLING_UPDATE,
  generator: DeliveryKind.ROLLING_UPDATE,
  generatorMaxSurgePercent: 25,
  signInProxy: DeliveryKind.ROLLING_UPDATE,
};

/**
 * Staging and production: web blue-green, api canary through ingress-nginx, the generator a canary
 * of its workers (KEDA scales the Rollout), the sign-in proxy a canary of its pods, all gated by Prometheus.
 */
export const PROGRESSIVE_DELIVERY: DeliveryConfig = {
  ...RELEASE_GATES,
  web: DeliveryKind.BLUE_GREEN,
  api: DeliveryKind.CANARY,
  generator: DeliveryKind.CANARY,
  // Two batches of new workers at most per step (the old ones drain their jobs after the new ones are ready).
  generatorMaxSurgePercent: 50,
  // Its pods' share of the auth subrequests, judged on its 5xx answers (SignInReleaseAnalysis).
  signInProxy: DeliveryKind.CANARY,
};

/**
 * Startup window of web and api where releases must finish within five minutes: a release waits
 * for at most two batches of new pods, and each batch can take this long (Next.js and Express
 * answer /healthz within seconds of starting).
 */
export const FAST_STARTUP_SECONDS = 30;

/** Startup window of the generator where releases must finish within five minutes (two batches of workers). */
export const GENERATOR_FAST_STARTUP_SECONDS = 60;
