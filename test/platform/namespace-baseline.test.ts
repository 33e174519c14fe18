import { NamespaceBaseline, NamespaceBaselineProps } from '../../lib/platform/namespace-baseline';
import { emptyChart, find, kinds, objectsOf } from '../support/kube';

const workload = {
  footprint: {
    maxPods: 5,
    podCpuMillis: 1000,
    podMemoryMi: 2048,
    podEphemeralStorageGi: 4,
    podClaimStorageGi: 10,
    podClaimCount: 1,
    largestContainerCpuMillis: 1000,
    largestContainerMemoryMi: 2048,
    largestClaimGi: 10,
  },
};

describe('NamespaceBaseline', () => {
  test('with minimal props: a restricted namespace, default deny both ways, DNS egress and a quota with 20% headroom', () => {
    const chart = emptyChart();
    const baseline = new NamespaceBaseline(chart, 'namespace', { namespaceName: 'team-a' });
    baseline.addWorkload(workload);
    const objects = objectsOf(chart);

    expect(find(objects, 'Namespace', 'team-a').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(find(objects, 'NetworkPolicy', 'default-deny-all').spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(find(objects, 'NetworkPolicy', 'allow-dns-egress').spec.egress[0].to[0]).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    });
    const hard = find(objects, 'ResourceQuota', 'workload-quota').spec.hard;
    // 5 pods x 1 CPU x 1.2 = 6 CPU; 5 x 2Gi x 1.2 = 12Gi; 5 x 4Gi x 1.2 = 24Gi; 5 x 10Gi x 1.2 = 60Gi
    expect(hard).toMatchObject({
      'pods': 6,
      'requests.cpu': '6',
      'limits.cpu': '6',
      'requests.memory': '12Gi',
      'requests.ephemeral-storage': '24Gi',
      'requests.storage': '60Gi',
      'persistentvolumeclaims': 6,
    });
    const limits = find(objects, 'LimitRange', 'container-limits').spec.limits;
    expect(limits[0].max).toEqual({ cpu: '1', memory: '2Gi' });
    expect(limits[1]).toEqual({ type: 'PersistentVolumeClaim', max: { storage: '10Gi' } });
  });

  test('with all props: headroom and the DNS pods are taken from the props', () => {
    const props: Required<NamespaceBaselineProps> = {
      namespaceName: 'team-b',
      quotaHeadroomPercent: 0,
      dnsNamespace: 'dns',
      dnsPodLabels: { 'app.kubernetes.io/name': 'coredns' },
    };
    const chart = emptyChart();
    new NamespaceBaseline(chart, 'namespace', props).addWorkload(workload);
    const objects = objectsOf(chart);
    expect(find(objects, 'ResourceQuota', 'workload-quota').spec.hard).toMatchObject({ 'pods': 5, 'requests.cpu': '5', 'requests.memory': '10Gi' });
    expect(find(objects, 'NetworkPolicy', 'allow-dns-egress').spec.egress[0].to[0]).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'coredns' } },
    });
    expect(kinds(objects, 'NetworkPolicy')).toHaveLength(2);
  });

  test('the quota grows with every workload added', () => {
    const chart = emptyChart();
    const baseline = new NamespaceBaseline(chart, 'namespace', { namespaceName: 'team-c', quotaHeadroomPercent: 0 });
    baseline.addWorkload(workload);
    baseline.addWorkload(workload);
    expect(find(objectsOf(chart), 'ResourceQuota', 'workload-quota').spec.hard.pods).toBe(10);
  });

  test.each([-1, 101, 12.5])('fails on a quota headroom of %p percent', (headroom) => {
    expect(() => new NamespaceBaseline(emptyChart(), 'namespace', { namespaceName: 'x', quotaHeadroomPercent: headroom })).toThrow(
      `NamespaceBaseline namespace: quotaHeadroomPercent is ${headroom}; use a whole number from 0 to 100`,
    );
  });
});
