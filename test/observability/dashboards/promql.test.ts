import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { dataStoresDashboard } from '../../../lib/observability/dashboards/data-stores';
import { generatorPipelineDashboard } from '../../../lib/observability/dashboards/generator-pipeline';
import { platformOverviewDashboard } from '../../../lib/observability/dashboards/platform-overview';
import { TEST_VARIABLE_VALUES, metricNames, panelQueries, promqlProblems, substituteVariables, vectorSelectors } from './promql';

const NAMESPACE = 'generator-platform';
const DASHBOARDS = [platformOverviewDashboard({ namespace: NAMESPACE }), generatorPipelineDashboard({ namespace: NAMESPACE }), dataStoresDashboard({ namespace: NAMESPACE })];
const QUERIES = DASHBOARDS.flatMap(panelQueries);

describe('every panel query is valid PromQL', () => {
  test('the dashboards have queries to check', () => {
    expect(QUERIES.length).toBeGreaterThan(60);
  });

  test.each(QUERIES.map((q) => [`${q.dashboard} / ${q.panel} / ${q.refId}`, q.expr]))('%s parses with Prometheus grammar, without error nodes', (_name, expr) => {
    expect(promqlProblems(expr)).toEqual([]);
  });

  test.each(QUERIES.map((q) => [`${q.dashboard} / ${q.panel} / ${q.refId}`, q.expr]))('%s reads only the selected namespace', (_name, expr) => {
    const selectors = vectorSelectors(expr);
    expect(selectors.length).toBeGreaterThan(0);
    for (const selector of selectors) {
      expect(selector).toContain(`namespace="${TEST_VARIABLE_VALUES.namespace}"`);
    }
  });

  test("the namespace variable's query reads a selector that parses", () => {
    for (const dashboard of DASHBOARDS) {
      const variable = dashboard.templating?.list?.find((v) => v.name === 'namespace');
      const match = /^label_values\((.+), namespace\)$/.exec(String(variable?.query));
      expect(match).not.toBeNull();
      expect(promqlProblems(match![1])).toEqual([]);
    }
  });
});

describe('the check fails on broken PromQL (it is not vacuous)', () => {
  test.each([
    ['an unclosed parenthesis', 'sum(rate(http_requests_total[5m])', /syntax error/],
    ['an unknown function', 'rates(http_requests_total[5m])', /syntax error/],
    ['a missing operand', 'sum(rate(http_requests_total[5m])) /', /syntax error/],
    ['an unterminated label matcher', 'up{namespace="a}', /syntax error/],
    ['a bad duration', 'rate(http_requests_total[5 minutes])', /syntax error/],
    ['rate of an instant vector', 'rate(http_requests_total)', /Rate needs a range vector/],
    ['a range vector in an aggregation', 'sum(http_requests_total[5m])', /only allowed as the argument of a range function/],
    ['a range on an expression', 'rate(sum(http_requests_total)[5m])', /only allowed on a metric selector/],
    ['an empty query', '  ', /empty expression/],
  ])('%s is reported', (_name, expr, problem) => {
    const problems = promqlProblems(expr);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(problem);
  });

  test('a Grafana variable is a syntax error to the parser, which is why the tests substitute it first', () => {
    const expr = 'sum(rate(http_requests_total{namespace="$namespace"}[$__rate_interval]))';
    const raw: string[] = [];
    parser.parse(expr).iterate({ enter: (node) => void (node.type.isError && raw.push(node.name)) });
    expect(raw.length).toBeGreaterThan(0);
    expect(substituteVariables(expr)).toBe('sum(rate(http_requests_total{namespace="ns-under-test"}[1m]))');
    expect(promqlProblems(expr)).toEqual([]);
  });

  test('an unknown Grafana variable fails instead of slipping through', () => {
    expect(() => promqlProblems('up{pod="$pod"}')).toThrow('unknown Grafana variable $pod');
  });

  test('metric names are read from the syntax tree', () => {
    expect(metricNames('sum(rate(a_total{x="1"}[5m])) / on (pod) b')).toEqual(['a_total', 'b']);
  });
});

/**
 * Prometheus's own Go parser, with type checking, when promtool is installed (the `prometheus`
 * Debian package that scripts/ensure-test-tools.sh installs for the alerting rules). Each query
 * becomes a recording rule of a throw-away rule file; `promtool check rules` parses every one.
 */
const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
(promtool ? describe : describe.skip)('promtool (when installed)', () => {
  test('promtool check rules accepts every panel query', () => {
    const rules = QUERIES.map((q, index) => ({ record: `dashboard:query_${index}:check`, expr: substituteVariables(q.expr) }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-promql-'));
    const file = path.join(dir, 'queries.rules.json');
    // JSON is YAML, and promtool reads rule files as YAML.
    fs.writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard-queries', rules }] }));
    try {
      const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect(`${result.stdout}${result.stderr}`).toContain(`SUCCESS: ${rules.length} rules found`);
      expect(result.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('promtool rejects a broken query (the check can fail)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-promql-'));
    const file = path.join(dir, 'broken.rules.json');
    fs.writeFileSync(file, JSON.stringify({ groups: [{ name: 'broken', rules: [{ record: 'broken:check', expr: 'sum(http_requests_total[5m])' }] }] }));
    try {
      const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect(result.status).not.toBe(0);
      expect(`${result.stdout}${result.stderr}`).toContain('expected type instant vector in aggregation expression, got range vector');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
