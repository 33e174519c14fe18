import { k8s } from 'cdk8s-plus-27';

/**
 * Count only nodes whose taints the pod tolerates. With Kubernetes' default (`Ignore`) the nodes
 * of a lost zone, tainted unreachable, still count as a domain with no pods: the skew to it
 * forbids every other zone, and replacement pods stay Pending until the zone is back
 * (test/cluster/production-failure-domains.cluster.test.ts shows both).
 */
export const NODE_TAINTS_POLICY = 'Honor';

/**
 * One topology spread constraint over zones for the pods labelled `podLabels`, strict
 * (`DoNotSchedule`) where the cluster has the room, else best effort. For workloads that keep their
 * pods on separate machines with an anti-affinity instead, and that replace pods in place (a
 * StatefulSet), so no revision label is needed.
 */
export function zoneSpread(podLabels: Readonly<Record<string, string>>, strict: boolean): k8s.TopologySpreadConstraint[] {
  return [
    {
      topologyKey: 'topology.kubernetes.io/zone',
      maxSkew: 1,
      whenUnsatisfiable: strict ? 'DoNotSchedule' : 'ScheduleAnyway',
      labelSelector: { matchLabels: { ...podLabels } },
      nodeTaintsPolicy: NODE_TAINTS_POLICY,
    },
  ];
}
