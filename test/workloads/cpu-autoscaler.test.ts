import { PropError } from '../../lib/platform/prop-error';
import { Replicas } from '../../lib/platform/replicas';
import { CpuAutoscaler, CpuAutoscalerProps } from '../../lib/workloads/cpu-autoscaler';
import { emptyChart, find, objectsOf } from '../support/kube';

const minimal: CpuAutoscalerProps = {
  namespace: 'apps',
  labels: { 'app.kubernetes.io/name': 'api' },
  target: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
  replicas: Replicas.autoscaled({ min: 2, max: 6 }),
};

describe('CpuAutoscaler', () => {
  test('with minimal props: scales the target between its bounds at 70% CPU, up at once and down slowly', () => {
    const chart = emptyChart();
    new CpuAutoscaler(chart, 'HorizontalPodAutoscaler', minimal);
    const autoscaler = find(objectsOf(chart), 'HorizontalPodAutoscaler', 'api');
    expect(autoscaler.metadata).toEqual({ name: 'api', namespace: 'apps', labels: { 'app.kubernetes.io/name': 'api' } });
    expect(autoscaler.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
    expect(autoscaler.spec.behavior.scaleUp).toEqual({
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 30 }, { type: 'Pods', value: 4, periodSeconds: 30 }],
    });
    expect(autoscaler.spec.behavior.scaleDown).toEqual({ stabilizationWindowSeconds: 300, selectPolicy: 'Min', policies: [{ type: 'Percent', value: 25, periodSeconds: 60 }] });
  });

  test('with all props: a Rollout as the target and its own CPU target', () => {
    const chart = emptyChart();
    const props: Required<CpuAutoscalerProps> = {
      ...minimal,
      target: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'api' },
      targetCpuUtilizationPercent: 60,
    };
    new CpuAutoscaler(chart, 'HorizontalPodAutoscaler', props);
    const spec = find(objectsOf(chart), 'HorizontalPodAutoscaler', 'api').spec;
    expect(spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'api' });
    expect(spec.metrics[0].resource.target.averageUtilization).toBe(60);
  });

  test('fails on a fixed replica count: there is nothing to scale', () => {
    const build = () => new CpuAutoscaler(emptyChart(), 'HorizontalPodAutoscaler', { ...minimal, replicas: Replicas.fixed(2) });
    expect(build).toThrow('api: replicas is "Replicas.fixed(2)"; give it Replicas.autoscaled(...) to scale it with a HorizontalPodAutoscaler');
    expect(build).toThrow(PropError);
  });

  test.each([5, 96, 70.5])('fails on targetCpuUtilizationPercent %p', (targetCpuUtilizationPercent) => {
    expect(() => new CpuAutoscaler(emptyChart(), 'HorizontalPodAutoscaler', { ...minimal, targetCpuUtilizationPercent }))
      .toThrow(`api: targetCpuUtilizationPercent is ${targetCpuUtilizationPercent}; use a whole percentage from 10 to 95`);
  });
});
