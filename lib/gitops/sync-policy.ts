import { ApplicationSpecSyncPolicyRetry } from '../../imports/argoproj.io';

/** Annotation that orders objects (and Applications) within one sync. */
export const ARGOCD_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/**
 * Annotations of every Application this library renders (all sync with `ServerSideApply=true`):
 * compare with the API server's own dry-run apply (Argo CD 2.10's Server-Side Diff,
 * controller/state.go). Without it, objects applied server-side carry no last-applied annotation
 * and Argo CD diffs desired against live directly, so every default the API server fills in (an
 * ExternalSecret's `conversionStrategy`, a StatefulSet's claim templates) reads as drift: the
 * preview stayed OutOfSync for good on a real Argo CD (test/argocd/preview-tenancy.argocd.test.ts).
 */
export const APPLICATION_COMPARE_ANNOTATIONS: Readonly<Record<string, string>> = { 'argocd.argoproj.io/compare-options': 'ServerSideDiff=true' };

/** Deletes an Application's resources when the Application is deleted (previews only: environments keep theirs). */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/**
 * Retries a failed sync with exponential backoff: 10s, 20s, 40s, ... at most 5 minutes apart.
 * Transient failures (a webhook not ready yet, a CRD just created) heal on their own.
 */
export function retryWithBackoff(limit: number): ApplicationSpecSyncPolicyRetry {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new Error(`retryLimit = ${limit}: must be a whole number of at least 1 so that a transient failure is retried. Fix: use e.g. 5`);
  }
  return { limit, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } };
}

/**
 * `syncPolicy.automated` with only the switches that are on. Argo CD's own types declare these
 * booleans (and `directory.recurse`) with `omitempty`: a rendered `false` is dropped as soon as
 * the controller writes the Application back, and the Application that syncs it then differs
 * from Git for ever (OutOfSync, re-synced by self-heal in a loop). Off is written by leaving the
 * field out.
 * @see https://github.com/argoproj/argo-cd/blob/v2.10.18/pkg/apis/application/v1alpha1/types.go
 */
export function automatedSync(switches: { readonly prune: boolean; readonly selfHeal: boolean }): { prune?: boolean; selfHeal?: boolean } {
  return { ...(switches.prune ? { prune: true } : {}), ...(switches.selfHeal ? { selfHeal: true } : {}) };
}
