import { AlertDefinition, counterValues, flat, Severity } from './rule-types';

/** Alerts on the capacity of containers, volumes and autoscalers, in the platform's namespace. */
export function saturationAlerts(namespace: string): AlertDefinition[] {
  const ns = `namespace="${namespace}"`;
  const container = `${ns},pod="api-0",container="api"`;
  const throttling = (share: number) => [
    { series: `container_cpu_cfs_periods_total{${container}}`, values: counterValues([{ perStep: 600, steps: 40 }]) },
    { series: `container_cpu_cfs_throttled_periods_total{${container}}`, values: counterValues([{ perStep: 600 * share, steps: 40 }]) },
  ];
  const memory = (usedBytes: number) => [
    { series: `container_memory_working_set_bytes{${container}}`, values: flat(usedBytes, 30) },
    { series: `kube_pod_container_resource_limits{${container},resource="memory",unit="byte"}`, values: flat(1000000000, 30) },
  ];
  const volume = (availableBytes: number) => [
    { series: `kubelet_volume_stats_available_bytes{${ns},persistentvolumeclaim="data-redis-0"}`, values: flat(availableBytes, 20) },
    { series: `kubelet_volume_stats_capacity_bytes{${ns},persistentvolumeclaim="data-redis-0"}`, values: flat(1000000000, 20) },
  ];
  const hpa = (current: number) => [
    { series: `kube_horizontalpodautoscaler_status_current_replicas{${ns},horizontalpodautoscaler="api"}`, values: flat(current, 30) },
    { series: `kube_horizontalpodautoscaler_spec_max_replicas{${ns},horizontalpodautoscaler="api"}`, values: flat(12, 30) },
  ];
  const containerLabels = { namespace, pod: 'api-0', container: 'api' };
  return [
    {
      name: 'ContainerCpuThrottled',
      expr:
        `sum by (namespace, pod, container) (rate(container_cpu_cfs_throttled_periods_total{${ns},container!=""}[5m]))\n/\n` +
        `sum by (namespace, pod, container) (rate(container_cpu_cfs_periods_total{${ns},container!=""}[5m]))\n> 0.25`,
      for: '15m',
      severity: Severity.TICKET,
      summary: 'A container is CPU-throttled in more than 25% of its scheduling periods.',
      runbook: 'container-cpu-throttled',
      threshold: 'throttled / total CFS periods > 25% over 5m',
      tests: {
        firing: [{ series: throttling(0.26), evalTime: '30m', alertLabels: containerLabels }],
        quiet: [{ series: throttling(0.24), evalTime: '30m' }],
      },
    },
    {
      name: 'ContainerMemoryNearLimit',
      expr:
        `max by (namespace, pod, container) (container_memory_working_set_bytes{${ns},container!=""})\n/\n` +
        `max by (namespace, pod, container) (kube_pod_container_resource_limits{${ns},resource="memory"})\n> 0.9`,
      for: '15m',
      severity: Severity.TICKET,
      summary: 'A container uses more than 90% of its memory limit and risks being OOM-killed.',
      runbook: 'container-memory-near-limit',
      threshold: 'working set / memory limit > 90%',
      tests: {
        firing: [{ series: memory(910000000), evalTime: '20m', alertLabels: containerLabels }],
        quiet: [{ series: memory(890000000), evalTime: '20m' }],
      },
    },
    {
      name: 'PersistentVolumeFillingUp',
      expr: `kubelet_volume_stats_available_bytes{${ns}}\n/\nkubelet_volume_stats_capacity_bytes{${ns}}\n< 0.1`,
      for: '5m',
      severity: Severity.PAGE,
      summary: 'A persistent volume has less than 10% of its space left.',
      runbook: 'persistent-volume-filling-up',
      threshold: 'available / capacity < 10%',
      tests: {
        firing: [{ series: volume(90000000), evalTime: '10m', alertLabels: { namespace, persistentvolumeclaim: 'data-redis-0' } }],
        quiet: [{ series: volume(110000000), evalTime: '10m' }],
      },
    },
    {
      name: 'AutoscalerAtMaximum',
      expr: `kube_horizontalpodautoscaler_status_current_replicas{${ns}}\n>=\nkube_horizontalpodautoscaler_spec_max_replicas{${ns}}`,
      for: '15m',
      severity: Severity.TICKET,
      summary: 'An autoscaler has run at its maximum replicas for 15 minutes: it cannot add capacity.',
      runbook: 'autoscaler-at-maximum',
      threshold: 'current replicas >= max replicas',
      tests: {
        firing: [{ series: hpa(12), evalTime: '20m', alertLabels: { namespace, horizontalpodautoscaler: 'api' } }],
        quiet: [{ series: hpa(11), evalTime: '20m' }],
      },
    },
  ];
}
