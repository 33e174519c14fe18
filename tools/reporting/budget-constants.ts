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

/**
 * GitHub's delivery of the push webhook: GitHub records a delivery that takes over 10 s to answer
 * as failed and never retries it (docs.github.com, "Best practices for using webhooks", "Handling
 * failed webhook deliveries"); Argo CD answers after marking the Applications for refresh
 * (util/webhook/webhook.go `Handler` -> `HandleEvent`). The bound, not a measurement.
 */
export const GITHUB_WEBHOOK_DELIVERY_SECONDS = 10;

/**
 * From the webhook to the new commit's manifests in the application controller: the handler sets
 * the refresh annotation (webhook.go `HandleEvent` -> `argo.RefreshApp`, normal refresh); the
 * controller's informer queues it with no jitter (appcontroller.go, the UpdateFunc adds the
 * jitter only to resyncs, whose ResourceVersion is unchanged); a requested refresh resolves the
 * branch afresh (`needRefreshAppStatus`: CompareWithLatestForceResolve, i.e. no revision cache)
 * and the repo server renders the folder. Measured: GenerateManifest took 5-12 ms per
 * Application on the real Argo CD 2.10.18 of `npm run test:argocd` (repository on loopback); the
 * rest is `git ls-remote` and fetch from GitHub, assumed at most 15 s.
 */
export const ARGOCD_REFRESH_SECONDS = 15;

/**
 * Argo CD's polling, the fallback when a webhook is lost: `timeout.reconciliation` and
 * `timeout.reconciliation.jitter` of `argocd-cm` as docs/gitops.md's bootstrap sets them (the
 * values Argo CD 2.10.18 defaults to: 180 s, cmd/argocd-application-controller `defaultAppResyncPeriod`;
 * jitter 0, `ARGOCD_RECONCILIATION_JITTER`).
 */
export const ARGOCD_RECONCILIATION_TIMEOUT_SECONDS = 180;
export const ARGOCD_RECONCILIATION_JITTER_SECONDS = 0;

/**
 * How long a store's process takes to stop when nothing has to hand over (SIGTERM to exit). The
 * settings only bound it (terminationGracePeriodSeconds, CloudNativePG's stopDelay and
 * switchoverDelay); measured: PostgreSQL 15 smart shutdown 0.2 s, start 0.2-0.3 s on this
 * machine's empty database. 10 s covers a checkpoint of a busy one.
 */
export const STORE_STOP_SECONDS = 10;

/**
 * CloudNativePG's switchover of the primary (promote the most aligned standby, move the `-rw`
 * Service), once its replicas run the new version; the old primary's shutdown is counted as
 * STORE_STOP_SECONDS. Bounded by the Cluster's switchoverDelay (default 3600 s).
 */
export const SWITCHOVER_SECONDS = 10;

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
  readonly githubWebhookDeliverySeconds: number;
  readonly argoCdRefreshSeconds: number;
  readonly reconciliationTimeoutSeconds: number;
  readonly reconciliationJitterSeconds: number;
  readonly storeStopSeconds: number;
  readonly switchoverSeconds: number;
}

export const DEFAULT_MODEL_OPTIONS: ModelOptions = {
  imagePullSeconds: IMAGE_PULL_SECONDS,
  defaultExpectedStartSeconds: DEFAULT_EXPECTED_START_SECONDS,
  expectedStartSecondsByService: EXPECTED_START_SECONDS_BY_SERVICE,
  trafficSwitchSeconds: TRAFFIC_SWITCH_SECONDS,
  syncWaveDelaySeconds: SYNC_WAVE_DELAY_SECONDS,
  githubWebhookDeliverySeconds: GITHUB_WEBHOOK_DELIVERY_SECONDS,
  argoCdRefreshSeconds: ARGOCD_REFRESH_SECONDS,
  reconciliationTimeoutSeconds: ARGOCD_RECONCILIATION_TIMEOUT_SECONDS,
  reconciliationJitterSeconds: ARGOCD_RECONCILIATION_JITTER_SECONDS,
  storeStopSeconds: STORE_STOP_SECONDS,
  switchoverSeconds: SWITCHOVER_SECONDS,
};
