import { Construct } from 'constructs';
import { ApplicationSet } from '../../imports/argoproj.io';
import { ApplicationWave } from './application-waves';
import { PLATFORM_SYNC_OPTIONS } from './environment-application';
import { PlatformProject } from './platform-project';
import { KustomizeJsonPatch, PULL_REQUEST_LABEL, PullRequestSelection, globMatches, kustomizePatchesOf, previewNamespaceTemplate, pullRequestApplicationSetSpec, pullRequestGenerator } from './pull-request-previews';
import { RenderedObject } from './rendered-objects';
import { ARGOCD_NAMESPACE, GitHubRepository, GitRepository, PLATFORM_REPOSITORY, SecretKeyRef } from './repository';
import { ARGOCD_SYNC_WAVE } from './sync-policy';

export { globMatches, PULL_REQUEST_LABEL };

/** The kustomize settings one pull request's preview is built with (before the ApplicationSet fills in `{{number}}` and `{{head_sha}}`). */
export interface PreviewKustomizeSettings {
  readonly namespace: string;
  /** `repository:tag`, as Argo CD's `kustomize.images` (kustomize edit set image) takes them. */
  readonly images: readonly string[];
  readonly patches: readonly KustomizeJsonPatch[];
}

/** The props both preview ApplicationSets share: they must select the same pull requests. */
export interface PullRequestSelectionProps {
  /** The application repository (web, api, generator): its labelled pull requests get a preview. */
  readonly applicationRepository: GitHubRepository;
  /**
   * The Secret key in Argo CD's namespace with a GitHub token that may read the application
   * repository's pull requests (`tokenRef`).
   * @default - anonymous: public repositories only, 60 GitHub API requests an hour
   */
  readonly githubToken?: SecretKeyRef;
  /**
   * Only pull requests with this label get a preview.
   * @default 'preview'
   */
  readonly pullRequestLabel?: string;
  /**
   * How often the generator lists pull requests (a GitHub webhook makes it immediate).
   * @default 180
   */
  readonly requeueAfterSeconds?: number;
  /**
   * The repository and branch the manifests come from: never the pull request's, whose repository
   * holds the application, not its manifests.
   * @default PLATFORM_REPOSITORY (main)
   */
  readonly repository?: GitRepository;
}

export interface PreviewApplicationSetProps extends PullRequestSelectionProps {
  /** The previews' own project: namespaced kinds only, in the `generator-platform-pr-*` namespaces only. */
  readonly project: PlatformProject;
  /** The image repositories of dist/preview (web, api, generator): each gets the pull request's tag. */
  readonly imageRepositories: readonly string[];
  /** The objects of dist/preview, as rendered (no Namespace: PreviewNamespaceApplicationSet makes it). */
  readonly baseObjects: readonly RenderedObject[];
  /** The same objects rendered for PREVIEW_PROBE_ID: every value that differs from baseObjects is parametrized. */
  readonly probeObjects: readonly RenderedObject[];
  /**
   * Folder of dist/ with the preview and its kustomization.
   * @default 'preview'
   */
  readonly folder?: string;
  /**
   * Image tag of web, api and generator in a preview: what the application repository's CI pushes
   * for every labelled pull request (`{{head_sha}}`: the pull request head's full commit hash).
   * @default 'pr-{{head_sha}}'
   */
  readonly imageTag?: string;
}

/**
 * One preview per open, labelled pull request of the application repository: `dist/preview` from
 * this repository's `main`, with web, api and generator from that pull request's build, in
 * namespace `generator-platform-pr-<number>` with hostnames `app-pr-<number>...`/`api-pr-<number>...`.
 * kustomize sets all of it, so previews need no synth. The manifests are reviewed ones from `main`;
 * what a pull request brings is code in three images. The confinement stays as defence in depth
 * (a bad merge to main's dist/preview, or Argo CD reading another revision): the previews' own
 * project (namespaced kinds only, preview namespaces only), and no namespace of their making:
 * PreviewNamespaceApplicationSet creates it, its Pod Security labels and its quota. When the pull
 * request closes (or loses the label) the Application is deleted and its finalizer deletes the
 * preview's objects.
 */
export class PreviewApplicationSet extends Construct {
  public readonly kustomize: PreviewKustomizeSettings;
  public readonly path: string;
  /** The destination namespace, with `{{number}}` still in it. */
  public readonly namespaceTemplate: string;

  public constructor(scope: Construct, id: string, props: PreviewApplicationSetProps) {
    super(scope, id);
    const generator = pullRequestGenerator(pullRequestSelectionOf(props), `PreviewApplicationSet ${id}`);
    const manifests = props.repository ?? PLATFORM_REPOSITORY;
    if (props.baseObjects.some((o) => o.metadata.namespace === undefined)) {
      const clusterScoped = props.baseObjects.find((o) => o.metadata.namespace === undefined)!;
      throw new Error(`PreviewApplicationSet ${id}: dist/preview holds the cluster-scoped ${clusterScoped.kind} ${clusterScoped.metadata.name}; a preview may hold namespaced objects only. Fix: render it with the cluster baseline or the preview namespace`);
    }
    this.namespaceTemplate = previewNamespaceTemplate(props.probeObjects, `PreviewApplicationSet ${id}`);
    if (!props.project.namespaces.some((pattern) => globMatches(pattern, this.namespaceTemplate.replace('{{number}}', '42')))) {
      throw new Error(`PreviewApplicationSet ${id}: project ${props.project.projectName} does not allow the preview namespaces "${this.namespaceTemplate}". Fix: add "generator-platform-pr-*" to its namespaces`);
    }
    const imageTag = props.imageTag ?? 'pr-{{head_sha}}';
    if (!imageTag.includes('{{head_sha}}')) {
      throw new Error(`PreviewApplicationSet ${id}: imageTag is ${JSON.stringify(imageTag)}; it must name the pull request head's build with {{head_sha}}, or a preview would not follow new commits. Fix: use the tag the application repository's CI pushes, e.g. pr-{{head_sha}}`);
    }
    this.kustomize = {
      namespace: this.namespaceTemplate,
      images: props.imageRepositories.map((repository) => `${repository}:${imageTag}`),
      patches: kustomizePatchesOf(props.baseObjects, props.probeObjects),
    };
    const vaultPathPatch = this.kustomize.patches.find((p) => p.target.kind === 'ExternalSecret' && p.patch.includes('/remoteRef/key'));
    if (vaultPathPatch !== undefined) {
      throw new Error(`PreviewApplicationSet ${id}: the Vault path of ExternalSecret ${vaultPathPatch.target.name} depends on the pull request, and nothing creates a Vault entry per pull request. Fix: generate the secret in the preview's namespace, or read it from the shared preview path`);
    }
    this.path = `dist/${props.folder ?? 'preview'}`;
    new ApplicationSet(this, 'Resource', {
      metadata: { name: 'generator-platform-previews', namespace: ARGOCD_NAMESPACE, annotations: { [ARGOCD_SYNC_WAVE]: String(ApplicationWave.ENVIRONMENTS) } },
      spec: pullRequestApplicationSetSpec({
        generator,
        applicationName: 'preview-{{number}}',
        projectName: props.project.projectName,
        source: {
          repoUrl: manifests.url,
          // main, not the pull request's head: the pull request is the application repository's.
          targetRevision: manifests.revision,
          path: this.path,
          kustomize: {
            namespace: this.kustomize.namespace,
            images: [...this.kustomize.images],
            patches: this.kustomize.patches.map((p) => ({ target: { ...p.target }, patch: p.patch })),
          },
        },
        namespace: this.namespaceTemplate,
        syncOptions: PLATFORM_SYNC_OPTIONS,
      }),
    });
  }
}

/** The pull requests previewed, from the props every preview ApplicationSet shares. */
export function pullRequestSelectionOf(props: PullRequestSelectionProps): PullRequestSelection {
  return { repository: props.applicationRepository, token: props.githubToken, label: props.pullRequestLabel ?? 'preview', requeueAfterSeconds: props.requeueAfterSeconds ?? 180 };
}
