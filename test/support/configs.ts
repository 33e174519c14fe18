import { EnvironmentConfig, EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS } from '../../lib/config/environments';

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

/**
 * A deep copy of a real environment's config with `change` applied, for tests of rejected input.
 * Replicas instances are kept by reference (they are immutable).
 */
export function configWith(name: `${EnvironmentName}`, change: (config: Mutable<EnvironmentConfig>) => void): EnvironmentConfig {
  const copy = structuredCloneKeepingClasses(ENVIRONMENTS[name as EnvironmentName]) as unknown as Mutable<EnvironmentConfig>;
  change(copy);
  return copy as unknown as EnvironmentConfig;
}

function structuredCloneKeepingClasses<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.map(structuredCloneKeepingClasses) as T;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structuredCloneKeepingClasses(v)])) as T;
  }
  return value;
}
