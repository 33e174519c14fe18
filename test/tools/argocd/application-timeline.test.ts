import { syncCountsOf } from '../../../tools/argocd/argo-cd';
import { ApplicationJson, ApplicationTimeline, isDone, projectRefusals, whyNotDone } from '../../../tools/argocd/application-timeline';
import { droppedFields } from '../../../tools/argocd/dropped-fields';
import { objectWaveOrder } from '../../../tools/argocd/object-wave-order';
import { KubeClient, KubeObject } from '../../../tools/cluster/kube-client';

const app = (name: string, wave: number | undefined, status: ApplicationJson['status']): ApplicationJson => ({
  metadata: { name, annotations: wave === undefined ? {} : { 'argocd.argoproj.io/sync-wave': String(wave) } },
  spec: {},
  status,
});
const done = { sync: { status: 'Synced' }, health: { status: 'Healthy' }, operationState: { phase: 'Succeeded' } };
const syncing = { sync: { status: 'OutOfSync' }, health: { status: 'Missing' }, operationState: { phase: 'Running', message: 'waiting for healthy state of apps/Deployment/cert-manager' } };

/** A client whose Application list is whatever `lists` holds next, one list per poll. */
function listingClient(lists: ApplicationJson[][]): KubeClient {
  let index = 0;
  return { request: async () => ({ status: 200, body: { items: lists[Math.min(index++, lists.length - 1)] }, warnings: [] }) } as unknown as KubeClient;
}

describe('the Application timeline of the Argo CD tests (tools/argocd/application-timeline.ts)', () => {
  test('an Application is done when Synced, Healthy and its last operation Succeeded; a running or failed one is not', () => {
    expect(isDone(app('a', 0, done))).toBe(true);
    expect(isDone(app('a', 0, { ...done, operationState: { phase: 'Running' } }))).toBe(false);
    expect(isDone(app('a', 0, { ...done, health: { status: 'Progressing' } }))).toBe(false);
    expect(isDone(app('a', 0, undefined))).toBe(false);
  });

  test('why an Application is not done names its wave, its operation, and each object out of sync, unhealthy or failed', () => {
    const line = whyNotDone(app('generator-platform-production', 1, {
      sync: { status: 'OutOfSync' },
      health: { status: 'Degraded' },
      operationState: { phase: 'Running', message: 'one or more objects failed to apply', syncResult: { resources: [{ group: 'postgresql.cnpg.io', kind: 'Cluster', namespace: 'generator-platform', name: 'postgres', status: 'SyncFailed', message: 'unknown field "spec.x"' }] } },
      resources: [
        { kind: 'ExternalSecret', namespace: 'generator-platform', name: 'api-database', status: 'Synced', health: { status: 'Degraded', message: 'ClusterSecretStore "vault-production" does not exist' } },
        { kind: 'Service', namespace: 'generator-platform', name: 'api', status: 'Synced', health: { status: 'Healthy' } },
      ],
    }));
    expect(line).toBe(
      'generator-platform-production [wave 1]: OutOfSync/Degraded; operation Running: one or more objects failed to apply; ' +
        'Cluster generator-platform/postgres SyncFailed: unknown field "spec.x"; ' +
        'ExternalSecret generator-platform/api-database Synced/Degraded (ClusterSecretStore "vault-production" does not exist)',
    );
  });

  test('names an object that turned Degraded during the sync, and a failed hook', () => {
    const line = whyNotDone(app('generator-platform-production', 1, {
      operationState: { phase: 'Running', message: 'one or more synchronization tasks completed unsuccessfully', syncResult: { resources: [
        { group: 'autoscaling', kind: 'HorizontalPodAutoscaler', namespace: 'generator-platform', name: 'web', status: 'Synced', hookPhase: 'Failed', message: 'the HPA controller was unable to get the target\'s current scale' },
        { group: 'batch', kind: 'Job', namespace: 'generator-platform', name: 'redis-bootstrap', status: 'Synced', hookType: 'PostSync', hookPhase: 'Error', message: 'Job has reached the specified backoff limit' },
        { group: '', kind: 'Service', namespace: 'generator-platform', name: 'web', status: 'Synced', hookPhase: 'Succeeded' },
      ] } },
    }));
    expect(line).toBe(
      'generator-platform-production [wave 1]: never compared/no health; operation Running: one or more synchronization tasks completed unsuccessfully; ' +
        "HorizontalPodAutoscaler generator-platform/web sync Failed: the HPA controller was unable to get the target's current scale; " +
        'Job generator-platform/redis-bootstrap PostSync Error: Job has reached the specified backoff limit',
    );
  });

  test('lists at most the given number of objects, then how many more', () => {
    const many = app('kyverno', -2, { sync: { status: 'OutOfSync' }, health: { status: 'Missing' }, resources: ['a', 'b', 'c', 'd'].map((name) => ({ kind: 'ConfigMap', namespace: 'kyverno', name, status: 'OutOfSync', health: { status: 'Missing' } })) });
    expect(whyNotDone(many, 2)).toBe('kyverno [wave -2]: OutOfSync/Missing; ConfigMap kyverno/a OutOfSync/Missing; ConfigMap kyverno/b OutOfSync/Missing; and 2 more objects');
  });

  test('project refusals are the messages that say "not permitted", once each', () => {
    const refused = app('preview-43', undefined, { conditions: [{ type: 'SyncError', message: 'resource rbac.authorization.k8s.io:ClusterRole is not permitted in project generator-platform-previews' }], operationState: { phase: 'Failed', message: 'resource rbac.authorization.k8s.io:ClusterRole is not permitted in project generator-platform-previews' } });
    expect(projectRefusals(refused)).toEqual(['preview-43: resource rbac.authorization.k8s.io:ClusterRole is not permitted in project generator-platform-previews']);
    expect(projectRefusals(app('a', 0, done))).toEqual([]);
  });

  test('records when each Application was first seen, Synced and done; a wave created after the one before is done is in order', async () => {
    const timeline = new ApplicationTimeline(listingClient([
      [app('cert-manager', -3, syncing)],
      [app('cert-manager', -3, done)],
      [app('cert-manager', -3, done), app('keda', -2, syncing)],
      [app('cert-manager', -3, done), app('keda', -2, done)],
    ]));
    for (let poll = 0; poll < 4; poll++) {
      await timeline.poll();
    }
    expect(timeline.waveOrderViolations).toEqual([]);
    expect([...timeline.records.values()].map((record) => [record.name, record.wave, record.firstSyncedMs !== undefined, record.doneMs !== undefined])).toEqual([['cert-manager', -3, true, true], ['keda', -2, true, true]]);
    expect(timeline.table()).toHaveLength(2);
  });

  test('fails the order when an Application appears while one of an earlier wave is not done, naming both', async () => {
    const timeline = new ApplicationTimeline(listingClient([[app('cert-manager', -3, syncing)], [app('cert-manager', -3, syncing), app('keda', -2, syncing)]]));
    await timeline.poll();
    await timeline.poll();
    expect(timeline.waveOrderViolations).toEqual(['keda (wave -2) was created while cert-manager [wave -3]: OutOfSync/Missing; operation Running: waiting for healthy state of apps/Deployment/cert-manager']);
  });

  test('until() fails after its deadline listing why each Application is not done', async () => {
    const timeline = new ApplicationTimeline(listingClient([[app('keda', -2, syncing)]]));
    await expect(timeline.until('every Application to be done', (applications) => applications.every(isDone), 0, 1)).rejects.toThrow(
      'every Application to be done: not within 0 s. Not done:\n  keda [wave -2]: OutOfSync/Missing; operation Running: waiting for healthy state of apps/Deployment/cert-manager',
    );
  });
});

describe('the wave order of an Application\'s objects (tools/argocd/object-wave-order.ts)', () => {
  const object = (name: string, wave?: number, hook?: string): KubeObject => ({
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'generator-platform', annotations: { ...(wave === undefined ? {} : { 'argocd.argoproj.io/sync-wave': String(wave) }), ...(hook ? { 'argocd.argoproj.io/hook': hook } : {}) } },
  });
  const clientWith = (created: Record<string, string | undefined>) => ({
    pathOf: (candidate: KubeObject) => candidate.metadata.name,
    request: async (_method: string, name: string) => (created[name] ? { status: 200, body: { metadata: { creationTimestamp: created[name] } } } : { status: 404, body: {} }),
  }) as unknown as KubeClient;

  test('objects created wave after wave (equal seconds allowed) are in order; hooks and their missing objects are left out', async () => {
    const order = await objectWaveOrder(clientWith({ quota: '2026-12-05T10:00:01Z', secret: '2026-12-05T10:00:04Z', api: '2026-12-05T10:00:04Z' }), [object('quota', -1), object('secret'), object('api', 2), object('bootstrap', undefined, 'PostSync')]);
    expect(order).toEqual({
      waves: [
        { wave: -1, objects: 1, firstCreated: '2026-12-05T10:00:01Z', lastCreated: '2026-12-05T10:00:01Z' },
        { wave: 0, objects: 1, firstCreated: '2026-12-05T10:00:04Z', lastCreated: '2026-12-05T10:00:04Z' },
        { wave: 2, objects: 1, firstCreated: '2026-12-05T10:00:04Z', lastCreated: '2026-12-05T10:00:04Z' },
      ],
      violations: [],
      missing: [],
    });
  });

  test('fails an object of a later wave created before one of an earlier wave, and a rendered object the cluster lacks', async () => {
    const order = await objectWaveOrder(clientWith({ quota: '2026-12-05T10:00:09Z', api: '2026-12-05T10:00:04Z' }), [object('quota', -1), object('api', 2), object('gone', 0)]);
    expect(order.violations).toEqual(['ConfigMap generator-platform/api (wave 2) was created at 2026-12-05T10:00:04Z, before ConfigMap generator-platform/quota (wave -1) at 2026-12-05T10:00:09Z']);
    expect(order.missing).toEqual(['ConfigMap generator-platform/gone']);
  });
});

describe("the application controller's sync counter (argocd_app_sync_total)", () => {
  test('counts per Application and phase from the Prometheus exposition; other series are ignored', () => {
    const exposition = [
      '# HELP argocd_app_sync_total Number of application syncs.',
      '# TYPE argocd_app_sync_total counter',
      'argocd_app_sync_total{dest_server="https://kubernetes.default.svc",name="keda",namespace="argocd",phase="Succeeded",project="platform-addons"} 2',
      'argocd_app_sync_total{dest_server="https://kubernetes.default.svc",name="keda",namespace="argocd",phase="Failed",project="platform-addons"} 1',
      'argocd_app_reconcile_count{dest_server="https://kubernetes.default.svc",namespace="argocd"} 40',
    ].join('\n');
    expect(syncCountsOf(exposition)).toEqual({ 'keda Succeeded': 2, 'keda Failed': 1 });
  });
});

describe('fields Git has and the cluster does not (tools/argocd/dropped-fields.ts)', () => {
  const rendered: KubeObject = {
    apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster',
    metadata: { name: 'postgres', namespace: 'generator-platform', labels: { 'app.kubernetes.io/name': 'postgres' } },
    spec: { instances: 3, topologySpreadConstraints: [{ maxSkew: 1, nodeTaintsPolicy: 'Honor' }], empty: {} },
  };
  const clientWith = (live: object | undefined) => ({
    pathOf: () => '/object',
    request: async () => (live ? { status: 200, body: live } : { status: 404, body: {} }),
  }) as unknown as KubeClient;

  test('names each leaf of the manifest the live object lacks, with label keys quoted', async () => {
    const live = { ...rendered, metadata: { ...rendered.metadata, labels: {} }, spec: { instances: 3, topologySpreadConstraints: [{ maxSkew: 1 }] } };
    expect(await droppedFields(clientWith(live), [rendered])).toEqual([
      'Cluster generator-platform/postgres: metadata.labels["app.kubernetes.io/name"]',
      'Cluster generator-platform/postgres: spec.topologySpreadConstraints[0].nodeTaintsPolicy',
    ]);
  });

  test('a live object with everything (values normalized, defaults added) drops nothing; a missing object is named', async () => {
    const live = { ...rendered, spec: { ...(rendered.spec as object), instances: '3', primaryUpdateStrategy: 'unsupervised' }, status: { phase: 'healthy' } };
    expect(await droppedFields(clientWith(live), [rendered])).toEqual([]);
    expect(await droppedFields(clientWith(undefined), [rendered])).toEqual(['Cluster generator-platform/postgres: not in the cluster']);
  });
});
