import { EnvironmentScope, PodOwner } from '../environment-scope';
import { list, record, records, stringMap, text } from '../json-access';
import { labelSelectorMatches, mapSelectorMatches } from '../label-selector';
import { ManifestObject } from '../manifest';
import { containersOf } from '../pod-templates';
import { kindRule } from '../rule-builders';
import { Rule } from '../rule';
import { scaleTargetOf } from '../workload-scaling';

/** Pod owners in the Service's namespace that its (plain map) selector selects. */
function podsSelectedByService(service: ManifestObject, scope: EnvironmentScope): PodOwner[] {
  const selector = stringMap(record(service.body.spec).selector);
  return scope.podOwners(service.namespace).filter(({ pod }) => mapSelectorMatches(selector, pod.labels));
}

function hasSelector(service: ManifestObject): boolean {
  return Object.keys(stringMap(record(service.body.spec).selector)).length > 0;
}

function declaresPort(owner: PodOwner, port: unknown): boolean {
  return containersOf(owner.pod, ['containers']).some((entry) =>
    records(entry.container.ports).some((declared) => (typeof port === 'string' ? declared.name === port : declared.containerPort === port)),
  );
}

function podSelectorRule(id: string, kind: string, selectorField: string, what: string): Rule {
  return kindRule(
    {
      id,
      requirement: `a ${kind}'s ${selectorField} selects at least one pod template in its namespace`,
      fix: `Make spec.${selectorField} match the pod template labels of the workload it is meant for.`,
    },
    [kind],
    (object, scope) => {
      const selector = record(object.body.spec)[selectorField];
      return scope.podOwners(object.namespace).some(({ pod }) => labelSelectorMatches(selector, pod.labels))
        ? []
        : [{ path: ['spec', selectorField], message: `the ${what} selects no pod in namespace ${object.namespace ?? '(none)'}` }];
    },
  );
}

function scaleTargetRule(id: string, kind: string): Rule {
  return kindRule(
    {
      id,
      requirement: `a ${kind}'s scaleTargetRef names a workload rendered in its namespace, with that workload's apiVersion`,
      fix: 'Correct spec.scaleTargetRef apiVersion, kind and name (argoproj.io/v1alpha1 for a Rollout), or render the workload.',
    },
    [kind],
    (object, scope) => {
      const target = scaleTargetOf(object);
      const workload = target && scope.find(target.kind, target.name, object.namespace);
      if (!workload) {
        return [{ path: ['spec', 'scaleTargetRef'], message: `scale target ${target?.kind ?? ''} ${target?.name ?? ''} does not exist in namespace ${object.namespace ?? '(none)'}` }];
      }
      return target.apiVersion === workload.apiVersion
        ? []
        : [{ path: ['spec', 'scaleTargetRef', 'apiVersion'], message: `scale target ${target.kind} ${target.name} is ${workload.apiVersion}, not ${target.apiVersion || '(unset: the core group)'}` }];
    },
  );
}

/** Namespaces a ServiceMonitor or PodMonitor looks in: its namespaceSelector, defaulting to its own namespace. */
function monitoredNamespaces(monitor: ManifestObject, scope: EnvironmentScope): (string | undefined)[] {
  const namespaceSelector = record(record(monitor.body.spec).namespaceSelector);
  if (namespaceSelector.any === true) {
    return [...new Set(scope.objects.map((object) => object.namespace))];
  }
  const names = list(namespaceSelector.matchNames).filter((name): name is string => typeof name === 'string');
  return names.length > 0 ? names : [monitor.namespace];
}

export const SELECTOR_REFERENCE_RULES: readonly Rule[] = [
  kindRule(
    {
      id: 'XREF-SERVICE-SELECTOR',
      requirement: "a Service's selector selects at least one pod template in its namespace",
      fix: "Make spec.selector a subset of the workload's pod template labels.",
    },
    ['Service'],
    (object, scope) =>
      hasSelector(object) && podsSelectedByService(object, scope).length === 0
        ? [{ path: ['spec', 'selector'], message: `the selector ${JSON.stringify(stringMap(record(object.body.spec).selector))} selects no pod` }]
        : [],
  ),
  kindRule(
    {
      id: 'XREF-SERVICE-TARGET-PORT',
      requirement: "every Service targetPort (or port, when targetPort is unset) is a port declared by the pods it selects",
      fix: "Set targetPort to the name (preferred) or number of a containerPort of the selected pods.",
    },
    ['Service'],
    (object, scope) => {
      const selected = hasSelector(object) ? podsSelectedByService(object, scope) : [];
      if (selected.length === 0) {
        return [];
      }
      return records(record(object.body.spec).ports).flatMap((port, index) => {
        const target = port.targetPort ?? port.port;
        return selected.every((owner) => declaresPort(owner, target))
          ? []
          : [{ path: ['spec', 'ports', index, 'targetPort'], message: `targetPort ${JSON.stringify(target)} is not a container port of every selected pod` }];
      });
    },
  ),
  podSelectorRule('XREF-NETWORKPOLICY-SELECTOR', 'NetworkPolicy', 'podSelector', 'podSelector'),
  podSelectorRule('XREF-PDB-SELECTOR', 'PodDisruptionBudget', 'selector', 'selector'),
  scaleTargetRule('XREF-HPA-TARGET', 'HorizontalPodAutoscaler'),
  scaleTargetRule('XREF-SCALEDOBJECT-TARGET', 'ScaledObject'),
  kindRule(
    {
      id: 'XREF-SERVICEMONITOR-SELECTOR',
      requirement: 'a ServiceMonitor selects at least one Service, and every endpoint port is a named port of the selected Services',
      fix: 'Make spec.selector match the Service labels (and namespaceSelector its namespace); name the Service port the endpoint uses.',
    },
    ['ServiceMonitor'],
    (object, scope) => {
      const spec = record(object.body.spec);
      const services = monitoredNamespaces(object, scope)
        .flatMap((namespace) => scope.servicesIn(namespace))
        .filter((service) => labelSelectorMatches(spec.selector, stringMap(record(service.body.metadata).labels)));
      if (services.length === 0) {
        return [{ path: ['spec', 'selector'], message: 'the selector matches no Service' }];
      }
      return records(spec.endpoints).flatMap((endpoint, index) => {
        const port = text(endpoint.port);
        const named = (service: ManifestObject) => records(record(service.body.spec).ports).some((declared) => declared.name === port);
        return port === undefined || services.some(named) ? [] : [{ path: ['spec', 'endpoints', index, 'port'], message: `no selected Service has a port named ${port}` }];
      });
    },
  ),
  kindRule(
    {
      id: 'XREF-PODMONITOR-SELECTOR',
      requirement: 'a PodMonitor selects at least one pod, and every podMetricsEndpoints port is a named container port of the selected pods',
      fix: 'Make spec.selector match the pod labels (and namespaceSelector their namespace); name the container port the endpoint uses.',
    },
    ['PodMonitor'],
    (object, scope) => {
      const spec = record(object.body.spec);
      const owners = monitoredNamespaces(object, scope)
        .flatMap((namespace) => scope.podOwners(namespace))
        .filter(({ pod }) => labelSelectorMatches(spec.selector, pod.labels));
      if (owners.length === 0) {
        return [{ path: ['spec', 'selector'], message: 'the selector matches no pod' }];
      }
      return records(spec.podMetricsEndpoints).flatMap((endpoint, index) => {
        const port = text(endpoint.port);
        return port === undefined || owners.some((owner) => declaresPort(owner, port))
          ? []
          : [{ path: ['spec', 'podMetricsEndpoints', index, 'port'], message: `no selected pod has a container port named ${port}` }];
      });
    },
  ),
];
