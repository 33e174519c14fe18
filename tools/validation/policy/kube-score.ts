import { parseImage } from '../container-image';
import { EnvironmentScope } from '../environment-scope';
import { list, numberOf, record, stringMap, text } from '../json-access';
import { labelSelectorMatches, mapSelectorMatches } from '../label-selector';
import { apiGroupOf, apiVersionOnly, ManifestObject } from '../manifest';
import { containersOf, LONG_RUNNING_KINDS, PodTemplate, podTemplatesOf } from '../pod-templates';
import { Rule, RuleViolation } from '../rule';
import { autoscalersOf } from '../workload-scaling';
import { kindRule, podRule } from '../rule-builders';

/**
 * kube-score default checks not already covered by a PSS-RESTRICTED, KUBE-LINTER or POLARIS rule:
 * https://github.com/zegl/kube-score/blob/master/README_CHECKS.md
 */

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const HIGH_ID = 10000;

function resourceViolations(pod: PodTemplate, resources: readonly string[]): RuleViolation[] {
  return containersOf(pod, ['initContainers', 'containers']).flatMap((entry) => {
    const declared = record(entry.container.resources);
    return (['requests', 'limits'] as const).flatMap((kind) =>
      resources
        .filter((resource) => record(declared[kind])[resource] === undefined)
        .map((resource) => ({ path: [...entry.path, 'resources', kind, resource], message: `container "${entry.name}" has no ${resource} ${kind === 'requests' ? 'request' : 'limit'}` })),
    );
  });
}

/** Services in the namespace whose selector selects the pod. */
export function servicesSelecting(pod: PodTemplate, namespace: string | undefined, scope: EnvironmentScope): ManifestObject[] {
  return scope.ofKind('Service', namespace).filter((service) => {
    const selector = stringMap(record(service.body.spec).selector);
    return Object.keys(selector).length > 0 && mapSelectorMatches(selector, pod.labels);
  });
}

/** The policy types a NetworkPolicy enforces, with the API server's default when unset. */
function policyTypesOf(policy: ManifestObject): string[] {
  const spec = record(policy.body.spec);
  const declared = list(spec.policyTypes).map(String);
  if (declared.length > 0) {
    return declared;
  }
  return spec.egress === undefined ? ['Ingress'] : ['Ingress', 'Egress'];
}

function isBuiltInGroup(group: string): boolean {
  return !group.includes('.') || group.endsWith('.k8s.io');
}

function labelViolations(labels: unknown, path: (string | number)[]): RuleViolation[] {
  return Object.entries(record(labels))
    .filter(([, value]) => typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value))
    .map(([key, value]) => ({ path: [...path, key], message: `label ${key} has invalid value ${JSON.stringify(value)}` }));
}

export const KUBE_SCORE_RULES: readonly Rule[] = [
  podRule(
    {
      id: 'KUBE-SCORE-CONTAINER-RESOURCES',
      requirement: 'every container and init container sets cpu and memory requests and limits',
      fix: 'Set resources.requests and resources.limits for cpu and memory.',
    },
    (pod) => resourceViolations(pod, ['cpu', 'memory']),
  ),
  podRule(
    {
      id: 'KUBE-SCORE-CONTAINER-EPHEMERAL-STORAGE',
      requirement: 'every container and init container sets an ephemeral-storage request and limit',
      fix: 'Set resources.requests and resources.limits for ephemeral-storage.',
    },
    (pod) => resourceViolations(pod, ['ephemeral-storage']),
  ),
  podRule(
    {
      id: 'KUBE-SCORE-CONTAINER-IMAGE-PULL-POLICY',
      requirement: 'every container sets imagePullPolicy: Always, so that image pull secrets are checked on every start',
      fix: 'Set imagePullPolicy to Always.',
    },
    (pod) =>
      containersOf(pod).flatMap((entry) => {
        const policy = entry.container.imagePullPolicy;
        const { tag, digest } = parseImage(text(entry.container.image) ?? '');
        const defaultsToAlways = policy === undefined && !digest && (!tag || tag === 'latest');
        return policy === 'Always' || defaultsToAlways ? [] : [{ path: [...entry.path, 'imagePullPolicy'], message: `container "${entry.name}" pull policy is ${String(policy ?? 'IfNotPresent (default)')}` }];
      }),
  ),
  podRule(
    {
      id: 'KUBE-SCORE-POD-NETWORKPOLICY',
      requirement: 'every pod is selected by NetworkPolicies that cover both Ingress and Egress',
      fix: 'Add (or widen) a NetworkPolicy whose podSelector matches the pod labels and whose policyTypes include Ingress and Egress.',
    },
    (pod, object, scope) => {
      const covered = new Set(
        scope
          .ofKind('NetworkPolicy', object.namespace)
          .filter((policy) => labelSelectorMatches(record(policy.body.spec).podSelector, pod.labels))
          .flatMap(policyTypesOf),
      );
      return ['Ingress', 'Egress']
        .filter((type) => !covered.has(type))
        .map((type) => ({ path: [...pod.path, 'metadata', 'labels'], message: `no NetworkPolicy restricts ${type.toLowerCase()} of this pod` }));
    },
    { inPodNamespace: true },
  ),
  podRule(
    {
      id: 'KUBE-SCORE-POD-PROBES',
      requirement: 'containers of a long-running pod behind a Service have a readiness and a liveness probe, and the two differ',
      fix: 'Add a readinessProbe and a livenessProbe; let liveness check only that the process is alive, not its dependencies.',
    },
    (pod, object, scope) => {
      if (!LONG_RUNNING_KINDS.has(object.kind) || servicesSelecting(pod, object.namespace, scope).length === 0) {
        return [];
      }
      return containersOf(pod, ['containers']).flatMap((entry) => {
        const { readinessProbe, livenessProbe } = entry.container;
        const violations: RuleViolation[] = [];
        if (readinessProbe === undefined) {
          violations.push({ path: [...entry.path, 'readinessProbe'], message: `container "${entry.name}" has no readiness probe` });
        }
        if (livenessProbe === undefined) {
          violations.push({ path: [...entry.path, 'livenessProbe'], message: `container "${entry.name}" has no liveness probe` });
        } else if (JSON.stringify(livenessProbe) === JSON.stringify(readinessProbe)) {
          violations.push({ path: [...entry.path, 'livenessProbe'], message: `container "${entry.name}" liveness probe is identical to its readiness probe` });
        }
        return violations;
      });
    },
    { inPodNamespace: true },
  ),
  podRule(
    {
      id: 'KUBE-SCORE-CONTAINER-USER-GROUP-ID',
      requirement: `every container runs with runAsUser and runAsGroup above ${HIGH_ID} (pod or container level)`,
      fix: 'Set spec.securityContext.runAsUser and runAsGroup to 10001 or higher.',
    },
    (pod) => {
      const podContext = record(pod.spec.securityContext);
      return containersOf(pod, ['initContainers', 'containers']).flatMap((entry) => {
        const context = record(entry.container.securityContext);
        return (['runAsUser', 'runAsGroup'] as const).flatMap((field) => {
          const id = numberOf(context[field] ?? podContext[field]);
          return id !== undefined && id > HIGH_ID ? [] : [{ path: [...entry.path, 'securityContext', field], message: `container "${entry.name}" ${field} is ${id ?? 'unset'}` }];
        });
      });
    },
  ),
  kindRule(
    {
      id: 'KUBE-SCORE-SERVICE-TYPE',
      requirement: 'no Service is of type NodePort',
      fix: 'Use a ClusterIP Service behind the Ingress (or a LoadBalancer where one is intended).',
    },
    ['Service'],
    (object) => (record(object.body.spec).type === 'NodePort' ? [{ path: ['spec', 'type'], message: 'the Service is a NodePort' }] : []),
  ),
  {
    id: 'KUBE-SCORE-STABLE-VERSION',
    requirement: 'built-in Kubernetes kinds use a stable (non-alpha, non-beta) apiVersion',
    fix: 'Use the stable apiVersion of the kind (e.g. autoscaling/v2, policy/v1).',
    check: (object) =>
      isBuiltInGroup(apiGroupOf(object.apiVersion)) && /(alpha|beta)/.test(apiVersionOnly(object.apiVersion))
        ? [{ path: ['apiVersion'], message: `${object.apiVersion} is not a stable API version` }]
        : [],
  },
  kindRule(
    {
      id: 'KUBE-SCORE-HPA-TARGET-HAS-NO-REPLICAS',
      requirement: 'a workload scaled by a HorizontalPodAutoscaler or ScaledObject does not set spec.replicas',
      fix: 'Remove spec.replicas; the autoscaler owns the replica count.',
    },
    ['Deployment', 'StatefulSet', 'Rollout'],
    (object, scope) =>
      record(object.body.spec).replicas !== undefined && autoscalersOf(object, scope).length > 0
        ? [{ path: ['spec', 'replicas'], message: 'replicas is set although an autoscaler scales this workload' }]
        : [],
  ),
  kindRule(
    {
      id: 'KUBE-SCORE-WORKLOAD-HAS-PDB',
      requirement: 'a Deployment, StatefulSet or Argo Rollout that may run several replicas is selected by a PodDisruptionBudget',
      fix: 'Add a PodDisruptionBudget whose selector matches the pod labels.',
    },
    ['Deployment', 'StatefulSet', 'Rollout'],
    (object, scope) => {
      const replicas = numberOf(record(object.body.spec).replicas);
      if ((replicas !== undefined && replicas < 2) || scope.rolloutsReferencing(object).length > 0) {
        return [];
      }
      return scope.resolvedPodTemplates(object).flatMap((pod) =>
        scope.ofKind('PodDisruptionBudget', object.namespace).some((pdb) => labelSelectorMatches(record(pdb.body.spec).selector, pod.labels))
          ? []
          : [{ path: pod.borrowedFrom ? ['spec', 'workloadRef', 'name'] : [...pod.path, 'metadata', 'labels'], message: 'no PodDisruptionBudget selects this workload' }],
      );
    },
  ),
  kindRule(
    {
      id: 'KUBE-SCORE-PDB-HAS-POLICY',
      requirement: 'a PodDisruptionBudget sets minAvailable or maxUnavailable',
      fix: 'Set spec.maxUnavailable (e.g. 1) or spec.minAvailable.',
    },
    ['PodDisruptionBudget'],
    (object) => {
      const spec = record(object.body.spec);
      return spec.minAvailable === undefined && spec.maxUnavailable === undefined ? [{ path: ['spec'], message: 'neither minAvailable nor maxUnavailable is set' }] : [];
    },
  ),
  kindRule(
    {
      id: 'KUBE-SCORE-CRONJOB-HAS-DEADLINE',
      requirement: 'a CronJob sets startingDeadlineSeconds',
      fix: 'Set spec.startingDeadlineSeconds.',
    },
    ['CronJob'],
    (object) => (record(object.body.spec).startingDeadlineSeconds === undefined ? [{ path: ['spec', 'startingDeadlineSeconds'], message: 'startingDeadlineSeconds is not set' }] : []),
  ),
  {
    id: 'KUBE-SCORE-LABEL-VALUES',
    requirement: 'label values are at most 63 characters of letters, digits, "-", "_" and ".", starting and ending alphanumeric',
    fix: 'Shorten or rewrite the label value.',
    check: (object) => [
      ...labelViolations(record(object.body.metadata).labels, ['metadata', 'labels']),
      ...podTemplatesOf(object).flatMap((pod) => labelViolations(pod.labels, [...pod.path, 'metadata', 'labels'])),
    ],
  },
  kindRule(
    {
      id: 'KUBE-SCORE-STATEFULSET-HAS-SERVICENAME',
      requirement: "a StatefulSet's serviceName names a headless Service that selects its pods",
      fix: 'Create a Service with clusterIP: None selecting the pod labels, and name it in spec.serviceName.',
    },
    ['StatefulSet'],
    (object, scope) => {
      const serviceName = text(record(object.body.spec).serviceName) ?? '';
      const service = scope.find('Service', serviceName, object.namespace);
      const headless = service !== undefined && record(service.body.spec).clusterIP === 'None';
      const selects = podTemplatesOf(object).every((pod) => service !== undefined && servicesSelecting(pod, object.namespace, scope).includes(service));
      return headless && selects ? [] : [{ path: ['spec', 'serviceName'], message: `serviceName ${JSON.stringify(serviceName)} is not a headless Service selecting these pods` }];
    },
  ),
];

