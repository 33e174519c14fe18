import type { RegExpEngine } from 'ajv/dist/types';

/**
 * Schema `pattern`s come from Go code and use RE2 syntax. JavaScript has no inline `(?i)` flag
 * (e.g. PrometheusRule's `^(?i)(abort|warn)?$`), so it becomes the `i` flag of the whole
 * expression, which is what every pinned pattern means by it.
 */
export const goRegExp: RegExpEngine = Object.assign(
  (pattern: string, flags: string) => {
    const caseInsensitive = pattern.includes('(?i)');
    return new RegExp(caseInsensitive ? pattern.split('(?i)').join('') : pattern, caseInsensitive ? `${flags}i` : flags);
  },
  { code: 'goRegExp' },
);
