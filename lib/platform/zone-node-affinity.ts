import { k8s } from 'cdk8s-plus-27';

/** The node label that names a node's availability zone. */
const ZONE_LABEL = 'topology.kubernetes.io/zone';

/**
 * A node affinity that schedules pods only on nodes in `zones`, so that a zone the environment
 * does not list (and whose failure it has not planned for) never runs them. Structurally the same
 * as the node affinity of the CloudNativePG and RabbitMQ resources, so it fits those as well.
 *
 * With no zones it returns `undefined` (no restriction): the API server rejects an `In` with no values.
 */
export function zoneNodeAffinity(zones: readonly string[]): k8s.NodeAffinity | undefined {
  if (zones.length === 0) {
    return undefined;
  }
  return {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE_LABEL, operator: 'In', values: [...zones] }] }],
    },
  };
}
