import { Construct } from 'constructs';
import { ApplicationSet } from '../../imports/argoproj.io';
import { ApplicationWave } from './application-waves';
import { PLATFORM_SYNC_OPTIONS } from './environment-application';
import { PlatformProject } from './platform-project';
import { KustomizeJsonPatch, PULL_REQUEST_LABEL, PullRequestSelection, globMatches, kustomizePatchesOf, previewNamespaceTemplate, pullRequestApplicationSetSpec, pullRequestGenerator } from './pull-request-previews';
import { RenderedObject } from './rendered-objects';
import { ARGOCD_NAMESPACE, GitRepository, PLATFORM_REPOSITORY } from './repository';
import { ARGOCD_SYNC_WAVE } from './sync-policy';

export { globMatches, PULL_REQUEST_LABEL };

/** The kustomize settings one pull request's preview is built with (before the ApplicationSet fills in `{{number}}` and `{{head_sha}}`). */
export interface PreviewKustomizeSettings {
  readonly namespace: string;
  /** `repository:tag`, as Argo CD's `kustomize.images` (kustomize edit set image) takes them. */
  readonly images: readonly string[];
  readonly patches: readonly KustomizeJsonPatch[];
}

export interface PreviewApplicationSetProps {
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
   * The repository whose pull requests are previewed and whose dist/ is synced.
   * @default PLATFORM_REPOSITORY
   */
  readonly repository?: GitRepository;
  /**
   * Image tag of web, api and generator in a preview; CI pushes it for every labelled pull request.
   * @default 'pr-{{head_sha}}'
   */
  readonly imageTag?: string;
}

/**
 * One preview per open, labelled pull request, from the pull request's own `dist/preview`: namespace
 * `generator-platform-pr-<number>`, hostnames `app-pr-<number>...`/`api-pr-<number>...`, images
 * tagged for the pull request. kustomize sets all of it, so previews need no synth. The content is
 * the pull request's, so it is confined: its own project (namespaced kinds only, preview namespaces
 * only) and no namespace of its own making: PreviewNamespaceApplicationSet creates the namespace,
 * its Pod Security labels and its quota from `main`. When the pull request closes (or loses the
 * label) the Application is deleted and its finalizer deletes the preview's objects.
 */
export class PreviewApplicationSet extends Construct {
  public readonly kustomize: PreviewKustomizeSettings;
  public readonly path: string;
  /** The destination namespace, with `{{number}}` still in it. */
  public readonly namespaceTemplate: string;

  public constructor(scope: Construct, id: string, props: PreviewApplicationSetProps) {
    super(scope, id);
    const selection = pullRequestSelectionOf(props);
    const generator = pullRequestGenerator(selection, `PreviewApplicationSet ${id}`);
    if (props.baseObjects.some((o) => o.metadata.namespace === undefined)) {
      const clusterScoped = props.baseObjects.find((o) => o.metadata.namespace === undefined)!;
      throw new Error(`PreviewApplicationSet ${id}: dist/preview holds the cluster-scoped ${clusterScoped.kind} ${clusterScoped.metadata.name}; a pull request's content may hold namespaced objects only. Fix: render it with the cluster baseline or the preview namespace`);
    }
    this.namespaceTemplate = previewNamespaceTemplate(props.probeObjects, `PreviewApplicationSet ${id}`);
    if (!props.project.namespaces.some((pattern) => globMatches(pattern, this.namespaceTemplate.replace('{{number}}', '42')))) {
      throw new Error(`PreviewApplicationSet ${id}: project ${props.project.projectName} does not allow the preview namespaces "${this.namespaceTemplate}". Fix: add "generator-platform-pr-*" to its namespaces`);
    }
    const imageTag = props.imageTag ?? 'pr-{{head_sha}}';
    this.kustomize = {
      namespace: this.namespaceTemplate,
      images: props.imageRepositories.map((repository) => `${repository}:${imageTag}`),
      patches: kustomizePatchesOf(props.baseObjects, props.probeObjects),
    };
    this.path = `dist/${props.folder ?? 'preview'}`;
    new ApplicationSet(this, 'Resource', {
      metadata: { name: 'generator-platform-previews', namespace: ARGOCD_NAMESPACE, annotations: { [ARGOCD_SYNC_WAVE]: String(ApplicationWave.ENVIRONMENTS) } },
      spec: pullRequestApplicationSetSpec({
        generator,
        applicationName: 'preview-{{number}}',
        projectName: props.project.projectName,
        source: {
          repoUrl: selection.repository.url,
          // The pull request's own commit: this content is the pull request's, so its project confines it.
          targetRevision: '{{head_sha}}',
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
export function pullRequestSelectionOf(props: { readonly repository?: GitRepository; readonly pullRequestLabel?: string; readonly requeueAfterSeconds?: number }): PullRequestSelection {
  return { repository: props.repository ?? PLATFORM_REPOSITORY, label: props.pullRequestLabel ?? 'preview', requeueAfterSeconds: props.requeueAfterSeconds ?? 180 };
}
