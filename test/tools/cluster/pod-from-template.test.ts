import { KubeObject, warningsOf } from '../../../tools/cluster/kube-client';
import { podFromTemplate } from '../../../tools/cluster/pod-from-template';

const SPEC = { containers: [{ name: 'app', image: 'registry.example/app:1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] };

function workload(kind: string, spec: object, apiVersion = 'apps/v1'): KubeObject {
  return { apiVersion, kind, metadata: { name: 'store', namespace: 'ns' }, spec };
}

describe('the Pod a workload controller would create from its template (tools/cluster/pod-from-template.ts)', () => {
  test("a StatefulSet's Pod mounts the claims of its volumeClaimTemplates, as the StatefulSet controller adds them", () => {
    const made = podFromTemplate(workload('StatefulSet', { template: { metadata: { labels: { app: 'store' } }, spec: SPEC }, volumeClaimTemplates: [{ metadata: { name: 'data' } }] }));
    expect(made).toEqual({
      pod: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'store-template-pod', namespace: 'ns', labels: { app: 'store' } },
        spec: { ...SPEC, volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-store-0' } }] },
      },
    });
  });

  test("a CronJob's Pod comes from its job template; a Rollout's from its own template", () => {
    const cronJob = podFromTemplate(workload('CronJob', { jobTemplate: { spec: { template: { spec: { ...SPEC, restartPolicy: 'Never' } } } } }, 'batch/v1'));
    expect(cronJob && 'pod' in cronJob && cronJob.pod.spec).toEqual({ ...SPEC, restartPolicy: 'Never' });
    const rollout = podFromTemplate(workload('Rollout', { template: { spec: SPEC } }, 'argoproj.io/v1alpha1'));
    expect(rollout && 'pod' in rollout && rollout.pod.metadata.name).toBe('store-template-pod');
  });

  test('a template a controller completes first is skipped with the reason, never guessed; a kind without template gives nothing', () => {
    expect(podFromTemplate(workload('Rollout', { workloadRef: { kind: 'Deployment', name: 'web' } }, 'argoproj.io/v1alpha1'))).toEqual({ skipped: "its pod template is Deployment web's, checked there" });
    expect(podFromTemplate(workload('Pooler', { template: { spec: { containers: [{ name: 'pgbouncer' }] } } }, 'postgresql.cnpg.io/v1'))).toEqual({ skipped: 'container(s) pgbouncer leave the image to the operator' });
    expect(podFromTemplate(workload('Service', {}, 'v1'))).toBeUndefined();
  });
});

describe('the API server warnings of a response (tools/cluster/kube-client.ts)', () => {
  test('one message per Warning header, unquoted, other headers ignored', () => {
    expect(warningsOf(['Content-Type', 'application/json', 'Warning', '299 - "would violate PodSecurity \\"restricted:v1.27\\": privileged"', 'warning', '299 - "unknown field \\"spec.x\\""'])).toEqual([
      'would violate PodSecurity "restricted:v1.27": privileged',
      'unknown field "spec.x"',
    ]);
  });
});
