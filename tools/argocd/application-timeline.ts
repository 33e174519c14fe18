import { KubeClient, statusMessage } from '../cluster/kube-client';
import { ARGOCD_NAMESPACE } from './argocd-config';

/** The parts of an Application's status the timeline reads. */
export interface ApplicationJson {
  metadata: { name: string; annotations?: Record<string, string>; creationTimestamp?: string };
  spec: { project?: string };
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string; message?: string };
    conditions?: { type: string; message?: string }[];
    resources?: { group?: string; kind: string; namespace?: string; name: string; status?: string; health?: { status?: string; message?: string } }[];
    operationState?: {
      phase?: string;
      message?: string;
      startedAt?: string;
      syncResult?: { revision?: string; resources?: { group?: string; kind: string; namespace?: string; name: string; status?: string; message?: string; hookType?: string; hookPhase?: string; syncPhase?: string }[] };
    };
  };
}

/** What happened to one Application, in milliseconds since the timeline started. */
export interface ApplicationRecord {
  readonly name: string;
  readonly wave: number | undefined;
  firstSeenMs: number;
  /** First poll that saw it Synced (its sync status; the operation may still run). */
  firstSyncedMs?: number;
  /** First poll that saw it done: Synced, Healthy and its last operation Succeeded. */
  doneMs?: number;
}

const WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** Synced, Healthy, and its last sync operation (if any) Succeeded: what the root's health check waits for. */
export function isDone(application: ApplicationJson): boolean {
  const phase = application.status?.operationState?.phase;
  return application.status?.sync?.status === 'Synced' && application.status?.health?.status === 'Healthy' && (phase === undefined || phase === 'Succeeded');
}

export function waveOf(application: ApplicationJson): number | undefined {
  const wave = application.metadata.annotations?.[WAVE_ANNOTATION];
  return wave === undefined ? undefined : Number(wave);
}

/** The keys an object is named by in messages: `<Kind> <namespace>/<name>` or `<Kind> <name>`. */
const nameOf = (resource: { kind: string; namespace?: string; name: string }) => `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ''}${resource.name}`;

/**
 * Why an Application is not done, in one line that names the objects: its sync and health, its
 * operation's phase and message, its conditions, every object that is out of sync or not healthy
 * (with the health check's message), and every object whose sync failed.
 */
export function whyNotDone(application: ApplicationJson, maxObjects = 12): string {
  const status = application.status ?? {};
  const wave = waveOf(application);
  const parts = [`${status.sync?.status ?? 'never compared'}/${status.health?.status ?? 'no health'}`];
  if (status.operationState) {
    parts.push(`operation ${status.operationState.phase}: ${status.operationState.message ?? ''}`.trim());
  }
  for (const condition of status.conditions ?? []) {
    parts.push(`${condition.type}: ${condition.message ?? ''}`);
  }
  // Failed objects first: they are why a sync stops; then those out of sync or unhealthy.
  const objects = [
    // SyncFailed: refused by the API server or the project; phase Failed: it turned Degraded during the sync (or a hook failed).
    ...(status.operationState?.syncResult?.resources ?? [])
      .filter((candidate) => candidate.status === 'SyncFailed' || candidate.hookPhase === 'Failed' || candidate.hookPhase === 'Error')
      .map((resource) => `${nameOf(resource)} ${resource.status === 'SyncFailed' ? 'SyncFailed' : `${resource.hookType ?? 'sync'} ${resource.hookPhase}`}: ${resource.message ?? ''}`),
    ...(status.resources ?? [])
      .filter((resource) => resource.status === 'OutOfSync' || (resource.health?.status !== undefined && resource.health.status !== 'Healthy'))
      .map((resource) => `${nameOf(resource)} ${resource.status ?? ''}/${resource.health?.status ?? 'no health'}${resource.health?.message ? ` (${resource.health.message})` : ''}`),
  ];
  parts.push(...objects.slice(0, maxObjects));
  if (objects.length > maxObjects) {
    parts.push(`and ${objects.length - maxObjects} more objects`);
  }
  return `${application.metadata.name}${wave === undefined ? '' : ` [wave ${wave}]`}: ${parts.join('; ')}`;
}

/** Messages of an Application that say its AppProject refused something (Argo CD: "... is not permitted in project ..."). */
export function projectRefusals(application: ApplicationJson): string[] {
  const status = application.status ?? {};
  const messages = [
    ...(status.conditions ?? []).map((condition) => condition.message ?? ''),
    status.operationState?.message ?? '',
    ...(status.operationState?.syncResult?.resources ?? []).map((resource) => resource.message ?? ''),
  ];
  return [...new Set(messages.filter((message) => /not permitted/.test(message)))].map((message) => `${application.metadata.name}: ${message}`);
}

/**
 * Watches the Applications of Argo CD's namespace by polling: when each was first seen, first
 * Synced, and done (Synced, Healthy, operation Succeeded), and whether the root created each one
 * only after every Application of an earlier wave was done (what the root's waves and the
 * Application health check of docs/gitops.md promise). Waves are compared among the Applications
 * that carry one (the root carries none).
 */
export class ApplicationTimeline {
  public readonly records = new Map<string, ApplicationRecord>();
  /** Wave-order breaches, one line each, naming both Applications. */
  public readonly waveOrderViolations: string[] = [];
  /** Every state change, `[seconds] <why>` (whyNotDone with its first 3 objects, or "done"); each is also passed to `log`. */
  public readonly changes: string[] = [];
  private readonly lastState = new Map<string, string>();
  private latest: ApplicationJson[] = [];

  public constructor(
    private readonly client: KubeClient,
    private readonly started: number = Date.now(),
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  public get applications(): readonly ApplicationJson[] {
    return this.latest;
  }

  /** Lists the Applications once and records what changed. */
  public async poll(): Promise<readonly ApplicationJson[]> {
    const response = await this.client.request('GET', `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications`);
    if (response.status !== 200) {
      throw new Error(`listing Applications: ${statusMessage(response)}`);
    }
    const applications = (response.body as { items: ApplicationJson[] }).items;
    const now = Date.now() - this.started;
    const newcomers = applications.filter((application) => !this.records.has(application.metadata.name));
    for (const application of applications) {
      const record = this.records.get(application.metadata.name) ?? { name: application.metadata.name, wave: waveOf(application), firstSeenMs: now };
      this.records.set(record.name, record);
      if (record.firstSyncedMs === undefined && application.status?.sync?.status === 'Synced') {
        record.firstSyncedMs = now;
      }
      if (record.doneMs === undefined && isDone(application)) {
        record.doneMs = now;
      }
      const state = isDone(application) ? `${application.metadata.name}: done` : whyNotDone(application, 3);
      if (this.lastState.get(record.name) !== state) {
        this.lastState.set(record.name, state);
        this.changes.push(`[${(now / 1000).toFixed(1)} s] ${state}`);
        this.log(state);
      }
    }
    // A newcomer of wave w must find every Application of an earlier wave done (in this poll or before).
    for (const application of newcomers) {
      const wave = waveOf(application);
      if (wave === undefined) {
        continue;
      }
      for (const earlier of applications.filter((candidate) => (waveOf(candidate) ?? Infinity) < wave)) {
        if (this.records.get(earlier.metadata.name)?.doneMs === undefined) {
          this.waveOrderViolations.push(`${application.metadata.name} (wave ${wave}) was created while ${whyNotDone(earlier)}`);
        }
      }
    }
    this.latest = applications;
    return applications;
  }

  /**
   * Polls every `intervalMs` until `done(applications)`; on timeout throws an error that lists why
   * each Application that is not done is not, naming its objects.
   */
  public async until(what: string, done: (applications: readonly ApplicationJson[]) => boolean, timeoutMs: number, intervalMs = 1000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const applications = await this.poll();
      if (done(applications)) {
        return;
      }
      if (Date.now() > deadline) {
        const waiting = applications.filter((application) => !isDone(application)).map(whyNotDone);
        throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s. Not done:\n  ${waiting.join('\n  ') || '(none: the condition is about something else)'}`);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /** One line per Application: wave, first seen, first Synced, done (seconds since the start). */
  public table(): string[] {
    const seconds = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(0)} s`);
    return [...this.records.values()]
      .sort((a, b) => (a.wave ?? -Infinity) - (b.wave ?? -Infinity) || a.firstSeenMs - b.firstSeenMs || a.name.localeCompare(b.name))
      .map((record) => `${record.name.padEnd(40)} wave ${String(record.wave ?? '-').padStart(2)}  created ${seconds(record.firstSeenMs).padStart(6)}  synced ${seconds(record.firstSyncedMs).padStart(6)}  healthy ${seconds(record.doneMs).padStart(6)}`);
  }
}
