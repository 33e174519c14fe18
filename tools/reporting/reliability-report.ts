import { NodePoolConfig } from '../../lib/config/environment-config';
import { DEFAULT_MODEL_OPTIONS, ModelOptions } from './budget-constants';
import { CapacityReport, capacityOf, formatCapacity, table } from './capacity';
import { RenderedObject } from './manifests';
import { Failure, FAILURES, RecoveryFigure } from './recovery-figure';
import { DOWNTIME_BUDGET_SECONDS, SPECIFICATION } from './recovery-constants';
import { recoveryPoints } from './recovery-points';
import { RecoveryTime, recoveryTimes } from './recovery-times';

/** The environments the specification's promises hold for: `npm run report` fails when one breaks there. */
export const SPECIFIED_ENVIRONMENTS: readonly string[] = ['production'];

/** What the report needs of an environment's config: its node pool and zones. */
export interface EnvironmentCapacityConfig {
  readonly nodePool: NodePoolConfig;
  readonly zones: readonly string[];
}

/** What one failure of a kind spends of the 99.9% budget: the worst outage of any service or store. */
export interface BudgetSpend {
  readonly failure: Failure;
  readonly outageSeconds: number;
  readonly subject: string;
  readonly checked: boolean;
}

export interface EnvironmentReliability {
  readonly environment: string;
  readonly specified: boolean;
  readonly capacity?: CapacityReport;
  readonly rpo: readonly RecoveryFigure[];
  readonly rto: readonly RecoveryTime[];
  readonly budget: readonly BudgetSpend[];
  /** One line per broken promise naming the setting; empty when within the specification (or not specified). */
  readonly failures: readonly string[];
}

export interface ReliabilityReport {
  readonly environments: readonly EnvironmentReliability[];
  readonly withinSpecification: boolean;
}

/**
 * Capacity, RPO, RTO and the availability budget of every rendered environment that has the
 * namespace quota and a config (`configs`: its node pool and zones), from the rendered objects.
 */
export function buildReliabilityReport(objects: readonly RenderedObject[], configs: Readonly<Record<string, EnvironmentCapacityConfig>>, options: ModelOptions = DEFAULT_MODEL_OPTIONS): ReliabilityReport {
  const names = [...new Set(objects.map((o) => o.environment))].sort()
    .filter((name) => configs[name] !== undefined && objects.some((o) => o.environment === name && o.kind === 'ResourceQuota'));
  const environments = names.map((environment) => {
    const own = objects.filter((o) => o.environment === environment);
    // The cluster-wide issuers (dist/argocd/<environment>/...) decide whether HTTP-01 solver pods run in the namespace.
    const issuers = objects.filter((o) => o.kind === 'ClusterIssuer' && o.environment.startsWith(`argocd/${environment}`));
    const config = configs[environment];
    const capacity = capacityOf(environment, [...own, ...issuers], config.nodePool, config.zones.length);
    const rpo = recoveryPoints(own);
    const rto = recoveryTimes(own, options);
    const budget = FAILURES.map((failure) => worstOutage(failure, rto));
    const specified = SPECIFIED_ENVIRONMENTS.includes(environment);
    const failures = specified ? [...(capacity?.failures ?? []), ...broken(environment, rpo, rto, budget)] : [];
    return { environment, specified, capacity, rpo, rto, budget, failures };
  });
  return { environments, withinSpecification: environments.every((e) => e.failures.length === 0) };
}

function worstOutage(failure: Failure, rto: readonly RecoveryTime[]): BudgetSpend {
  const candidates = rto.filter((t) => t.failure === failure);
  const worst = candidates.reduce<RecoveryTime | undefined>((max, t) => (max === undefined || t.outageSeconds > max.outageSeconds ? t : max), undefined);
  return { failure, outageSeconds: worst?.outageSeconds ?? 0, subject: worst?.subject ?? '-', checked: worst?.checked ?? true };
}

function broken(environment: string, rpo: readonly RecoveryFigure[], rto: readonly RecoveryTime[], budget: readonly BudgetSpend[]): string[] {
  const failures: string[] = [];
  for (const point of rpo.filter((p) => p.checked && !(p.seconds < SPECIFICATION.rpoSeconds))) {
    failures.push(`${environment}: RPO of ${point.subject} on ${point.failure} loss is ${withUnit(point.seconds)}, not under ${SPECIFICATION.rpoSeconds} s: ${point.setting}`);
  }
  for (const time of rto.filter((t) => t.checked && !(t.seconds < SPECIFICATION.rtoSeconds))) {
    failures.push(`${environment}: RTO of ${time.subject} on ${time.failure} loss is ${withUnit(time.seconds)}, not under ${SPECIFICATION.rtoSeconds} s: ${time.setting}`);
  }
  for (const spend of budget.filter((s) => s.checked && !(s.outageSeconds <= DOWNTIME_BUDGET_SECONDS))) {
    const setting = rto.find((t) => t.subject === spend.subject && t.failure === spend.failure)?.setting;
    failures.push(`${environment}: one ${spend.failure} loss takes ${spend.subject} down ${withUnit(spend.outageSeconds)}, over the 99.9% budget of ${DOWNTIME_BUDGET_SECONDS} s per 30 days: ${setting}`);
  }
  return failures;
}

/** Tables per environment (capacity, RPO, RTO, budget), the assumptions of specified ones, then the verdict. */
export function formatReliabilityReport(report: ReliabilityReport): string {
  const lines: string[] = [];
  for (const environment of report.environments) {
    lines.push(`${environment.environment} reliability (${environment.specified ? `specification: RPO < ${SPECIFICATION.rpoSeconds} s, RTO < ${SPECIFICATION.rtoSeconds} s, 99.9%` : 'no specification: informational'})`);
    if (environment.capacity) {
      lines.push(...formatCapacity(environment.capacity));
    }
    lines.push('  RPO (seconds of acknowledged writes lost)', ...byFailure(environment.rpo));
    lines.push('  RTO (seconds until served in full again)', ...byFailure(environment.rto));
    lines.push(`  99.9% budget: ${DOWNTIME_BUDGET_SECONDS} s (${DOWNTIME_BUDGET_SECONDS / 60} min) per 30 days; one failure of each kind spends (worst service or store)`);
    lines.push(...table(['failure', 'outage', 'of budget', 'per 30 days', 'worst'], environment.budget.map((spend) => [
      spend.failure,
      seconds(spend.outageSeconds),
      share(spend.outageSeconds),
      spend.outageSeconds === 0 ? 'any' : String(Math.floor(DOWNTIME_BUDGET_SECONDS / spend.outageSeconds)),
      `${spend.subject}${spend.checked ? '' : ' (estimate)'}`,
    ])));
    if (environment.specified) {
      for (const item of [...environment.rpo.map((f) => ['RPO', f] as const), ...environment.rto.map((f) => ['RTO', f] as const)]) {
        lines.push(`    ${item[0]} ${item[1].subject} ${item[1].failure}: ${item[1].assumes}; decided by ${item[1].setting}${item[1].checked ? '' : ' [estimate, not checked]'}`);
      }
      const verdict = environment.failures.length === 0 ? 'within the specification' : `BREAKS THE SPECIFICATION:\n${environment.failures.map((f) => `    ${f}`).join('\n')}`;
      lines.push(`  ${environment.environment}: ${verdict}`);
    }
    lines.push('');
  }
  lines.push('outage = the time requests to the failed part fail, counted in full though only its share fails (what the budget pays); estimates (region loss: the restore from docs/disaster-recovery.md) are shown but not checked; constants in tools/reporting/recovery-constants.ts');
  return lines.join('\n');
}

/** Subjects as rows, failures as columns; `*` marks an estimate that is not checked. */
function byFailure(figures: readonly RecoveryFigure[]): string[] {
  const subjects = [...new Set(figures.map((f) => f.subject))];
  const rows = subjects.map((subject) => [subject, ...FAILURES.map((failure) => {
    const match = figures.find((f) => f.subject === subject && f.failure === failure);
    return match === undefined ? '-' : `${seconds(match.seconds)}${match.checked ? '' : '*'}`;
  })]);
  return table(['', ...FAILURES], rows);
}

/** The report as a JSON value (for `--json`); an unbounded number is `null` with `"unbounded": true`. */
export function reliabilityReportJson(report: ReliabilityReport): unknown {
  const finite = (value: number) => (Number.isFinite(value) ? value : null);
  const figureJson = (f: RecoveryFigure) => ({ subject: f.subject, failure: f.failure, seconds: finite(f.seconds), unbounded: !Number.isFinite(f.seconds), checked: f.checked, assumes: f.assumes, setting: f.setting });
  return {
    withinSpecification: report.withinSpecification,
    specification: { ...SPECIFICATION, downtimeBudgetSeconds: DOWNTIME_BUDGET_SECONDS },
    environments: report.environments.map((e) => ({
      environment: e.environment,
      specified: e.specified,
      capacity: e.capacity === undefined ? null : { zones: e.capacity.zones, resources: e.capacity.resources.map((r) => ({ ...r, headroomAfterZoneLoss: finite(r.headroomAfterZoneLoss) })) },
      rpo: e.rpo.map(figureJson),
      rto: e.rto.map((t) => ({ ...figureJson(t), outageSeconds: finite(t.outageSeconds) })),
      budget: e.budget.map((s) => ({ ...s, outageSeconds: finite(s.outageSeconds) })),
      failures: e.failures,
    })),
  };
}

function share(outageSeconds: number): string {
  return Number.isFinite(outageSeconds) ? `${Math.round((outageSeconds / DOWNTIME_BUDGET_SECONDS) * 1000) / 10}%` : 'unbounded';
}

function withUnit(value: number): string {
  return Number.isFinite(value) ? `${seconds(value)} s` : 'unbounded';
}

function seconds(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value * 10) / 10}` : 'unbounded';
}
