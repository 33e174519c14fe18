import { Construct } from 'constructs';
import { PrometheusRule } from '../../imports/monitoring.coreos.com';
import { PLATFORM_NAME } from '../platform/labels';
import { generatorAlerts } from './rules/generator-alerts';
import { clusterAlerts, MonitoredIngressController, platformAlerts } from './rules/platform-alerts';
import { saturationAlerts } from './rules/saturation-alerts';
import { storeAlerts } from './rules/store-alerts';
import { ruleGroupSpec } from './rules/promtool';
import { AlertDefinition, RuleGroupDefinition } from './rules/rule-types';
import {
  BurnRateAlertWindows,
  burnRateAlerts,
  MULTI_WINDOW_BURN_RATES,
  errorRatioRecording,
  latencyP95Recording,
  RELEASE_ANALYSIS_WINDOW,
  SliKind,
  SloObjective,
  sloRecordingRules,
  TEST_RATIOS_99_9,
} from './rules/slo-rules';

export type { MonitoredIngressController } from './rules/platform-alerts';

/** The namespace the rules watch (a NamespaceBaseline). */
export interface IRuleNamespace {
  readonly namespaceName: string;
}

/** The generation job queue (a JobQueue). */
export interface IMonitoredQueue {
  readonly queueName: string;
}

/** The broker holding the queue (a MessageBroker). */
export interface IMonitoredBroker {
  readonly vhostName: string;
}

/**
 * The platform's objectives: availability and latency at 99.9% for web and api. The latency
 * thresholds are the release gates' p95 ceilings (README "Container contract"), and must be
 * bucket boundaries of `http_request_duration_seconds`.
 */
export const PLATFORM_SLOS: readonly SloObjective[] = [
  { service: 'web', sli: SliKind.AVAILABILITY, objectivePercent: 99.9, test: { badRatios: TEST_RATIOS_99_9 } },
  { service: 'web', sli: SliKind.LATENCY, objectivePercent: 99.9, latencyThresholdSeconds: 0.8, test: { badRatios: TEST_RATIOS_99_9, bucketLe: '0.8' } },
  { service: 'api', sli: SliKind.AVAILABILITY, objectivePercent: 99.9, test: { badRatios: TEST_RATIOS_99_9 } },
  { service: 'api', sli: SliKind.LATENCY, objectivePercent: 99.9, latencyThresholdSeconds: 0.5, test: { badRatios: TEST_RATIOS_99_9, bucketLe: '0.5' } },
];

/** A service's public hostname, whose availability is also measured where users meet it: at ingress-nginx. */
export interface PublicHost {
  /** The service the hostname publishes, e.g. `web`; names the objective and labels its alerts. */
  readonly service: string;
  /** The hostname, as ingress-nginx labels its requests (`host`). */
  readonly hostname: string;
}

/**
 * The 99.9% availability objective of each public hostname, measured at ingress-nginx: the same
 * budget as at the pods, with every request the pods never saw counted as well.
 */
export function edgeSlos(hosts: readonly PublicHost[]): SloObjective[] {
  return hosts.map((host) => ({ service: host.service, sli: SliKind.EDGE_AVAILABILITY, objectivePercent: 99.9, hostname: host.hostname, test: { badRatios: TEST_RATIOS_99_9 } }));
}

export interface PlatformAlertRulesProps {
  /** The namespace whose workloads the rules judge; the PrometheusRules live in it too. */
  readonly namespace: IRuleNamespace;
  /** The generation job queue, for the backlog alert. */
  readonly jobQueue: IMonitoredQueue;
  /** The broker of the job queue, for its vhost. */
  readonly broker: IMonitoredBroker;
  /**
   * The service level objectives to record and alert on.
   * @default PLATFORM_SLOS
   */
  readonly objectives?: readonly SloObjective[];
  /**
   * Public hostnames whose availability is measured at ingress-nginx as well (edgeSlos()): a 503
   * without ready pods, a failed sign-in or session store never reaches the pods' own counters.
   * @default - none: availability is measured at the pods only
   */
  readonly publicHosts?: readonly PublicHost[];
  /**
   * The ingress controller the edge objectives read. With no controller pod scraped they measure
   * nothing, so a cluster-wide alert pages then (with the cluster-wide rules).
   * @default - no alert on the controller's metrics
   */
  readonly ingressController?: MonitoredIngressController;
  /**
   * The multi-window, multi-burn-rate scheme of the SLO alerts.
   * @default MULTI_WINDOW_BURN_RATES
   */
  readonly burnRateWindows?: readonly BurnRateAlertWindows[];
  /**
   * Value of an `environment` label on every alert, so that Alertmanager can route by environment
   * (e.g. only production and staging page; development and previews go to a channel).
   * @default - no environment label
   */
  readonly environment?: string;
  /**
   * Whether to render the cluster-wide rules (nodes). One environment per cluster renders them;
   * previews share the development cluster and leave them out.
   * @default true
   */
  readonly includeClusterWideRules?: boolean;
}

/** The rule groups of one environment, one per concern: what PlatformAlertRules renders. */
export function platformRuleGroups(props: PlatformAlertRulesProps): RuleGroupDefinition[] {
  const namespace = props.namespace.namespaceName;
  const objectives = [...(props.objectives ?? PLATFORM_SLOS), ...edgeSlos(props.publicHosts ?? [])];
  const groups: RuleGroupDefinition[] = [
    {
      // Release analysis reads these every 20 s, so they are evaluated at the scrape interval.
      name: 'release-analysis',
      interval: '15s',
      recordings: [errorRatioRecording(namespace, RELEASE_ANALYSIS_WINDOW), latencyP95Recording(namespace)],
      alerts: [],
    },
    { name: 'slo', recordings: sloRecordingRules(namespace, objectives), alerts: objectives.flatMap((objective) => burnRateAlerts(namespace, objective, props.burnRateWindows ?? MULTI_WINDOW_BURN_RATES)) },
    { name: 'generator', recordings: [], alerts: generatorAlerts(namespace, { vhost: props.broker.vhostName, queue: props.jobQueue.queueName }) },
    { name: 'saturation', recordings: [], alerts: saturationAlerts(namespace) },
    { name: 'stores', recordings: [], alerts: storeAlerts(namespace) },
    { name: 'platform', recordings: [], alerts: platformAlerts(namespace) },
  ];
  if (props.includeClusterWideRules ?? true) {
    groups.push({ name: 'cluster', recordings: [], alerts: clusterAlerts(props.ingressController) });
  }
  validateGroups(groups);
  const environment = props.environment;
  if (environment === undefined) {
    return groups;
  }
  if (!/^[a-z0-9-]+$/.test(environment)) {
    throw new Error(`PlatformAlertRules: environment is ${JSON.stringify(environment)}; use the environment's name, e.g. production`);
  }
  return groups.map((group) => ({ ...group, alerts: group.alerts.map((alert) => ({ ...alert, labels: { ...alert.labels, environment } })) }));
}

/**
 * The platform's PrometheusRules: the recording rules release analysis and the SLOs read, the
 * multi-window, multi-burn-rate SLO alerts, and the generator, saturation, store, platform and
 * cluster alerts, one PrometheusRule (`rules-<group>`) per concern. kube-prometheus-stack selects
 * every PrometheusRule (its ruleSelector is nil), so they carry only the platform's labels.
 */
export class PlatformAlertRules extends Construct {
  /** The rendered groups, with every alert's test data, for promtool. */
  public readonly groups: readonly RuleGroupDefinition[];

  public constructor(scope: Construct, id: string, props: PlatformAlertRulesProps) {
    super(scope, id);
    this.groups = platformRuleGroups(props);
    for (const group of this.groups) {
      const name = `rules-${group.name}`;
      new PrometheusRule(this, group.name, {
        metadata: {
          name,
          namespace: props.namespace.namespaceName,
          labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/component': 'alerting-rules' },
        },
        spec: { groups: [ruleGroupSpec(group)] },
      });
    }
  }

  /** Every alert of every group. */
  public get alerts(): AlertDefinition[] {
    return this.groups.flatMap((group) => group.alerts);
  }
}

function validateGroups(groups: readonly RuleGroupDefinition[]): void {
  const seen = new Set<string>();
  for (const alert of groups.flatMap((group) => group.alerts)) {
    if (seen.has(alert.name)) {
      throw new Error(`PlatformAlertRules: alert ${alert.name} is defined twice; alert names must be unique`);
    }
    seen.add(alert.name);
    if (alert.tests.firing.length === 0 || alert.tests.quiet.length === 0) {
      throw new Error(`PlatformAlertRules: alert ${alert.name} has ${alert.tests.firing.length} firing and ${alert.tests.quiet.length} quiet test cases; give it at least one of each`);
    }
  }
}
