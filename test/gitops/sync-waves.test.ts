import { ENVIRONMENTS } from '../../lib/config/environments';
import { SYNC_WAVE_ANNOTATION, SyncWave, applySyncWaves } from '../../lib/gitops/sync-waves';
import { objectsOf } from '../support/kube';
import { environmentChart } from './fixtures';

describe('applySyncWaves', () => {
  const chart = environmentChart(ENVIRONMENTS.production);
  applySyncWaves(chart);
  const objects = objectsOf(chart);
  const waveOf = (kind: string, name?: string) => {
    const object = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
    if (!object) {
      throw new Error(`no ${kind} ${name ?? ''}`);
    }
    return Number(object.metadata.annotations?.[SYNC_WAVE_ANNOTATION]);
  };
  const workloadKind = (name: string) => objects.find((o) => (o.kind === 'Deployment' || o.kind === 'Rollout') && o.metadata.name === name)!.kind;

  test('gives every object a wave, except Argo CD hooks', () => {
    const withoutWave = objects.filter((o) => o.metadata.annotations?.[SYNC_WAVE_ANNOTATION] === undefined);
    expect(withoutWave.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
      objects.filter((o) => o.metadata.annotations?.['argocd.argoproj.io/hook'] !== undefined).map((o) => `${o.kind}/${o.metadata.name}`),
    );
  });

  test('applies the namespace baseline first, then secrets, then stores, then the applications', () => {
    const baseline = [waveOf('Namespace'), waveOf('ResourceQuota'), waveOf('LimitRange'), waveOf('ServiceAccount', 'api'), waveOf('NetworkPolicy')];
    const secrets = objects.filter((o) => o.kind === 'ExternalSecret').map((o) => Number(o.metadata.annotations[SYNC_WAVE_ANNOTATION]));
    const stores = [waveOf('Cluster'), waveOf('Pooler'), waveOf('StatefulSet', 'redis-eu-west-1a'), waveOf('RabbitmqCluster'), waveOf('Queue'), waveOf('User')];
    const applications = ['web', 'api', 'generator'].map((name) => waveOf(workloadKind(name), name)).concat(waveOf('HorizontalPodAutoscaler'), waveOf('ScaledObject'), waveOf('Ingress'));
    expect(new Set(baseline)).toEqual(new Set([SyncWave.NAMESPACE_BASELINE]));
    expect(secrets.length).toBeGreaterThan(0);
    expect(new Set(secrets)).toEqual(new Set([SyncWave.SECRETS]));
    expect(new Set(stores)).toEqual(new Set([SyncWave.STORES]));
    expect(new Set(applications)).toEqual(new Set([SyncWave.APPLICATIONS]));
    expect(SyncWave.NAMESPACE_BASELINE).toBeLessThan(SyncWave.SECRETS);
    expect(SyncWave.SECRETS).toBeLessThan(SyncWave.STORES);
    expect(SyncWave.STORES).toBeLessThan(SyncWave.APPLICATIONS);
  });

  test('keeps the Redis bootstrap Job a PostSync hook without a wave', () => {
    const job = objects.find((o) => o.kind === 'Job')!;
    expect(job.metadata.annotations['argocd.argoproj.io/hook']).toBe('PostSync');
    expect(job.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBeUndefined();
  });

  test('leaves a Service of a store with the store, and a Service of an application with the application', () => {
    expect(waveOf('Service', 'redis')).toBe(SyncWave.STORES);
    expect(waveOf('Service', 'api')).toBe(SyncWave.APPLICATIONS);
  });
});
