import { ModelOptions } from './budget-constants';
import { list, record, text } from './json';
import { RenderedObject } from './manifests';
import { TimeCategory, TimeComponent } from './release-estimate';
import { deploysFile } from './sync-waves';

/** The Secret and key Argo CD's API server checks GitHub's deliveries with (util/settings/settings.go). */
const ARGOCD_SECRET = 'argocd-secret';
const GITHUB_WEBHOOK_SECRET_KEY = 'webhook.github.secret';

/** How Argo CD notices the merge that releases a workload. */
export interface Detection {
  readonly component: TimeComponent;
  /** Detection by polling when the webhook exists but a delivery is lost; undefined without a webhook. */
  readonly fallbackSeconds?: number;
}

/**
 * Detection of a merge by the Argo CD whose Application deploys `workload`'s file. With a GitHub
 * webhook (an ExternalSecret in that cluster's folder writing `webhook.github.secret` into
 * `argocd-secret`): GitHub's delivery + Argo CD's refresh and render. Without one, or when a
 * delivery is lost (GitHub never redelivers): polling, whose worst case is two reconciliation
 * periods plus the jitter, because a refresh may read the branch from the repo server's revision
 * cache, which lives one period (reposerver/cache/cache.go, `--revision-cache-expiration` from
 * ARGOCD_RECONCILIATION_TIMEOUT), and the next comes one period (+ jitter) later
 * (controller/appcontroller.go, `needRefreshAppStatus`). A period of 0 switches polling off.
 */
export function detectionOf(workload: RenderedObject, applications: readonly RenderedObject[], argoCdObjects: readonly RenderedObject[], options: ModelOptions): Detection {
  const deciding = applications.find((application) => deploysFile(application, workload.file));
  if (deciding === undefined) {
    return { component: { category: TimeCategory.DETECTION, seconds: 0, detail: 'no Argo CD Application in the rendered folder deploys this file: not modelled' } };
  }
  const folder = deciding.environment;
  const period = options.reconciliationTimeoutSeconds;
  const jitter = options.reconciliationJitterSeconds;
  const polling = period > 0 ? 2 * period + jitter + options.argoCdRefreshSeconds : Infinity;
  const pollingDetail = period > 0
    ? `polling: 2 x timeout.reconciliation ${period} s + timeout.reconciliation.jitter ${jitter} s + refresh ${options.argoCdRefreshSeconds} s = ${polling} s`
    : 'polling switched off (timeout.reconciliation 0): a lost merge waits for a manual refresh';
  if (!hasGithubWebhookSecret(folder, argoCdObjects)) {
    return { component: { category: TimeCategory.DETECTION, seconds: polling, detail: `no GitHub webhook secret in ${folder} (${ARGOCD_SECRET} ${GITHUB_WEBHOOK_SECRET_KEY}): ${pollingDetail}` } };
  }
  const seconds = options.githubWebhookDeliverySeconds + options.argoCdRefreshSeconds;
  return {
    component: { category: TimeCategory.DETECTION, seconds, detail: `GitHub webhook (${folder}): delivery ${options.githubWebhookDeliverySeconds} s + Argo CD refresh and render ${options.argoCdRefreshSeconds} s` },
    fallbackSeconds: polling,
  };
}

/** The polling detail of a workload whose webhook exists, for the "if the webhook fails" note. */
export function fallbackNote(fallbackSeconds: number, options: ModelOptions): string {
  return Number.isFinite(fallbackSeconds)
    ? `if the webhook fails (GitHub does not redeliver): polling 2 x ${options.reconciliationTimeoutSeconds} s + ${options.reconciliationJitterSeconds} s jitter + ${options.argoCdRefreshSeconds} s instead of the webhook: reported, not budgeted`
    : 'if the webhook fails: polling is switched off, the merge waits for a manual refresh';
}

/** Whether `folder` renders an ExternalSecret that writes `webhook.github.secret` into `argocd-secret`. */
function hasGithubWebhookSecret(folder: string, objects: readonly RenderedObject[]): boolean {
  return objects.some((object) => {
    if (object.kind !== 'ExternalSecret' || object.environment !== folder) {
      return false;
    }
    const spec = record(object.body.spec);
    const targetName = text(record(spec.target).name) ?? object.name;
    return targetName === ARGOCD_SECRET && list(spec.data).map(record).some((entry) => entry.secretKey === GITHUB_WEBHOOK_SECRET_KEY);
  });
}
