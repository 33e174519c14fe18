import { ApplicationSpecSyncPolicyRetry } from '../../imports/argoproj.io';

/** Annotation that orders objects (and Applications) within one sync. */
export const ARGOCD_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

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
