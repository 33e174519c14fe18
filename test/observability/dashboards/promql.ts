import type { Dashboard, Panel, RowPanel } from '@grafana/schema';
import { parser } from '@prometheus-io/lezer-promql';

/**
 * Values for the Grafana variables the dashboards use. Grafana replaces them before a query
 * reaches Prometheus, and PromQL has no `$variable` syntax, so lezer-promql would report each one
 * as a syntax error (`[$__rate_interval]` is not a duration): the tests substitute these values
 * first, as Grafana would. An unknown variable is an error, so a new one must be added here.
 */
export const TEST_VARIABLE_VALUES: Readonly<Record<string, string>> = {
  namespace: 'ns-under-test',
  datasource: 'prometheus',
  __rate_interval: '1m',
  __interval: '15s',
  __range: '6h',
};

export function substituteVariables(expr: string): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced: string | undefined, bare: string | undefined) => {
    const value = TEST_VARIABLE_VALUES[braced ?? bare ?? ''];
    if (value === undefined) {
      throw new Error(`unknown Grafana variable ${match} in ${expr}; add a test value to TEST_VARIABLE_VALUES`);
    }
    return value;
  });
}

/** Functions whose argument is a range vector (`x[5m]` or a subquery), by lezer-promql node name. */
const RANGE_FUNCTIONS = new Set([
  'Rate', 'Irate', 'Increase', 'Delta', 'Idelta', 'Deriv', 'Changes', 'Resets', 'PredictLinear', 'HoltWinters',
  'AvgOverTime', 'MinOverTime', 'MaxOverTime', 'SumOverTime', 'CountOverTime', 'QuantileOverTime', 'StddevOverTime',
  'StdvarOverTime', 'LastOverTime', 'PresentOverTime', 'AbsentOverTime', 'MadOverTime',
]);

function context(text: string, from: number, to: number): string {
  return `${text.slice(Math.max(0, from - 25), from)}>>>${text.slice(from, Math.max(to, from + 1))}<<<${text.slice(to, to + 25)}`.replace(/\n/g, ' ');
}

/**
 * What is wrong with a PromQL expression, as Prometheus's own grammar (lezer-promql, the parser of
 * the Prometheus web UI) sees it: every error node of the syntax tree, plus the two type errors
 * the grammar lets through: a range selector (`x[5m]`) anywhere but as the argument of a range
 * function, and a range function (`rate`, `increase`, `*_over_time`, ...) without one. An empty
 * list means the expression parses. Grafana variables are substituted first.
 */
export function promqlProblems(expr: string): string[] {
  const text = substituteVariables(expr);
  const problems: string[] = [];
  if (text.trim() === '') {
    return ['empty expression'];
  }
  parser.parse(text).iterate({
    enter(ref) {
      const node = ref.node;
      if (ref.type.isError) {
        problems.push(`syntax error at ${ref.from}: ${context(text, ref.from, ref.to)}`);
        return;
      }
      if (ref.name === 'MatrixSelector') {
        const inRangeFunction =
          node.parent?.name === 'FunctionCallBody' && RANGE_FUNCTIONS.has(node.parent.parent?.getChild('FunctionIdentifier')?.firstChild?.name ?? '');
        if (node.firstChild?.name !== 'VectorSelector') {
          problems.push(`a range is only allowed on a metric selector: ${context(text, ref.from, ref.to)}`);
        } else if (!inRangeFunction) {
          problems.push(`a range vector is only allowed as the argument of a range function: ${context(text, ref.from, ref.to)}`);
        }
      }
      if (ref.name === 'FunctionCall') {
        const fn = node.getChild('FunctionIdentifier')?.firstChild?.name ?? '';
        const args = node.getChild('FunctionCallBody');
        const hasRange = args !== null && (args.getChild('MatrixSelector') !== null || args.getChild('SubqueryExpr') !== null);
        if (RANGE_FUNCTIONS.has(fn) && !hasRange) {
          problems.push(`${fn} needs a range vector argument: ${context(text, ref.from, ref.to)}`);
        }
      }
    },
  });
  return problems;
}

/** The metric selectors of an expression (after variable substitution), e.g. `up{namespace="ns-under-test"}`. */
export function vectorSelectors(expr: string): string[] {
  const text = substituteVariables(expr);
  const selectors: string[] = [];
  parser.parse(text).iterate({
    enter(ref) {
      if (ref.name === 'VectorSelector') {
        selectors.push(text.slice(ref.from, ref.to));
        return false;
      }
      return undefined;
    },
  });
  return selectors;
}

/** The metric names an expression reads. */
export function metricNames(expr: string): string[] {
  return vectorSelectors(expr).map((selector) => selector.replace(/\{[\s\S]*$/, '').trim());
}

export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
}

/** The panels of a dashboard that show data (rows left out). */
export function dataPanels(dashboard: Dashboard): Panel[] {
  return (dashboard.panels ?? []).filter((panel): panel is Panel => panel.type !== 'row');
}

export function rows(dashboard: Dashboard): RowPanel[] {
  return (dashboard.panels ?? []).filter((panel): panel is RowPanel => panel.type === 'row');
}

/** Every Prometheus query of every panel of a dashboard. */
export function panelQueries(dashboard: Dashboard): PanelQuery[] {
  return dataPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ dashboard: dashboard.title ?? '', panel: panel.title ?? '', refId: String(target.refId), expr: String(target.expr) })),
  );
}
