import { k8s } from 'cdk8s-plus-27';
import { restrictedPodSecurityContext } from '../platform/security-contexts';
import { zoneAndHostSpread } from '../platform/zone-and-host-spread';
import { zoneNodeAffinity } from '../platform/zone-node-affinity';
import { zoneSpread } from '../platform/zone-spread';

/** How a workload keeps its pods on different machines. */
export enum HostSeparation {
  /** A topology spread over zones and over machines. */
  SPREAD = 'spread',
  /** The spread over zones and machines, and a preference for machines that run none of the pods yet. */
  SPREAD_AND_PREFER_APART = 'spread-and-prefer-apart',
  /**
   * A spread over zones, and never two pods on one machine (a required anti-affinity; preferred
   * only where the spread is not strict): for peers of which one machine must not hold two, such
   * as a primary and its replica.
   */
  APART = 'apart',
}

/**
 * The Pod Security Standard `restricted` skeleton of every pod of the platform: its own
 * ServiceAccount without a token, no Service environment variables, non-root with a runtime
 * seccomp profile. `volumes` (and the containers' lists) are kept by reference, so that a
 * construct can still add to them after rendering the spec.
 */
export function restrictedPodSpec(serviceAccountName: string, containers: k8s.Container[], volumes?: k8s.Volume[]): k8s.PodSpec {
  return {
    serviceAccountName,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: restrictedPodSecurityContext(),
    containers,
    volumes,
  };
}

export interface PodPlacementOptions {
  /** Labels that select the workload's pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** Availability zones the pods run in. */
  readonly zones: readonly string[];
  /** Refuse to schedule rather than break the spread (and, with `APART`, put two pods on one machine). */
  readonly strict: boolean;
  readonly hostSeparation: HostSeparation;
  /**
   * The label that tells one ReplicaSet's pods from another's, so each spreads on its own.
   * @default 'pod-template-hash'
   */
  readonly revisionLabel?: string;
}

/** Node affinity to the workload's zones, anti-affinity and topology spread, per `hostSeparation`. */
export function podPlacement(options: PodPlacementOptions): Pick<k8s.PodSpec, 'affinity' | 'topologySpreadConstraints'> {
  const sameMachine: k8s.PodAffinityTerm = { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { ...options.selector } } };
  const preferApart: k8s.PodAntiAffinity = { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: sameMachine }] };
  switch (options.hostSeparation) {
    case HostSeparation.SPREAD:
      return {
        affinity: { nodeAffinity: zoneNodeAffinity(options.zones) },
        topologySpreadConstraints: zoneAndHostSpread(options.selector, options.strict, options.revisionLabel),
      };
    case HostSeparation.SPREAD_AND_PREFER_APART:
      return {
        affinity: { nodeAffinity: zoneNodeAffinity(options.zones), podAntiAffinity: preferApart },
        topologySpreadConstraints: zoneAndHostSpread(options.selector, options.strict, options.revisionLabel),
      };
    case HostSeparation.APART:
      return {
        affinity: {
          nodeAffinity: zoneNodeAffinity(options.zones),
          podAntiAffinity: options.strict ? { requiredDuringSchedulingIgnoredDuringExecution: [sameMachine] } : preferApart,
        },
        topologySpreadConstraints: zoneSpread(options.selector, options.strict),
      };
  }
}
