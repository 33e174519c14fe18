/**
 * The assumptions of the deploy-time model (docs/delivery.md explains each). Everything the
 * model does not read from the rendered manifests is here, in one place.
 */

/**
 * The longest a production release may take, in seconds, per workload; `npm run report` fails
 * above it. Environments not listed have no budget: their figures are informational.
 */
export const RELEASE_BUDGET_SECONDS: Readonly<Record<string, number>> = {
  production: 300,
};

/**
 * Time to pull an image onto a node that does not have it (`imagePullPolicy: Always` always asks
 * the registry; a new version is never cached): a few hundred MB from ghcr.io on a busy node.
 */
export const IMAGE_PULL_SECONDS = 30;

/**
 * How long an application takes from process start to answering its startup probe in a normal
 * start, unless `EXPECTED_START_SECONDS_BY_SERVICE` names the service. The model never uses more
 * than the startup probe's failure bound (the kubelet restarts a container that takes longer).
 */
export const DEFAULT_EXPECTED_START_SECONDS = 20;

/** Expected start per service (`app.kubernetes.io/name`, else the workload's name). */
export const EXPECTED_START_SECONDS_BY_SERVICE: Readonly<Record<string, number>> = {};

/**
 * Time for a traffic change to take effect: an ingress-nginx canary weight update, or a
 * blue-green Service selector switch reaching the endpoints and the ingress controller.
 */
export const TRAFFIC_SWITCH_SECONDS = 5;

/**
 * Argo CD's pause between sync waves (`ARGOCD_SYNC_WAVE_DELAY`, default 2 s), paid once for every
 * wave that syncs before the workload's own.
 */
export const SYNC_WAVE_DELAY_SECONDS = 2;

/** The sync-wave annotation Argo CD orders objects and Applications by. */
export { ARGOCD_SYNC_WAVE as SYNC_WAVE_ANNOTATION } from '../../lib/gitops/sync-policy';

/** Kubernetes' probe defaults, used when a probe leaves a field out. */
export const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 } as const;

/** The model's tunable inputs; `DEFAULT_MODEL_OPTIONS` holds the constants above. */
export interface ModelOptions {
  readonly imagePullSeconds: number;
  readonly defaultExpectedStartSeconds: number;
  readonly expectedStartSecondsByService: Readonly<Record<string, number>>;
  readonly trafficSwitchSeconds: number;
  readonly syncWaveDelaySeconds: number;
}

export const DEFAULT_MODEL_OPTIONS: ModelOptions = {
  imagePullSeconds: IMAGE_PULL_SECONDS,
  defaultExpectedStartSeconds: DEFAULT_EXPECTED_START_SECONDS,
  expectedStartSecondsByService: EXPECTED_START_SECONDS_BY_SERVICE,
  trafficSwitchSeconds: TRAFFIC_SWITCH_SECONDS,
  syncWaveDelaySeconds: SYNC_WAVE_DELAY_SECONDS,
};
