import { list, record, stringMap, text } from './json-access';

/**
 * Whether a `LabelSelector` (matchLabels + matchExpressions) selects `labels`. An empty selector
 * selects everything, as it does for NetworkPolicy, PodDisruptionBudget and ServiceMonitor.
 */
export function labelSelectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const { matchLabels, matchExpressions } = record(selector);
  if (!mapSelectorMatches(stringMap(matchLabels), labels)) {
    return false;
  }
  return list(matchExpressions).every((expression) => expressionMatches(record(expression), labels));
}

/** Whether every key/value of a plain map selector (Service, StatefulSet) is in `labels`. */
export function mapSelectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function expressionMatches(expression: Record<string, unknown>, labels: Record<string, string>): boolean {
  const key = text(expression.key) ?? '';
  const values = list(expression.values).filter((value): value is string => typeof value === 'string');
  const present = Object.prototype.hasOwnProperty.call(labels, key);
  switch (expression.operator) {
    case 'In':
      return present && values.includes(labels[key]);
    case 'NotIn':
      return !present || !values.includes(labels[key]);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    default:
      return false;
  }
}
