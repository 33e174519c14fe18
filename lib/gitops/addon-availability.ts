import { k8s } from 'cdk8s-plus-27';
import { Replicas } from '../platform/replicas';

/** How many copies of the add-ons' controllers one cluster runs, and over what they spread. */
export interface ClusterAddonSizing {
  /** The cluster, as error messages name it. */
  readonly clusterName: string;
  /** Zones the cluster's nodes are in (its environments' `zones`): from two on, every redundant controller spreads over them. */
  readonly zones: readonly string[];
  /**
   * Replicas of each add-on controller and webhook that elects a leader or keeps no state. 1 is
   * the charts' default (no budget, no spread); from 2 on each runs with a PodDisruptionBudget
   * that lets one pod go at a time and a spread over hosts (and zones).
   */
  readonly controllerReplicas: number;
  /** ingress-nginx's controller: a fixed count, or the bounds of its HorizontalPodAutoscaler. */
  readonly ingressReplicas: Replicas;
}

/** The well-known node labels of a node's zone and of the node itself. */
export const ZONE = 'topology.kubernetes.io/zone';
export const HOSTNAME = 'kubernetes.io/hostname';

/** The most copies of a standby controller worth running: only the leader works. */
const MAX_CONTROLLER_REPLICAS = 5;

/** Checks a cluster's add-on sizing and returns it: a cluster over several zones must survive the loss of one. */
export function checkedAddonSizing(sizing: ClusterAddonSizing): ClusterAddonSizing {
  const fail = (field: string, value: string, problem: string, fix: string): never => {
    throw new Error(`cluster ${sizing.clusterName}: ${field} = ${value}; ${problem}. Fix: ${fix} in ADDON_SIZING (lib/config/addon-sizing.ts)`);
  };
  const { controllerReplicas, ingressReplicas, zones } = sizing;
  if (!Number.isInteger(controllerReplicas) || controllerReplicas < 1 || controllerReplicas > MAX_CONTROLLER_REPLICAS) {
    fail('controllerReplicas', String(controllerReplicas), `must be a whole number from 1 to ${MAX_CONTROLLER_REPLICAS} (only the leader works; more are idle standbys)`, 'set 1, or 2 for a cluster over several zones');
  }
  if (zones.length > 1 && controllerReplicas < 2) {
    fail('controllerReplicas', String(controllerReplicas), `a cluster over ${zones.length} zones needs a second copy of every operator and webhook, or losing one node stops admission and reconciliation until the pod is rescheduled`, 'set 2');
  }
  if (!Number.isInteger(ingressReplicas.min) || ingressReplicas.min < 1 || ingressReplicas.max < ingressReplicas.min) {
    fail('ingressReplicas', ingressReplicas.toString(), 'needs a whole minimum of at least 1 and a maximum not below it', 'give Replicas.fixed(1) or Replicas.autoscaled({ min: 3, max: 9 })');
  }
  if (zones.length > 1 && ingressReplicas.min < zones.length) {
    fail('ingressReplicas', ingressReplicas.toString(), `a cluster over ${zones.length} zones needs an ingress-nginx pod in each, or one node loss takes every site offline`, `raise the minimum to ${Math.max(zones.length, 3)}`);
  }
  return sizing;
}

/** Whether the cluster runs redundant add-on controllers (with budgets and spread). */
export function isHighlyAvailable(sizing: ClusterAddonSizing): boolean {
  return sizing.controllerReplicas > 1;
}

/**
 * Kyverno's admission controller: 1, or at least 3. Kyverno documents three as the minimum for a
 * highly available admission controller, and chart 3.1.5 refuses two (templates/validate.yaml:
 * "Kyverno does not support running with 2 replicas").
 */
export function admissionControllerReplicas(sizing: ClusterAddonSizing): number {
  return isHighlyAvailable(sizing) ? Math.max(3, sizing.controllerReplicas) : 1;
}

/**
 * Topology spread of an add-on's pods (`podLabels`: its Deployment's selector): one pod more at
 * most per host, and per zone when the cluster has several; none for a single copy. Strict
 * (`DoNotSchedule`), but only over the nodes the pod may land on (`nodeTaintsPolicy: Honor`): the
 * nodes of a lost zone carry the untolerated `node.kubernetes.io/unreachable:NoSchedule` taint,
 * and counting them (the default, `Ignore`) would leave the replacement Pending for good (issue 15).
 * Each ReplicaSet spreads on its own (`pod-template-hash`) so that an update does not pile new pods
 * where old ones stand. Both fields are beta and on by default in Kubernetes 1.27
 * (NodeInclusionPolicyInPodTopologySpread, MatchLabelKeysInPodTopologySpread).
 */
export function addonSpread(podLabels: Readonly<Record<string, string>>, sizing: ClusterAddonSizing): k8s.TopologySpreadConstraint[] {
  if (!isHighlyAvailable(sizing)) {
    return [];
  }
  const topologyKeys = [...(sizing.zones.length > 1 ? [ZONE] : []), HOSTNAME];
  return topologyKeys.map((topologyKey) => ({
    topologyKey,
    maxSkew: 1,
    whenUnsatisfiable: 'DoNotSchedule',
    nodeTaintsPolicy: 'Honor',
    labelSelector: { matchLabels: { ...podLabels } },
    matchLabelKeys: ['pod-template-hash'],
  }));
}
