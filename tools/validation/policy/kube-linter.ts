import { parseImage } from '../container-image';
import { numberOf, record, records, text } from '../json-access';
import { labelSelectorMatches } from '../label-selector';
import { ContainerEntry, containersOf, PodTemplate, podSpecPath, podTemplatesOf } from '../pod-templates';
import { Rule, RuleViolation } from '../rule';
import { maximumReplicas, minimumReplicas } from '../workload-scaling';
import { kindRule, podRule } from '../rule-builders';

/**
 * kube-linter default checks not already covered by a PSS-RESTRICTED rule:
 * https://docs.kubelinter.io/#/generated/checks
 */

const HOSTNAME_TOPOLOGY = 'kubernetes.io/hostname';
const SELECTOR_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Rollout'];
const REPLICATED_KINDS = ['Deployment', 'StatefulSet', 'Rollout'];
const IANA_SERVICE_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Init and app containers: ephemeral containers have no resources, ports, probes or root fs setting. */
function runtimeContainers(pod: PodTemplate): ContainerEntry[] {
  return containersOf(pod, ['initContainers', 'containers']);
}

export function isIanaServiceName(name: string): boolean {
  return name.length <= 15 && IANA_SERVICE_NAME.test(name) && !name.includes('--');
}

function spreadsOverHostnames(pod: PodTemplate): boolean {
  const antiAffinity = record(record(pod.spec.affinity).podAntiAffinity);
  const terms = [
    ...records(antiAffinity.requiredDuringSchedulingIgnoredDuringExecution),
    ...records(antiAffinity.preferredDuringSchedulingIgnoredDuringExecution).map((weighted) => record(weighted.podAffinityTerm)),
    ...records(pod.spec.topologySpreadConstraints),
  ];
  return terms.some((term) => term.topologyKey === HOSTNAME_TOPOLOGY && labelSelectorMatches(term.labelSelector, pod.labels));
}

function probePortViolations(entry: ContainerEntry): RuleViolation[] {
  const ports = records(entry.container.ports);
  const names = new Set(ports.map((port) => port.name));
  const numbers = new Set(ports.map((port) => port.containerPort));
  return (['livenessProbe', 'readinessProbe', 'startupProbe'] as const).flatMap((probeName) => {
    const probe = record(entry.container[probeName]);
    const handler = (['httpGet', 'tcpSocket', 'grpc'] as const).find((key) => probe[key] !== undefined);
    if (!handler) {
      return [];
    }
    const port = record(probe[handler]).port;
    const exposed = typeof port === 'string' ? names.has(port) : numbers.has(port);
    return exposed ? [] : [{ path: [...entry.path, probeName, handler, 'port'], message: `container "${entry.name}" ${probeName} uses port ${JSON.stringify(port)}, which the container does not declare` }];
  });
}

export const KUBE_LINTER_RULES: readonly Rule[] = [
  podRule(
    {
      id: 'KUBE-LINTER-NO-READ-ONLY-ROOT-FS',
      requirement: 'every container sets readOnlyRootFilesystem: true',
      fix: 'Set securityContext.readOnlyRootFilesystem to true; mount an emptyDir where the process must write.',
    },
    (pod) =>
      runtimeContainers(pod)
        .filter((entry) => record(entry.container.securityContext).readOnlyRootFilesystem !== true)
        .map((entry) => ({ path: [...entry.path, 'securityContext', 'readOnlyRootFilesystem'], message: `container "${entry.name}" has a writable root filesystem` })),
  ),
  podRule(
    {
      id: 'KUBE-LINTER-LATEST-TAG',
      requirement: 'every image names an explicit tag other than latest, or a digest',
      fix: 'Pin the image to a version tag and, outside development, its digest (name:1.2.3@sha256:...).',
    },
    (pod) =>
      containersOf(pod).flatMap((entry) => {
        const image = text(entry.container.image) ?? '';
        const { tag, digest } = parseImage(image);
        return digest || (tag && tag !== 'latest') ? [] : [{ path: [...entry.path, 'image'], message: `container "${entry.name}" image ${JSON.stringify(image)} has no version tag or digest` }];
      }),
  ),
  kindRule(
    {
      id: 'KUBE-LINTER-MISMATCHING-SELECTOR',
      requirement: "a workload's spec.selector selects its own pod template",
      fix: 'Make spec.selector match the labels of spec.template.metadata.labels.',
    },
    SELECTOR_KINDS,
    (object, scope) =>
      scope.resolvedPodTemplates(object).flatMap((pod) =>
        labelSelectorMatches(record(object.body.spec).selector, pod.labels)
          ? []
          : [{ path: ['spec', 'selector'], message: `the selector does not match the pod template labels${pod.borrowedFrom ? ` of ${pod.borrowedFrom} (workloadRef)` : ''}` }],
      ),
  ),
  kindRule(
    {
      id: 'KUBE-LINTER-NO-ANTI-AFFINITY',
      requirement: 'a workload that may run more than one replica spreads them over nodes (hostname anti-affinity or topology spread)',
      fix: 'Add a topologySpreadConstraint (or podAntiAffinity term) with topologyKey kubernetes.io/hostname selecting the pod labels.',
    },
    REPLICATED_KINDS,
    (object, scope) =>
      maximumReplicas(object, scope) > 1
        ? scope.resolvedPodTemplates(object).flatMap((pod) =>
            spreadsOverHostnames(pod)
              ? []
              : [
                  pod.borrowedFrom
                    ? { path: ['spec', 'workloadRef', 'name'], message: `replicas may all be scheduled on one node (pod template of ${pod.borrowedFrom})` }
                    : { path: podSpecPath(pod, 'topologySpreadConstraints'), message: 'replicas may all be scheduled on one node' },
                ],
          )
        : [],
  ),
  podRule(
    {
      id: 'KUBE-LINTER-DEPRECATED-SERVICE-ACCOUNT-FIELD',
      requirement: 'the deprecated spec.serviceAccount field is not used',
      fix: 'Replace serviceAccount with serviceAccountName.',
    },
    (pod) => (pod.spec.serviceAccount !== undefined ? [{ path: podSpecPath(pod, 'serviceAccount'), message: 'the pod uses the deprecated serviceAccount field' }] : []),
  ),
  podRule(
    {
      id: 'KUBE-LINTER-DUPLICATE-ENV-VAR',
      requirement: 'no container declares the same environment variable twice',
      fix: 'Remove the duplicate env entry.',
    },
    (pod) =>
      containersOf(pod).flatMap((entry) => {
        const seen = new Set<unknown>();
        return records(entry.container.env).flatMap((variable, index) => {
          const duplicate = seen.has(variable.name);
          seen.add(variable.name);
          return duplicate ? [{ path: [...entry.path, 'env', index], message: `container "${entry.name}" sets ${String(variable.name)} twice` }] : [];
        });
      }),
  ),
  {
    id: 'KUBE-LINTER-INVALID-TARGET-PORTS',
    requirement: 'container port names and named Service targetPorts are IANA service names (lower-case, at most 15 characters)',
    fix: 'Rename the port: lower-case letters, digits and single hyphens, at most 15 characters, e.g. "http".',
    check: (object) => {
      if (object.kind === 'Service') {
        return records(record(object.body.spec).ports).flatMap((port, index) =>
          typeof port.targetPort === 'string' && !isIanaServiceName(port.targetPort) ? [{ path: ['spec', 'ports', index, 'targetPort'], message: `targetPort ${JSON.stringify(port.targetPort)} is not a valid port name` }] : [],
        );
      }
      return podTemplatesOf(object).flatMap((pod) =>
        containersOf(pod).flatMap((entry) =>
          records(entry.container.ports).flatMap((port, index) =>
            typeof port.name === 'string' && !isIanaServiceName(port.name) ? [{ path: [...entry.path, 'ports', index, 'name'], message: `port name ${JSON.stringify(port.name)} is not a valid port name` }] : [],
          ),
        ),
      );
    },
  },
  podRule(
    {
      id: 'KUBE-LINTER-PROBE-PORT',
      requirement: 'liveness, readiness and startup probes use a port the container declares',
      fix: "Point the probe at one of the container's ports (by name or number), or declare the port.",
    },
    (pod) => runtimeContainers(pod).flatMap(probePortViolations),
  ),
  podRule(
    {
      id: 'KUBE-LINTER-SSH-PORT',
      requirement: 'no container exposes TCP port 22',
      fix: 'Do not run SSH in a workload; use kubectl exec/debug for access.',
    },
    (pod) =>
      containersOf(pod).flatMap((entry) =>
        records(entry.container.ports).flatMap((port, index) =>
          port.containerPort === 22 && (port.protocol ?? 'TCP') === 'TCP' ? [{ path: [...entry.path, 'ports', index], message: `container "${entry.name}" exposes port 22` }] : [],
        ),
      ),
  ),
  kindRule(
    {
      id: 'KUBE-LINTER-PDB-MAX-UNAVAILABLE',
      requirement: 'a PodDisruptionBudget does not set maxUnavailable to 0',
      fix: 'Set maxUnavailable to 1 or more (or use minAvailable below the replica count).',
    },
    ['PodDisruptionBudget'],
    (object) => {
      const value = record(object.body.spec).maxUnavailable;
      return value === 0 || value === '0%' ? [{ path: ['spec', 'maxUnavailable'], message: 'maxUnavailable 0 blocks every voluntary disruption (node drains hang)' }] : [];
    },
  ),
  kindRule(
    {
      id: 'KUBE-LINTER-PDB-MIN-AVAILABLE',
      requirement: "a PodDisruptionBudget's minAvailable is below the minimum replica count of the workloads it selects",
      fix: 'Lower minAvailable below the minimum replicas (spec.replicas or the autoscaler minimum), or raise that minimum.',
    },
    ['PodDisruptionBudget'],
    (object, scope) => {
      const spec = record(object.body.spec);
      if (spec.minAvailable === undefined) {
        return [];
      }
      return scope
        .podOwners(object.namespace)
        .filter(({ pod }) => labelSelectorMatches(spec.selector, pod.labels))
        .flatMap(({ object: workload }) => {
          const replicas = minimumReplicas(workload, scope);
          const required = requiredAvailable(spec.minAvailable, replicas);
          return required >= replicas
            ? [{ path: ['spec', 'minAvailable'], message: `minAvailable ${JSON.stringify(spec.minAvailable)} allows no disruption of ${workload.kind} ${workload.name} (minimum ${replicas} replicas)` }]
            : [];
        });
    },
  ),
  kindRule(
    {
      id: 'KUBE-LINTER-PDB-UNHEALTHY-POD-EVICTION-POLICY',
      requirement: 'a PodDisruptionBudget sets unhealthyPodEvictionPolicy explicitly',
      fix: 'Set spec.unhealthyPodEvictionPolicy to AlwaysAllow, so crash-looping pods do not block node drains.',
    },
    ['PodDisruptionBudget'],
    (object) => (record(object.body.spec).unhealthyPodEvictionPolicy === undefined ? [{ path: ['spec', 'unhealthyPodEvictionPolicy'], message: 'unhealthyPodEvictionPolicy is not set' }] : []),
  ),
];

function requiredAvailable(minAvailable: unknown, replicas: number): number {
  if (typeof minAvailable === 'string' && minAvailable.endsWith('%')) {
    return Math.ceil((Number(minAvailable.slice(0, -1)) * replicas) / 100);
  }
  return numberOf(minAvailable) ?? 0;
}
