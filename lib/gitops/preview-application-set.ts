import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ApplicationSet } from '../../imports/argoproj.io';
import { PLATFORM_SYNC_OPTIONS } from './environment-application';
import { PlatformProject } from './platform-project';
import { PREVIEW_PROBE_ID, PULL_REQUEST_PREVIEW_ID, PreviewPatch, previewPatches } from './preview-parametrization';
import { namespacesOf, renderedObjectsOf } from './rendered-objects';
import { ARGOCD_NAMESPACE, GitRepository, IN_CLUSTER_SERVER, PLATFORM_REPOSITORY } from './repository';
import { ARGOCD_SYNC_WAVE, automatedSync, RESOURCES_FINALIZER, retryWithBackoff } from './sync-policy';

/** The kustomize settings one pull request's preview is built with (before the ApplicationSet fills in `{{number}}` and `{{head_sha}}`). */
export interface PreviewKustomizeSettings {
  readonly namespace: string;
  /** `repository:tag`, as Argo CD's `kustomize.images` (kustomize edit set image) takes them. */
  readonly images: readonly string[];
  readonly patches: readonly { readonly target: { readonly group: string; readonly version: string; readonly kind: string; readonly name: string }; readonly patch: string }[];
}

export interface PreviewApplicationSetProps {
  /** The project of the development cluster; it must allow the `generator-platform-pr-*` namespaces. */
  readonly project: PlatformProject;
  /** The image repositories of dist/preview (web, api, generator): each gets the pull request's tag. */
  readonly imageRepositories: readonly string[];
  /** dist/preview, rendered. */
  readonly baseChart: Chart;
  /** The same preview rendered for PREVIEW_PROBE_ID: every value that differs from baseChart is parametrized. */
  readonly probeChart: Chart;
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
 * tagged for the pull request. kustomize sets all of it, so previews need no synth. When the pull
 * request closes (or loses the label) the Application is deleted and its finalizer deletes the
 * preview's objects, namespace included.
 */
export class PreviewApplicationSet extends Construct {
  public readonly kustomize: PreviewKustomizeSettings;
  public readonly path: string;
  /** The destination namespace, with `{{number}}` still in it. */
  public readonly namespaceTemplate: string;

  public constructor(scope: Construct, id: string, props: PreviewApplicationSetProps) {
    super(scope, id);
    const repository = props.repository ?? PLATFORM_REPOSITORY;
    const requeueAfterSeconds = props.requeueAfterSeconds ?? 180;
    if (!Number.isInteger(requeueAfterSeconds) || requeueAfterSeconds < 30) {
      throw new Error(`PreviewApplicationSet ${id}: requeueAfterSeconds = ${requeueAfterSeconds}: must be a whole number of at least 30, or GitHub's API rate limit runs out. Fix: use 180`);
    }
    const base = renderedObjectsOf(props.baseChart);
    const probe = renderedObjectsOf(props.probeChart);
    const probeNamespaces = namespacesOf(probe);
    if (probeNamespaces.length !== 1) {
      throw new Error(`PreviewApplicationSet ${id}: a preview must render into exactly one namespace, found ${probeNamespaces.join(', ') || 'none'}`);
    }
    this.namespaceTemplate = probeNamespaces[0].split(PREVIEW_PROBE_ID).join(PULL_REQUEST_PREVIEW_ID);
    if (!props.project.namespaces.some((pattern) => globMatches(pattern, this.namespaceTemplate.replace('{{number}}', '42')))) {
      throw new Error(`PreviewApplicationSet ${id}: project ${props.project.projectName} does not allow the preview namespaces "${this.namespaceTemplate}". Fix: add "generator-platform-pr-*" to its namespaces`);
    }
    const imageTag = props.imageTag ?? 'pr-{{head_sha}}';
    this.kustomize = {
      namespace: this.namespaceTemplate,
      images: props.imageRepositories.map((repository) => `${repository}:${imageTag}`),
      patches: previewPatches(base, probe).map(toKustomizePatch),
    };
    this.path = `dist/${props.folder ?? 'preview'}`;
    new ApplicationSet(this, 'Resource', {
      metadata: { name: 'generator-platform-previews', namespace: ARGOCD_NAMESPACE, annotations: { [ARGOCD_SYNC_WAVE]: '0' } },
      spec: {
        generators: [
          {
            pullRequest: {
              github: { owner: repository.githubOwner, repo: repository.githubRepository, labels: [props.pullRequestLabel ?? 'preview'] },
              requeueAfterSeconds,
            },
          },
        ],
        syncPolicy: { preserveResourcesOnDeletion: false },
        template: {
          metadata: {
            name: 'preview-{{number}}',
            finalizers: [RESOURCES_FINALIZER],
            labels: { 'generator-platform.dev/environment': 'preview', 'generator-platform.dev/pull-request': '{{number}}' },
          },
          spec: {
            project: props.project.projectName,
            source: {
              repoUrl: repository.url,
              targetRevision: '{{head_sha}}',
              path: this.path,
              kustomize: {
                namespace: this.kustomize.namespace,
                images: [...this.kustomize.images],
                patches: this.kustomize.patches.map((p) => ({ target: { ...p.target }, patch: p.patch })),
              },
            },
            destination: { server: IN_CLUSTER_SERVER, namespace: this.namespaceTemplate },
            syncPolicy: {
              automated: automatedSync({ prune: true, selfHeal: true }),
              syncOptions: [...PLATFORM_SYNC_OPTIONS],
              retry: retryWithBackoff(5),
            },
          },
        },
      },
    });
  }
}

function toKustomizePatch(patch: PreviewPatch): PreviewKustomizeSettings['patches'][number] {
  return {
    target: { group: patch.group, version: patch.version, kind: patch.kind, name: patch.name },
    patch: JSON.stringify(patch.operations),
  };
}

/** Argo CD destination namespace patterns: `*` matches any run of characters. */
export function globMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return regex.test(value);
}
