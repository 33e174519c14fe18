/** The `app.kubernetes.io/part-of` value of everything this library renders. */
export const PLATFORM_NAME = 'generator-platform';

/** Labels that select one workload's pods. Kept to two keys: selectors are immutable once applied. */
export function selectorLabels(workloadName: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': workloadName,
    'app.kubernetes.io/part-of': PLATFORM_NAME,
  };
}

/** Labels for every object of one workload: the selector labels plus what describes it. */
export function workloadLabels(workloadName: string, component: string): Record<string, string> {
  return {
    ...selectorLabels(workloadName),
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}

/**
 * Marks an Ingress that intentionally serves its paths without sign-in; the value says why. The
 * validation gate accepts an Ingress without external authentication only with it.
 */
export const PUBLIC_PATHS_ANNOTATION = 'security.generator-platform.dev/public-paths';
