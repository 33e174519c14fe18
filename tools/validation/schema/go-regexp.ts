import type { RegExpEngine } from 'ajv/dist/types';

/**
 * The id under which compiled standalone validators require this module (see
 * `standalone-runtime.ts`). Generated code calls `goRegExp` when it is loaded, so a change to the
 * function below applies to cached validators too, without invalidating them.
 */
export const GO_REGEXP_MODULE = 'generator-platform-k8s/validation/go-regexp';

/**
 * Schema `pattern`s come from Go code and use RE2 syntax. JavaScript has no inline `(?i)` flag
 * (e.g. PrometheusRule's `^(?i)(abort|warn)?$`), so it becomes the `i` flag of the whole
 * expression, which is what every pinned pattern means by it.
 *
 * `code` is how Ajv's standalone code refers to the function: `require(...)` of this module.
 */
export const goRegExp: RegExpEngine = Object.assign(
  (pattern: string, flags: string) => {
    const caseInsensitive = pattern.includes('(?i)');
    return new RegExp(caseInsensitive ? pattern.split('(?i)').join('') : pattern, caseInsensitive ? `${flags}i` : flags);
  },
  { code: `require(${JSON.stringify(GO_REGEXP_MODULE)}).goRegExp` },
);
