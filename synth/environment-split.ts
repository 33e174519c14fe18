import { Chart } from 'cdk8s';
import { EnvironmentChart } from '../charts/environment-chart';
import { RenderedObject, renderedObjectsOf } from '../lib/gitops/rendered-objects';

/**
 * One environment's rendered objects, by the Application that syncs them:
 * - `content`: `dist/<environment>/`, the environment's own Application (namespaced objects only;
 *   its project allows no cluster-scoped kind);
 * - `clusterScoped`: `dist/argocd/<cluster>/cluster-baseline/`, which only the cluster baseline
 *   Application syncs (namespaces, secret stores, cluster issuers, admission policies);
 * - `namespace`: for a preview, its Namespace and guard rails (quota, limits, default-deny
 *   policies), which PreviewNamespaceApplicationSet syncs from the tracked branch, so that a pull
 *   request cannot change them. Empty for an environment.
 */
export interface EnvironmentSplit {
  readonly content: readonly RenderedObject[];
  readonly clusterScoped: readonly RenderedObject[];
  readonly namespace: readonly RenderedObject[];
  /** Whether an object belongs in `dist/<environment>/`. */
  readonly isContent: (object: RenderedObject) => boolean;
}

export function splitEnvironment(chart: EnvironmentChart, options: { readonly isPreview: boolean }): EnvironmentSplit {
  const objects = renderedObjectsOf(chart);
  const guardRails = new Set(options.isPreview ? chart.baseline.guardRails.map((o) => objectKey({ kind: o.kind, metadata: { name: o.name, namespace: o.metadata.namespace } })) : []);
  const isNamespace = (o: RenderedObject) => guardRails.has(objectKey(o));
  const isClusterScoped = (o: RenderedObject) => o.metadata.namespace === undefined && !isNamespace(o);
  const isContent = (o: RenderedObject) => !isNamespace(o) && !isClusterScoped(o);
  return {
    content: objects.filter(isContent),
    clusterScoped: objects.filter(isClusterScoped),
    namespace: objects.filter(isNamespace),
    isContent,
  };
}

/** Kind, namespace and name: what identifies a rendered object within a cluster. */
export function objectKey(o: { readonly kind: string; readonly metadata: { readonly name?: string; readonly namespace?: string } }): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

/** Whether a chart is an environment's (the entry point renders environment and Argo CD charts alike). */
export function isEnvironmentChart(chart: Chart): chart is EnvironmentChart {
  return chart instanceof EnvironmentChart;
}
