import { EnvironmentSplit, splitEnvironment } from '../../synth/environment-split';
import { App, Chart } from 'cdk8s';
import { EnvironmentChart } from '../../charts/environment-chart';
import { EnvironmentConfig, EnvironmentName } from '../../lib/config/environment-config';
import { ClusterConfig } from '../../lib/config/clusters';
import { ENVIRONMENTS, previewEnvironment } from '../../lib/config/environments';
import { clusterAddonsOf } from '../../lib/config/addon-sizing';
import { Addon } from '../../lib/gitops/addon-catalog';
import { PlatformProject } from '../../lib/gitops/platform-project';
import { PREVIEW_PROBE_ID } from '../../lib/gitops/preview-parametrization';

export function environmentChart(config: EnvironmentConfig): EnvironmentChart {
  return new EnvironmentChart(new App(), config.name, { config });
}

export function stagingChart(): EnvironmentChart {
  return environmentChart(ENVIRONMENTS.staging);
}

export function previewCharts(): { base: EnvironmentChart; probe: EnvironmentChart } {
  return { base: environmentChart(ENVIRONMENTS.preview), probe: environmentChart(previewEnvironment(PREVIEW_PROBE_ID)) };
}

/** The preview split as synth splits it: the pull request's content and the namespace with its guard rails, for the base id and the probe id. */
export function previewParts(): { base: EnvironmentSplit; probe: EnvironmentSplit } {
  const { base, probe } = previewCharts();
  return { base: splitEnvironment(base, { isPreview: true }), probe: splitEnvironment(probe, { isPreview: true }) };
}

/** The add-ons of a cluster, as synth renders them. */
export function clusterAddons(cluster: ClusterConfig): readonly Addon[] {
  const configOf = (environment: EnvironmentName) => ENVIRONMENTS[environment];
  return clusterAddonsOf(cluster, configOf);
}

export function platformProject(scope: Chart, namespaces: string[] = ['generator-platform', 'generator-platform-pr-*']): PlatformProject {
  return new PlatformProject(scope, 'generator-platform', { namespaces, clusterResourceKinds: [{ group: '', kind: 'Namespace' }] });
}
