import { DEFAULT_MODEL_OPTIONS, ModelOptions, RELEASE_BUDGET_SECONDS } from './budget-constants';
import { RenderedObject } from './manifests';
import { ReleaseEstimate, TimeCategory } from './release-estimate';
import { estimateEnvironment } from './release-time';

/** The estimates of one environment and its budget. */
export interface EnvironmentReport {
  readonly environment: string;
  readonly estimates: readonly ReleaseEstimate[];
  /** The slowest budgeted workload's total; 0 with none. */
  readonly maximumSeconds: number;
  /** Undefined when the environment has no budget. */
  readonly budgetSeconds?: number;
  /** Budgeted workloads whose total exceeds the budget. */
  readonly overBudget: readonly ReleaseEstimate[];
}

export interface DeployTimeReport {
  readonly environments: readonly EnvironmentReport[];
  /** True when every environment with a budget is within it. */
  readonly withinBudget: boolean;
}

/**
 * The deploy-time report over everything rendered: every folder with a modelled workload is an
 * environment; Argo CD Applications anywhere (e.g. `argocd/`) contribute their sync waves.
 */
export function buildDeployTimeReport(
  objects: readonly RenderedObject[],
  options: ModelOptions = DEFAULT_MODEL_OPTIONS,
  budgets: Readonly<Record<string, number>> = RELEASE_BUDGET_SECONDS,
): DeployTimeReport {
  const applications = objects.filter((o) => o.kind === 'Application' && o.apiVersion.startsWith('argoproj.io/'));
  const webhookSecrets = objects.filter((o) => o.kind === 'ExternalSecret');
  const names = [...new Set(objects.map((o) => o.environment))].sort();
  const environments = names
    .map((environment) => {
      const estimates = estimateEnvironment(objects.filter((o) => o.environment === environment), applications, options, webhookSecrets);
      const budgeted = estimates.filter((e) => e.budgeted);
      const budgetSeconds = budgets[environment];
      return {
        environment,
        estimates,
        maximumSeconds: budgeted.reduce((max, e) => Math.max(max, e.totalSeconds), 0),
        budgetSeconds,
        overBudget: budgetSeconds === undefined ? [] : budgeted.filter((e) => e.totalSeconds > budgetSeconds),
      };
    })
    .filter((report) => report.estimates.length > 0);
  return { environments, withinBudget: environments.every((e) => e.overBudget.length === 0) };
}

const COLUMNS: readonly TimeCategory[] = [TimeCategory.DETECTION, TimeCategory.ROLLOUT, TimeCategory.PAUSES, TimeCategory.ANALYSIS, TimeCategory.SWITCH, TimeCategory.WAVES];

/** A table per environment: service, strategy, replicas, pod readiness, each time category, total; then the verdict. */
export function formatDeployTimeReport(report: DeployTimeReport): string {
  const lines: string[] = [];
  for (const environment of report.environments) {
    const budget = environment.budgetSeconds === undefined ? 'no budget' : `budget ${environment.budgetSeconds} s per workload`;
    lines.push(`${environment.environment} (${budget})`);
    const header = ['workload', 'strategy', 'replicas', 'pod ready', ...COLUMNS, 'total', 'if webhook fails'];
    const rows = environment.estimates.map((e) => [
      `${e.kind}/${e.name}${e.budgeted ? '' : ' (outside budget)'}`,
      e.strategy,
      String(e.replicas),
      `${seconds(e.pod.totalSeconds)} (${e.pod.imagePullSeconds}+${e.pod.startSeconds}+${e.pod.readySeconds}+${e.pod.minReadySeconds})`,
      ...COLUMNS.map((category) => seconds(sumOf(e, category))),
      seconds(e.totalSeconds),
      e.fallbackTotalSeconds === undefined ? '-' : seconds(e.fallbackTotalSeconds),
    ]);
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
    const render = (cells: readonly string[]) => `  ${cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')}`.trimEnd();
    lines.push(render(header), ...rows.map(render));
    for (const estimate of environment.estimates) {
      const details = estimate.components.filter((c) => c.seconds !== 0).map((c) => `${c.category}: ${c.detail}`);
      for (const note of [...details, ...estimate.notes]) {
        lines.push(`    ${estimate.name}: ${note}`);
      }
    }
    const verdict = environment.budgetSeconds === undefined
      ? `maximum ${seconds(environment.maximumSeconds)}`
      : `maximum ${seconds(environment.maximumSeconds)} of ${environment.budgetSeconds} s: ${environment.overBudget.length === 0 ? 'within budget' : `OVER BUDGET: ${environment.overBudget.map((e) => `${e.kind}/${e.name} ${seconds(e.totalSeconds)} (largest: ${largest(e)})`).join(', ')}`}`;
    lines.push(`  ${verdict}`, '');
  }
  lines.push('pod ready = image pull + start + readiness + minReadySeconds; "if webhook fails" = the total with polling instead of the webhook (reported, not budgeted); times are worst-case estimates in seconds (docs/delivery.md)');
  return lines.join('\n');
}

/** The report as JSON; an unbounded time is `null` with `"unbounded": true`. */
export function deployTimeReportJson(report: DeployTimeReport): string {
  const finite = (value: number) => (Number.isFinite(value) ? value : null);
  return JSON.stringify({
    withinBudget: report.withinBudget,
    environments: report.environments.map((environment) => ({
      environment: environment.environment,
      budgetSeconds: environment.budgetSeconds ?? null,
      maximumSeconds: finite(environment.maximumSeconds),
      overBudget: environment.overBudget.map((e) => `${e.kind}/${e.name}`),
      workloads: environment.estimates.map((e) => ({
        service: e.service,
        kind: e.kind,
        name: e.name,
        strategy: e.strategy,
        replicas: e.replicas,
        budgeted: e.budgeted,
        pod: e.pod,
        components: e.components.map((c) => ({ category: c.category, seconds: finite(c.seconds), detail: c.detail })),
        totalSeconds: finite(e.totalSeconds),
        unbounded: !Number.isFinite(e.totalSeconds),
        ifWebhookFailsSeconds: e.fallbackTotalSeconds === undefined ? null : finite(e.fallbackTotalSeconds),
        outsideBudgetReason: e.outsideBudgetReason ?? null,
        notes: e.notes,
      })),
    })),
  }, null, 2);
}

/** The component that costs most, named with its detail: what to change first. */
function largest(estimate: ReleaseEstimate): string {
  const top = estimate.components.reduce((max, c) => (c.seconds > max.seconds ? c : max));
  return `${top.category} ${seconds(top.seconds)} s: ${top.detail}`;
}

function sumOf(estimate: ReleaseEstimate, category: TimeCategory): number {
  return estimate.components.filter((c) => c.category === category).reduce((sum, c) => sum + c.seconds, 0);
}

function seconds(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value * 10) / 10}` : 'unbounded';
}
