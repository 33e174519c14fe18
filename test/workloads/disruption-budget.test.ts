import { DisruptionBudget, DisruptionBudgetProps, UnhealthyPodEviction } from '../../lib/workloads/disruption-budget';
import { PropError } from '../../lib/platform/prop-error';
import { emptyChart, find, objectsOf } from '../support/kube';

const minimal: DisruptionBudgetProps = {
  name: 'web',
  namespace: 'apps',
  labels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/component': 'frontend' },
  selector: { 'app.kubernetes.io/name': 'web' },
};

describe('DisruptionBudget', () => {
  test('with minimal props: a drain takes one pod at a time, and a pod that never became ready may go', () => {
    const chart = emptyChart();
    new DisruptionBudget(chart, 'PodDisruptionBudget', minimal);
    const budget = find(objectsOf(chart), 'PodDisruptionBudget', 'web');
    expect(budget.metadata).toEqual({ name: 'web', namespace: 'apps', labels: minimal.labels });
    expect(budget.spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  test('with all props: a larger budget, and not-ready pods evicted only while the budget holds', () => {
    const chart = emptyChart();
    const props: Required<DisruptionBudgetProps> = { ...minimal, maxUnavailable: 2, unhealthyPodEviction: UnhealthyPodEviction.IF_HEALTHY_BUDGET };
    new DisruptionBudget(chart, 'PodDisruptionBudget', props);
    expect(find(objectsOf(chart), 'PodDisruptionBudget', 'web').spec).toMatchObject({ maxUnavailable: 2, unhealthyPodEvictionPolicy: 'IfHealthyBudget' });
  });

  test.each([0, -1, 1.5])('fails on maxUnavailable %p: a budget must let drains take at least one pod', (maxUnavailable) => {
    const build = () => new DisruptionBudget(emptyChart(), 'PodDisruptionBudget', { ...minimal, maxUnavailable });
    expect(build).toThrow(`web: maxUnavailable is ${maxUnavailable}; use a whole number of pods, at least 1`);
    expect(build).toThrow(PropError);
  });
});
