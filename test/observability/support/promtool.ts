import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { App, Chart } from 'cdk8s';
import { PrometheusRule } from '../../../imports/monitoring.coreos.com';
import { promtoolTestFile, ruleGroupSpec } from '../../../lib/observability/rules/promtool';
import { AlertDefinition, RuleGroupDefinition } from '../../../lib/observability/rules/rule-types';
import { KubeObject } from '../../support/kube';

export interface PromtoolRun {
  readonly status: number | null;
  readonly output: string;
}

/** The rendered PrometheusRules, one rule file each: exactly what the operator hands Prometheus. */
export function writeRuleFiles(dir: string, rules: readonly KubeObject[]): string[] {
  return rules.map((rule) => {
    const file = `${rule.metadata.name}.yaml`;
    fs.writeFileSync(path.join(dir, file), YAML.stringify(rule.spec));
    return file;
  });
}

export function promtool(dir: string, ...args: string[]): PromtoolRun {
  const run = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: run.status, output: `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}` };
}

function promtoolAsync(dir: string, args: readonly string[]): Promise<PromtoolRun> {
  return new Promise((resolve) => {
    const child = spawn('promtool', args, { cwd: dir });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ status: null, output: `${output}${String(error)}` }));
    child.on('close', (status) => resolve({ status, output }));
  });
}

export interface PromtoolResult {
  readonly dir: string;
  readonly check: PromtoolRun;
  /** One run of `promtool test rules` per alert, by alert name. */
  readonly tests: ReadonlyMap<string, PromtoolRun>;
}

/** Characters of a PromQL metric name; a recorded name is read where it stands between others. */
const METRIC_NAME_CHAR = /[a-zA-Z0-9_:]/;

function mentions(expr: string, metric: string): boolean {
  for (let at = expr.indexOf(metric); at !== -1; at = expr.indexOf(metric, at + 1)) {
    const before = expr[at - 1];
    const after = expr[at + metric.length];
    if ((before === undefined || !METRIC_NAME_CHAR.test(before)) && (after === undefined || !METRIC_NAME_CHAR.test(after))) {
      return true;
    }
  }
  return false;
}

/**
 * The rule files (in their given order) that can change what `alertName` evaluates to: its own
 * file, and every file recording a series that a file already needed reads, transitively. A rule
 * sees other rules only through the series they record, so the alert evaluates exactly as with
 * all files loaded; what the others would add is evaluation time only (the SLO group's 3-day
 * windows at every step made each test cost seconds). An expression selecting by `__name__` could
 * read anything: then all files.
 */
export function ruleFilesFor(alertName: string, rules: readonly KubeObject[], ruleFiles: readonly string[]): string[] {
  const rulesOf = (rule: KubeObject): any[] => rule.spec.groups.flatMap((group: any) => group.rules);
  const exprOf = (r: any) => String(r.expr);
  const owner = rules.findIndex((rule) => rulesOf(rule).some((r) => r.alert === alertName));
  if (owner === -1) {
    throw new Error(`no rendered rule file has the alert ${alertName}`);
  }
  if (rules.some((rule) => rulesOf(rule).some((r) => exprOf(r).includes('__name__')))) {
    return [...ruleFiles];
  }
  const needed = new Set([owner]);
  for (let grew = true; grew;) {
    grew = false;
    const exprs = [...needed].flatMap((index) => rulesOf(rules[index]).map(exprOf));
    rules.forEach((rule, index) => {
      if (!needed.has(index) && rulesOf(rule).some((r) => r.record !== undefined && exprs.some((expr) => mentions(expr, r.record)))) {
        needed.add(index);
        grew = true;
      }
    });
  }
  return ruleFiles.filter((_, index) => needed.has(index));
}

export interface CheckAndTestOptions {
  /** `promtool test rules` processes at a time. @default 4 */
  readonly parallel?: number;
  /** Whether to run `promtool check rules` too (`check` is then undefined). @default true */
  readonly check?: boolean;
}

/**
 * Writes the rendered rules and one promtool test file per alert (loading the rule files its
 * alert depends on: ruleFilesFor) into a fresh folder, runs `promtool check rules` on all rule
 * files (duplicate rules are fatal) and `promtool test rules` on every test file, a few at a time.
 * The caller removes `dir`; on an error it is removed here.
 */
export async function checkAndTest(rules: readonly KubeObject[], alerts: readonly AlertDefinition[], options: CheckAndTestOptions = {}): Promise<PromtoolResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-'));
  try {
    const ruleFiles = writeRuleFiles(dir, rules);
    for (const alert of alerts) {
      fs.writeFileSync(path.join(dir, `${alert.name}.test.yaml`), YAML.stringify(promtoolTestFile(alert, ruleFilesFor(alert.name, rules, ruleFiles))));
    }
    const check = options.check === false ? undefined : promtool(dir, 'check', 'rules', '--lint=all', '--lint-fatal', ...ruleFiles);
    const tests = new Map<string, PromtoolRun>();
    const queue = [...alerts];
    const worker = async () => {
      for (let alert = queue.shift(); alert !== undefined; alert = queue.shift()) {
        tests.set(alert.name, await promtoolAsync(dir, ['test', 'rules', `${alert.name}.test.yaml`]));
      }
    };
    await Promise.all(Array.from({ length: options.parallel ?? 4 }, worker));
    return { dir, check: check!, tests };
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Rule groups rendered as PrometheusRules the way PlatformAlertRules renders them, for altered groups. */
export function renderGroups(groups: readonly RuleGroupDefinition[]): KubeObject[] {
  const chart = new Chart(new App(), 'rules');
  for (const group of groups) {
    new PrometheusRule(chart, group.name, { metadata: { name: `rules-${group.name}` }, spec: { groups: [ruleGroupSpec(group)] } });
  }
  return chart.toJson() as KubeObject[];
}
