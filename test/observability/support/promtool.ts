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

/**
 * Writes the rendered rules and one promtool test file per alert into a fresh folder, runs
 * `promtool check rules` (duplicate rules are fatal) and `promtool test rules` on every test file,
 * a few at a time.
 */
export async function checkAndTest(rules: readonly KubeObject[], alerts: readonly AlertDefinition[], parallel = 4): Promise<PromtoolResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-'));
  const ruleFiles = writeRuleFiles(dir, rules);
  for (const alert of alerts) {
    fs.writeFileSync(path.join(dir, `${alert.name}.test.yaml`), YAML.stringify(promtoolTestFile(alert, ruleFiles)));
  }
  const check = promtool(dir, 'check', 'rules', '--lint=all', '--lint-fatal', ...ruleFiles);
  const tests = new Map<string, PromtoolRun>();
  const queue = [...alerts];
  const worker = async () => {
    for (let alert = queue.shift(); alert !== undefined; alert = queue.shift()) {
      tests.set(alert.name, await promtoolAsync(dir, ['test', 'rules', `${alert.name}.test.yaml`]));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { dir, check, tests };
}

/** Rule groups rendered as PrometheusRules the way PlatformAlertRules renders them, for altered groups. */
export function renderGroups(groups: readonly RuleGroupDefinition[]): KubeObject[] {
  const chart = new Chart(new App(), 'rules');
  for (const group of groups) {
    new PrometheusRule(chart, group.name, { metadata: { name: `rules-${group.name}` }, spec: { groups: [ruleGroupSpec(group)] } });
  }
  return chart.toJson() as KubeObject[];
}
