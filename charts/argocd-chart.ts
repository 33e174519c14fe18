import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../lib/config/environment-config';
import { PLATFORM_NAME } from '../lib/platform/labels';
import { Addon } from '../lib/gitops/addon-catalog';
import { AddonApplication } from '../lib/gitops/addon-application';
import { AddonProject } from '../lib/gitops/addon-project';
import { ArgoCdWebhookSecret } from '../lib/gitops/argocd-webhook-secret';
import { CertificateAuthorityApplication } from '../lib/gitops/certificate-authority-application';
import { ClusterDefinition } from '../lib/gitops/clusters';
import { EnvironmentApplication } from '../lib/gitops/environment-application';
import { PlatformProject } from '../lib/gitops/platform-project';
import { PreviewApplicationSet } from '../lib/gitops/preview-application-set';
import { PreviewNamespaceApplicationSet } from '../lib/gitops/preview-namespace-application-set';
import { PullRequestGeneratorToken } from '../lib/gitops/pull-request-generator-token';
import { ClusterBaselineApplication } from '../lib/gitops/cluster-baseline-application';
import { RenderedObject, clusterScopedKinds, namespacedKinds, namespacedRbacKinds, namespacesOf, renderedObjectsOf } from '../lib/gitops/rendered-objects';
import { ARGOCD_FOLDER, ARGOCD_NAMESPACE } from '../lib/gitops/repository';
import { RootApplication } from '../lib/gitops/root-application';
import { ClusterCertificateAuthorityChart } from './cluster-certificate-authority-chart';

/** An environment as rendered: its config, its chart, and its objects split by the Application that syncs them. */
export interface RenderedEnvironment {
  readonly config: EnvironmentConfig;
  readonly chart: Chart;
  /** The namespaced objects of `dist/<environment>/`, which the environment's Application syncs. */
  readonly content: readonly RenderedObject[];
  /** Its cluster-scoped objects, which the cluster baseline Application syncs. */
  readonly clusterScoped: readonly RenderedObject[];
}

/** The preview as rendered for the base id and for PREVIEW_PROBE_ID, split like an environment. */
export interface RenderedPreview {
  readonly base: RenderedEnvironment;
  /** `dist/preview/` rendered for PREVIEW_PROBE_ID. */
  readonly probeContent: readonly RenderedObject[];
  /** The Namespace and guard rails of the preview, which PreviewNamespaceApplicationSet syncs from the tracked branch. */
  readonly namespace: readonly RenderedObject[];
  readonly probeNamespace: readonly RenderedObject[];
}

export interface ArgoCdChartProps {
  readonly cluster: ClusterDefinition;
  /** The rendered environments the cluster runs (cluster.environments, in that order). */
  readonly environments: readonly RenderedEnvironment[];
  /**
   * dist/preview and the preview namespace; required when cluster.runsPreviews.
   * @default - no previews
   */
  readonly preview?: RenderedPreview;
  /** The cluster's internal CA as rendered (`certificate-authority/`), which its own Application syncs. */
  readonly certificateAuthority: ClusterCertificateAuthorityChart;
  /** The cluster-scoped objects of `cluster-baseline/`: the environments' and the cluster's own. */
  readonly clusterBaseline: readonly RenderedObject[];
  /** The operators installed on the cluster (addonsOf() with the cluster's log pipeline settings). */
  readonly addons: readonly Addon[];
  /**
   * Vault KV path of the GitHub webhook's secret (property `webhook.github.secret`), merged into
   * `argocd-secret` by an ExternalSecret the root Application syncs (`argocd-webhook.yaml`).
   * @default - no webhook secret rendered: Argo CD notices merges by polling only
   */
  readonly webhookSecretVaultPath?: string;
}

/**
 * Everything Argo CD needs on one cluster, rendered to `dist/argocd/<cluster>/`: the AppProjects,
 * one Application per add-on and per environment, the preview ApplicationSet, and the root
 * Application that syncs this folder. Composition only.
 */
export class ArgoCdChart extends Chart {
  public readonly root: RootApplication;
  public readonly environmentApplications: readonly EnvironmentApplication[];
  public readonly environmentProjects: readonly PlatformProject[];
  public readonly addonApplications: readonly AddonApplication[];
  public readonly certificateAuthorityApplication: CertificateAuthorityApplication;
  public readonly clusterBaselineApplication: ClusterBaselineApplication;
  public readonly previews?: PreviewApplicationSet;
  public readonly previewNamespaces?: PreviewNamespaceApplicationSet;
  public readonly webhookSecret?: ArgoCdWebhookSecret;

  public constructor(scope: Construct, id: string, props: ArgoCdChartProps) {
    super(scope, id, { labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME } });
    const { cluster, addons } = props;
    if (cluster.runsPreviews && !props.preview) {
      throw new Error(`ArgoCdChart ${id}: cluster ${cluster.name} runs previews, but no rendered preview was given`);
    }

    const projects = new Construct(this, 'projects');
    // Every project whose Applications sync this repository's main requires the cluster's signers:
    // the root's too, or an unsigned commit could rewrite the projects themselves. Not the add-ons'
    // (third-party Helm charts and tags: Argo CD cannot verify a Helm chart at all).
    const { signatureKeys } = cluster;
    const bootstrap = new PlatformProject(projects, 'platform-bootstrap', {
      description: 'The root Application: Argo CD objects of this cluster, from this repository only',
      namespaces: [ARGOCD_NAMESPACE],
      clusterResourceKinds: [],
      // The ExternalSecrets of Argo CD's Vault entry (the webhook secret; on a preview cluster, the
      // pull-request generator's token) are the only objects of the root's that are not Argo CD's own.
      namespaceResourceKinds: props.webhookSecretVaultPath === undefined ? ARGO_CD_KINDS : [...ARGO_CD_KINDS, { group: 'external-secrets.io', kind: 'ExternalSecret' }],
      signatureKeys,
    });
    const baselineProject = new PlatformProject(projects, 'platform-cluster-baseline', {
      description: "Cluster-scoped objects of the cluster's environments: namespaces, secret stores, issuers, admission policies",
      namespaces: [ARGOCD_NAMESPACE],
      clusterResourceKinds: clusterScopedKinds(props.clusterBaseline),
      namespaceResourceKinds: [],
      signatureKeys,
    });
    const addonProject = new AddonProject(projects, 'platform-addons', { addons });
    const caObjects = renderedObjectsOf(props.certificateAuthority);
    const caProject = new PlatformProject(projects, 'platform-certificate-authority', {
      description: "The cluster's internal CA: its ClusterIssuer, and the CA certificate operators trust",
      namespaces: namespacesOf(caObjects),
      clusterResourceKinds: clusterScopedKinds(caObjects),
      // The Vault issuer's token-request Role, where the CA signs through Vault.
      renderedRbacKinds: namespacedRbacKinds(caObjects),
      signatureKeys,
    });
    this.environmentProjects = props.environments.map(
      (environment) =>
        new PlatformProject(projects, `generator-platform-${environment.config.name}`, {
          description: `The ${environment.config.name} environment: namespaced kinds it renders, in its namespace only`,
          namespaces: [environment.config.namespace],
          clusterResourceKinds: [],
          namespaceResourceKinds: namespacedKinds(environment.content),
          signatureKeys,
        }),
    );

    const addonScope = new Construct(this, 'addons');
    this.addonApplications = addons.map((addon) => new AddonApplication(addonScope, addon.name, { addon, project: addonProject }));

    this.clusterBaselineApplication = new ClusterBaselineApplication(this, 'cluster-baseline', { clusterName: cluster.name, project: baselineProject });
    this.certificateAuthorityApplication = new CertificateAuthorityApplication(this, 'certificate-authority', {
      clusterName: cluster.name,
      project: caProject,
      clusterResourceNamespace: props.certificateAuthority.internalCa.clusterResourceNamespace,
    });

    const environmentScope = new Construct(this, 'environments');
    this.environmentApplications = props.environments.map(
      ({ config, chart }, index) =>
        new EnvironmentApplication(environmentScope, config.name, {
          environmentName: config.name,
          namespace: config.namespace,
          environmentChart: chart,
          project: this.environmentProjects[index],
          selfHeal: cluster.selfHeal,
        }),
    );

    if (cluster.runsPreviews && props.preview) {
      const { base } = props.preview;
      const previewProject = new PlatformProject(projects, 'generator-platform-previews', {
        description: "Pull-request previews: main's dist/preview with a pull request's images, namespaced kinds only, in preview namespaces only",
        namespaces: [PREVIEW_NAMESPACES],
        clusterResourceKinds: [],
        namespaceResourceKinds: namespacedKinds(base.content),
        signatureKeys,
      });
      const previewNamespaceProject = new PlatformProject(projects, 'platform-preview-namespaces', {
        description: "Each preview's namespace and guard rails, from the tracked branch",
        namespaces: [PREVIEW_NAMESPACES],
        clusterResourceKinds: clusterScopedKinds(props.preview.namespace),
        namespaceResourceKinds: namespacedKinds(props.preview.namespace),
        signatureKeys,
      });
      const previewSettings = base.config.pullRequestPreviews;
      if (previewSettings === undefined) {
        throw new Error(`ArgoCdChart ${id}: cluster ${cluster.name} runs previews, but the preview config has no pullRequestPreviews (the application repository)`);
      }
      // The same pull requests for both ApplicationSets; the token from the Vault entry of Argo CD's own store.
      const token = props.webhookSecretVaultPath === undefined ? undefined : new PullRequestGeneratorToken(this, 'pull-request-token', { vaultPath: props.webhookSecretVaultPath });
      const selection = { applicationRepository: previewSettings.applicationRepository, githubToken: token?.tokenRef };
      this.previewNamespaces = new PreviewNamespaceApplicationSet(this, 'preview-namespaces', {
        ...selection,
        project: previewNamespaceProject,
        baseObjects: props.preview.namespace,
        probeObjects: props.preview.probeNamespace,
        folder: `${ARGOCD_FOLDER}/${cluster.name}/${PREVIEW_NAMESPACE_FOLDER}`,
      });
      this.previews = new PreviewApplicationSet(this, 'previews', {
        ...selection,
        imageTag: previewSettings.imageTag,
        project: previewProject,
        imageRepositories: [base.config.web, base.config.api, base.config.generator].map((service) => service.image.repository),
        baseObjects: base.content,
        probeObjects: props.preview.probeContent,
      });
    }

    if (props.webhookSecretVaultPath !== undefined) {
      this.webhookSecret = new ArgoCdWebhookSecret(this, 'argocd-webhook', { vaultPath: props.webhookSecretVaultPath });
    }
    this.root = new RootApplication(this, 'root', { clusterName: cluster.name, project: bootstrap });
  }
}

/** The namespaces of pull-request previews, `generator-platform-pr-<number>`. */
export const PREVIEW_NAMESPACES = 'generator-platform-pr-*';

/** The subfolder of `dist/argocd/<cluster>/` with the preview namespace and its guard rails. */
export const PREVIEW_NAMESPACE_FOLDER = 'preview-namespace';

const ARGO_CD_KINDS = [
  { group: 'argoproj.io', kind: 'Application' },
  { group: 'argoproj.io', kind: 'ApplicationSet' },
  { group: 'argoproj.io', kind: 'AppProject' },
];
