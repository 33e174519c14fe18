import { k8s } from 'cdk8s-plus-27';
import { NODE_TAINTS_POLICY } from './zone-spread';

/**
 * Topology spread constraints that keep a workload's pods apart, one skew across zones and one
 * across machines, for the pods labelled `podLabels`. Strict (`DoNotSchedule`) where the cluster has
 * the room, else best effort. Each ReplicaSet spreads on its own (`revisionLabel`: Kubernetes'
 * `pod-template-hash`, or Argo Rollouts' `rollouts-pod-template-hash`), so a rollout does not pile
 * new pods where old ones stood. Structurally the same as CloudNativePG's, so it fits a Pooler too.
 */
export function zoneAndHostSpread(podLabels: Readonly<Record<string, string>>, strict: boolean, revisionLabel: string = 'pod-template-hash'): k8s.TopologySpreadConstraint[] {
  return ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
    topologyKey,
    maxSkew: 1,
    whenUnsatisfiable: strict ? 'DoNotSchedule' : 'ScheduleAnyway',
    labelSelector: { matchLabels: { ...podLabels } },
    matchLabelKeys: [revisionLabel],
    nodeTaintsPolicy: NODE_TAINTS_POLICY,
  }));
}
