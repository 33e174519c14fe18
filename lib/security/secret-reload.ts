import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';

/**
 * Stakater Reloader's annotation on a workload: a rolling restart whenever one of the listed
 * Secrets changes. Environment variables are read once at container start, so without a restart a
 * rotated credential never reaches the process (mounted Secret files, such as CA bundles, are
 * refreshed by the kubelet and need no restart).
 */
export const SECRET_RELOAD_ANNOTATION = 'secret.reloader.stakater.com/reload';

/** Names of the Secrets that `containers` read as environment variables (env and envFrom), sorted and unique. */
export function secretsReadAsEnvironment(containers: readonly k8s.Container[]): string[] {
  const names = containers.flatMap((container) => [
    ...(container.env ?? []).flatMap((variable) => (variable.valueFrom?.secretKeyRef?.name ? [variable.valueFrom.secretKeyRef.name] : [])),
    ...(container.envFrom ?? []).flatMap((source) => (source.secretRef?.name ? [source.secretRef.name] : [])),
  ]);
  return [...new Set(names)].sort();
}

/**
 * Workload annotations that make Reloader restart the pods of `containers` when a Secret they read
 * as environment variables changes. Resolved at synth time, so variables added after construction
 * (a store's `connect()`) are included; none when no Secret is read that way.
 */
export function secretReloadAnnotations(containers: () => readonly k8s.Container[]): Record<string, string> {
  return {
    [SECRET_RELOAD_ANNOTATION]: Lazy.any({ produce: () => secretsReadAsEnvironment(containers()).join(',') || undefined }),
  };
}
