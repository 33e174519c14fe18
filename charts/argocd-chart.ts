import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../lib/config/environment-config';
import { PLATFORM_NAME } from '../lib/platform/labels';
import { Addon } from '../lib/gitops/addon-catalog';
import { AddonApplication } from '../lib/gitops/addon-application';
import { AddonProject } from '../lib/gitops/addon-project';
import { CertificateAuthorityApplication } from '../lib/gitops/certificate-authority-application';
import { ClusterDefinition } from '../lib/gitops/clusters';
import { EnvironmentApplication } from '../lib/gitops/environment-application';
import { distinctGroupKinds } from '../lib/gitops/group-kind';
import { PlatformProject } from '../lib/gitops/platform-project';
import { PreviewApplicationSet } from '../lib/gitops/preview-application-set';
import { clusterScopedKinds, namespacedRbacKinds, namespacesOf, renderedObjectsOf } from '../lib/gitops/rendered-objects';
import { ARGOCD_NAMESPACE } from '../lib/gitops/repository';
import { RootApplication } from '../lib/gitops/root-application';
import { ClusterCertificateAuthorityChart } from './cluster-certificate-authority-chart';

/** An environment as rendered: its config and its chart. */
export interface RenderedEnvironment {
  readonly config: EnvironmentConfig;
  readonly chart: Chart;
}

export interface ArgoCdChartProps {
  readonly cluster: ClusterDefinition;
  /** The rendered environments the cluster runs (cluster.environments, in that order). */
  readonly environments: readonly RenderedEnvironment[];
  /**
   * dist/preview and the same preview rendered for PREVIEW_PROBE_ID; required when cluster.runsPreviews.
   * @default - no previews
   */
  readonly preview?: { readonly base: RenderedEnvironment; readonly probe: Chart };
  /** The cluster's internal CA as rendered (`certificate-authority/`), which its own Application syncs. */
  readonly certificateAuthority: ClusterCertificateAuthorityChart;
  /** The operators installed on the cluster (addonsOf() with the cluster's log pipeline settings). */
  readonly addons: readonly Addon[];
}

/**
 * Everything Argo CD needs on one cluster, rendered to `dist/argocd/<cluster>/`: the AppProjects,
 * one Application per add-on and per environment, the preview ApplicationSet, and the root
 * Application that syncs this folder. Composition only.
 */
export class ArgoCdChart extends Chart {
  public readonly platformProject: PlatformProject;
  public readonly root: RootApplication;
  public readonly environmentApplications: readonly EnvironmentApplication[];
  public readonly addonApplications: readonly AddonApplication[];
  public readonly certificateAuthorityApplication: CertificateAuthorityApplication;
  public readonly previews?: PreviewApplicationSet;

  public constructor(scope: Construct, id: string, props: ArgoCdChartProps) {
    super(scope, id, { labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME } });
    const { cluster } = props;
    if (cluster.runsPreviews && !props.preview) {
      throw new Error(`ArgoCdChart ${id}: cluster ${cluster.name} runs previews, but no rendered preview was given`);
    }
    const { addons } = props;
    const renderedCharts = [...props.environments.map((e) => e.chart), ...(cluster.runsPreviews && props.preview ? [props.preview.base.chart] : [])];

    const projects = new Construct(this, 'projects');
    const bootstrap = new PlatformProject(projects, 'platform-bootstrap', {
      description: 'The root Application: Argo CD objects of this cluster, from this repository only',
      namespaces: [ARGOCD_NAMESPACE],
      clusterResourceKinds: [],
      namespaceResourceKinds: [
        { group: 'argoproj.io', kind: 'Application' },
        { group: 'argoproj.io', kind: 'ApplicationSet' },
        { group: 'argoproj.io', kind: 'AppProject' },
      ],
    });
    this.platformProject = new PlatformProject(projects, 'generator-platform', {
      description: 'The generator platform, rendered to dist/ by this repository',
      namespaces: [...props.environments.map((e) => e.config.namespace), ...(cluster.runsPreviews ? ['generator-platform-pr-*'] : [])],
      clusterResourceKinds: distinctGroupKinds(renderedCharts.flatMap((chart) => clusterScopedKinds(renderedObjectsOf(chart)))),
      // Only where an environment renders them (the Vault issuer's token-request Role in staging and production).
      renderedRbacKinds: distinctGroupKinds(renderedCharts.flatMap((chart) => namespacedRbacKinds(renderedObjectsOf(chart)))),
    });
    const addonProject = new AddonProject(projects, 'platform-addons', { addons });
    const caObjects = renderedObjectsOf(props.certificateAuthority);
    const caProject = new PlatformProject(projects, 'platform-certificate-authority', {
      description: "The cluster's internal CA: its ClusterIssuer, and the CA certificate operators trust",
      namespaces: namespacesOf(caObjects),
      clusterResourceKinds: clusterScopedKinds(caObjects),
      // The Vault issuer's token-request Role, where the CA signs through Vault.
      renderedRbacKinds: namespacedRbacKinds(caObjects),
    });

    const addonScope = new Construct(this, 'addons');
    this.addonApplications = addons.map((addon) => new AddonApplication(addonScope, addon.name, { addon, project: addonProject }));

    this.certificateAuthorityApplication = new CertificateAuthorityApplication(this, 'certificate-authority', {
      clusterName: cluster.name,
      project: caProject,
      clusterResourceNamespace: props.certificateAuthority.internalCa.clusterResourceNamespace,
    });

    const environmentScope = new Construct(this, 'environments');
    this.environmentApplications = props.environments.map(
      ({ config, chart }) =>
        new EnvironmentApplication(environmentScope, config.name, {
          environmentName: config.name,
          namespace: config.namespace,
          environmentChart: chart,
          project: this.platformProject,
          selfHeal: cluster.selfHeal,
        }),
    );

    if (cluster.runsPreviews && props.preview) {
      const base = props.preview.base.config;
      this.previews = new PreviewApplicationSet(this, 'previews', {
        project: this.platformProject,
        imageRepositories: [base.web, base.api, base.generator].map((service) => service.image.repository),
        baseChart: props.preview.base.chart,
        probeChart: props.preview.probe,
      });
    }

    this.root = new RootApplication(this, 'root', { clusterName: cluster.name, project: bootstrap });
  }
}
