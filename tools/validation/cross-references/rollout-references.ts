import { EnvironmentScope } from '../environment-scope';
import { list, record, records, stringMap, text } from '../json-access';
import { mapSelectorMatches } from '../label-selector';
import { PathSegment } from '../json-path';
import { ManifestObject } from '../manifest';
import { podTemplatesOf, REVISION_LABELS, workloadRefOf } from '../pod-templates';
import { Rule, RuleViolation } from '../rule';
import { kindRule } from '../rule-builders';
import { autoscalersOf } from '../workload-scaling';

/** References of Argo Rollouts (argoproj.io/v1alpha1 Rollout) to the objects its controller drives. */

const ROLLOUT = ['Rollout'];
const ANALYSIS_TEMPLATE_KINDS = ['AnalysisTemplate', 'ClusterAnalysisTemplate'];

function isArgoRollout(object: ManifestObject): boolean {
  return object.kind === 'Rollout' && object.apiVersion.startsWith('argoproj.io/');
}

function strategyOf(rollout: ManifestObject): { blueGreen: Record<string, unknown>; canary: Record<string, unknown>; hasBlueGreen: boolean; hasCanary: boolean } {
  const strategy = record(record(rollout.body.spec).strategy);
  return { blueGreen: record(strategy.blueGreen), canary: record(strategy.canary), hasBlueGreen: strategy.blueGreen !== undefined, hasCanary: strategy.canary !== undefined };
}

interface ServiceReference {
  readonly role: string;
  readonly name: string;
  readonly path: readonly PathSegment[];
}

function serviceReferences(rollout: ManifestObject): ServiceReference[] {
  const { blueGreen, canary } = strategyOf(rollout);
  const result: ServiceReference[] = [];
  const add = (strategy: string, source: Record<string, unknown>, field: string) => {
    const name = text(source[field]);
    if (name) {
      result.push({ role: field, name, path: ['spec', 'strategy', strategy, field] });
    }
  };
  add('blueGreen', blueGreen, 'activeService');
  add('blueGreen', blueGreen, 'previewService');
  add('canary', canary, 'stableService');
  add('canary', canary, 'canaryService');
  return result;
}

/** Whether any pod the Rollout runs carries every label of the Service's selector. */
function serviceSelectsRollout(service: ManifestObject, rollout: ManifestObject, scope: EnvironmentScope): boolean {
  const selector = stringMap(record(service.body.spec).selector);
  return Object.keys(selector).length > 0 && scope.resolvedPodTemplates(rollout).some((pod) => mapSelectorMatches(selector, pod.labels));
}

/** One `RolloutAnalysis` block: the templates it runs and the args it passes. */
interface AnalysisBlock {
  readonly templates: Record<string, unknown>[];
  readonly args: Record<string, unknown>[];
  readonly path: PathSegment[];
}

function analysisBlocks(rollout: ManifestObject): AnalysisBlock[] {
  const { blueGreen, canary } = strategyOf(rollout);
  const blocks: AnalysisBlock[] = [];
  const block = (value: unknown, path: PathSegment[]) => {
    if (value !== undefined) {
      blocks.push({ templates: records(record(value).templates), args: records(record(value).args), path });
    }
  };
  block(blueGreen.prePromotionAnalysis, ['spec', 'strategy', 'blueGreen', 'prePromotionAnalysis']);
  block(blueGreen.postPromotionAnalysis, ['spec', 'strategy', 'blueGreen', 'postPromotionAnalysis']);
  block(canary.analysis, ['spec', 'strategy', 'canary', 'analysis']);
  records(canary.steps).forEach((step, index) => {
    block(step.analysis, ['spec', 'strategy', 'canary', 'steps', index, 'analysis']);
    // An experiment step's analyses name one template each, with their own args.
    records(record(step.experiment).analyses).forEach((analysis, analysisIndex) =>
      blocks.push({ templates: [analysis], args: records(analysis.args), path: ['spec', 'strategy', 'canary', 'steps', index, 'experiment', 'analyses', analysisIndex] }),
    );
  });
  return blocks;
}

function analysisTemplateViolations(rollout: ManifestObject, scope: EnvironmentScope): RuleViolation[] {
  return analysisBlocks(rollout).flatMap((block) =>
    block.templates.flatMap((reference, index) => {
      const name = text(reference.templateName) ?? '';
      const clusterScope = reference.clusterScope === true;
      const kind = clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
      const path = block.templates.length === 1 && block.path.includes('experiment') ? [...block.path, 'templateName'] : [...block.path, 'templates', index, 'templateName'];
      const template = clusterScope ? scope.findAnywhere(kind, name) : scope.find(kind, name, rollout.namespace);
      if (!template) {
        return [{ path, message: `${kind} ${name} is not rendered${clusterScope ? '' : ` in namespace ${rollout.namespace ?? '(none)'}`}` }];
      }
      const supplied = new Set(block.args.map((arg) => arg.name));
      return records(record(template.body.spec).args)
        .filter((arg) => arg.value === undefined && arg.valueFrom === undefined && !supplied.has(arg.name))
        .map((arg) => ({ path: [...block.path, 'args'], message: `${kind} ${name} needs arg ${String(arg.name)}, which the analysis does not pass` }));
    }),
  );
}

/** `{{args.NAME}}` placeholders of an AnalysisTemplate's metrics, with where they are. */
function argumentPlaceholders(value: unknown, path: PathSegment[], found: { name: string; path: PathSegment[] }[] = []): { name: string; path: PathSegment[] }[] {
  if (typeof value === 'string') {
    for (const match of value.matchAll(/\{\{\s*args\.([A-Za-z0-9_.-]+?)\s*\}\}/g)) {
      found.push({ name: match[1], path });
    }
  } else if (Array.isArray(value)) {
    value.forEach((entry, index) => argumentPlaceholders(entry, [...path, index], found));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, entry] of Object.entries(value)) {
      argumentPlaceholders(entry, [...path, key], found);
    }
  }
  return found;
}

export const ROLLOUT_REFERENCE_RULES: readonly Rule[] = [
  kindRule(
    {
      id: 'XREF-ROLLOUT-WORKLOAD-REF',
      requirement: 'an Argo Rollout declares exactly one of spec.template and spec.workloadRef; a workloadRef names an apps/v1 Deployment rendered in its namespace, scaled to 0 and not autoscaled',
      fix: 'Point spec.workloadRef at the Deployment (apiVersion apps/v1, kind Deployment, name), set that Deployment\'s replicas to 0 and scale the Rollout instead, or drop workloadRef and keep spec.template.',
    },
    ROLLOUT,
    (object, scope) => {
      if (!isArgoRollout(object)) {
        return [];
      }
      const reference = workloadRefOf(object);
      const hasTemplate = record(object.body.spec).template !== undefined;
      if (!reference) {
        return hasTemplate ? [] : [{ path: ['spec'], message: 'the Rollout has neither spec.template nor spec.workloadRef, so it runs no pods' }];
      }
      const violations: RuleViolation[] = [];
      if (hasTemplate) {
        violations.push({ path: ['spec', 'template'], message: 'a Rollout with spec.workloadRef must not declare spec.template as well' });
      }
      const target = scope.workloadRefTarget(object);
      if (!target) {
        const named = `${reference.apiVersion || '(no apiVersion)'} ${reference.kind || '(no kind)'} ${reference.name || '(no name)'}`;
        violations.push({ path: ['spec', 'workloadRef'], message: `workloadRef names ${named}, which is not an apps/v1 Deployment rendered in namespace ${object.namespace ?? '(none)'}` });
        return violations;
      }
      if (record(target.body.spec).replicas !== 0) {
        violations.push({ path: ['spec', 'workloadRef', 'name'], message: `Deployment ${target.name} is not scaled to 0, so its pods run next to the Rollout's` });
      }
      if (autoscalersOf(target, scope).length > 0) {
        violations.push({ path: ['spec', 'workloadRef', 'name'], message: `Deployment ${target.name} is scaled by an autoscaler; scale the Rollout instead` });
      }
      return violations;
    },
  ),
  kindRule(
    {
      id: 'XREF-ROLLOUT-SERVICE',
      requirement: "an Argo Rollout's blueGreen activeService/previewService and canary stableService/canaryService are distinct Services in its namespace that select its pods (traffic routing needs both canary Services)",
      fix: 'Render the Service with a selector that is a subset of the Rollout pod labels, name it in the strategy, and give preview/canary its own Service.',
    },
    ROLLOUT,
    (object, scope) => {
      if (!isArgoRollout(object)) {
        return [];
      }
      const references = serviceReferences(object);
      const violations: RuleViolation[] = references.flatMap((reference) => {
        const service = scope.find('Service', reference.name, object.namespace);
        if (!service) {
          return [{ path: reference.path, message: `${reference.role} Service ${reference.name} does not exist in namespace ${object.namespace ?? '(none)'}` }];
        }
        return serviceSelectsRollout(service, object, scope) ? [] : [{ path: reference.path, message: `${reference.role} Service ${reference.name} does not select the Rollout's pods` }];
      });
      const { blueGreen, canary, hasCanary } = strategyOf(object);
      if (blueGreen.previewService !== undefined && blueGreen.previewService === blueGreen.activeService) {
        violations.push({ path: ['spec', 'strategy', 'blueGreen', 'previewService'], message: 'previewService must differ from activeService' });
      }
      if (canary.canaryService !== undefined && canary.canaryService === canary.stableService) {
        violations.push({ path: ['spec', 'strategy', 'canary', 'canaryService'], message: 'canaryService must differ from stableService' });
      }
      if (hasCanary && canary.trafficRouting !== undefined) {
        for (const field of ['stableService', 'canaryService']) {
          if (!text(canary[field])) {
            violations.push({ path: ['spec', 'strategy', 'canary', field], message: `canary traffic routing needs ${field}` });
          }
        }
      }
      return violations;
    },
  ),
  kindRule(
    {
      id: 'XREF-ROLLOUT-INGRESS',
      requirement:
        "an Argo Rollout's trafficRouting.nginx names its Ingresses in stableIngress or stableIngresses (not both: Argo Rollouts then ignores stableIngress), each an Ingress in its namespace with a backend on the stableService, and lists every Ingress of the namespace that routes to the stableService",
      fix: 'Name the Ingress that serves the stable Service in trafficRouting.nginx.stableIngress, or all of them (the main one included) in stableIngresses, and route each to spec.strategy.canary.stableService.',
    },
    ROLLOUT,
    (object, scope) => {
      if (!isArgoRollout(object)) {
        return [];
      }
      const { canary } = strategyOf(object);
      const nginxPath: PathSegment[] = ['spec', 'strategy', 'canary', 'trafficRouting', 'nginx'];
      const nginx = record(record(canary.trafficRouting).nginx);
      if (Object.keys(nginx).length === 0) {
        return [];
      }
      const stableService = text(canary.stableService);
      const routesToStableService = (ingress: ManifestObject): boolean => {
        const spec = record(ingress.body.spec);
        const backends = [
          record(record(spec.defaultBackend).service).name,
          ...records(spec.rules).flatMap((rule) => records(record(rule.http).paths).map((entry) => record(record(entry.backend).service).name)),
        ];
        return stableService !== undefined && backends.includes(stableService);
      };
      const violations: RuleViolation[] = [];
      // Argo Rollouts (1.5+) routes through stableIngresses when it is set and through stableIngress otherwise.
      const names: { name: string; path: PathSegment[] }[] = [];
      if (nginx.stableIngresses !== undefined) {
        list(nginx.stableIngresses).forEach((name, index) => names.push({ name: String(name), path: [...nginxPath, 'stableIngresses', index] }));
        if (text(nginx.stableIngress)) {
          violations.push({ path: [...nginxPath, 'stableIngress'], message: 'stableIngress and stableIngresses are both set; Argo Rollouts ignores stableIngress, so list that Ingress in stableIngresses' });
        }
      } else if (text(nginx.stableIngress)) {
        names.push({ name: text(nginx.stableIngress) as string, path: [...nginxPath, 'stableIngress'] });
      }
      for (const { name, path } of names) {
        const ingress = scope.find('Ingress', name, object.namespace);
        if (!ingress) {
          violations.push({ path, message: `Ingress ${name} does not exist in namespace ${object.namespace ?? '(none)'}` });
        } else if (!routesToStableService(ingress)) {
          violations.push({ path, message: `Ingress ${name} has no backend on the stable Service ${stableService ?? '(unset)'}` });
        }
      }
      const listed = new Set(names.map((entry) => entry.name));
      for (const ingress of scope.ofKind('Ingress', object.namespace).filter((candidate) => !listed.has(candidate.name) && routesToStableService(candidate))) {
        violations.push({
          path: nginxPath,
          message: `Ingress ${ingress.name} routes to the stable Service ${stableService as string} but is not in the traffic routing, so during a canary all of its traffic stays on the stable version`,
        });
      }
      return violations;
    },
  ),
  kindRule(
    {
      id: 'XREF-ROLLOUT-ANALYSIS-TEMPLATE',
      requirement: "every analysis templateName of an Argo Rollout (pre/post-promotion, background, step and experiment analysis) names an AnalysisTemplate in its namespace (ClusterAnalysisTemplate with clusterScope: true), and the analysis passes every arg the template declares without a value",
      fix: 'Render the AnalysisTemplate next to the Rollout (or correct templateName / clusterScope), and pass the missing arg in the analysis args.',
    },
    ROLLOUT,
    (object, scope) => (isArgoRollout(object) ? analysisTemplateViolations(object, scope) : []),
  ),
  kindRule(
    {
      id: 'XREF-ANALYSIS-TEMPLATE-ARGS',
      requirement: 'every {{args.NAME}} an AnalysisTemplate or ClusterAnalysisTemplate uses is declared in its spec.args',
      fix: 'Declare the arg in spec.args (with a value, or without one for the Rollout to pass), or correct the placeholder.',
    },
    ANALYSIS_TEMPLATE_KINDS,
    (object) => {
      if (!object.apiVersion.startsWith('argoproj.io/')) {
        return [];
      }
      const spec = record(object.body.spec);
      const declared = new Set(records(spec.args).map((arg) => arg.name));
      return argumentPlaceholders(spec.metrics, ['spec', 'metrics'])
        .filter((placeholder) => !declared.has(placeholder.name))
        .map((placeholder) => ({ path: placeholder.path, message: `{{args.${placeholder.name}}} is not declared in spec.args` }));
    },
  ),
  {
    id: 'XREF-TOPOLOGY-MATCH-LABEL-KEYS',
    requirement: "every topologySpreadConstraints matchLabelKeys entry is a pod template label or the revision label of the workload's controller (pod-template-hash for a Deployment, rollouts-pod-template-hash for an Argo Rollout, controller-revision-hash for a StatefulSet or DaemonSet)",
    fix: 'Use rollouts-pod-template-hash in a Rollout (and in a Deployment whose template a Rollout borrows), pod-template-hash in a Deployment, or a label the pod template sets.',
    check: (object, scope) => {
      // A Deployment whose template a Rollout borrows runs its pods under the Rollout's controller.
      const controller = scope.rolloutsReferencing(object).length > 0 ? 'Rollout' : object.kind;
      const revisionLabel = REVISION_LABELS[controller];
      if (!revisionLabel) {
        return [];
      }
      return podTemplatesOf(object).flatMap((pod) =>
        records(pod.spec.topologySpreadConstraints).flatMap((constraint, index) =>
          list(constraint.matchLabelKeys).flatMap((key, keyIndex) =>
            key === revisionLabel || (typeof key === 'string' && Object.prototype.hasOwnProperty.call(pod.labels, key))
              ? []
              : [
                  {
                    path: [...pod.path, 'spec', 'topologySpreadConstraints', index, 'matchLabelKeys', keyIndex],
                    message: `matchLabelKeys ${JSON.stringify(key)} is not a label of these pods (the ${controller} controller labels revisions ${revisionLabel}), so the scheduler ignores it`,
                  },
                ],
          ),
        ),
      );
    },
  },
];
