import { Construct } from 'constructs';
import { ApplicationSet } from '../../imports/argoproj.io';
import { ApplicationWave } from './application-waves';
import { PlatformProject } from './platform-project';
import { PullRequestSelectionProps, pullRequestSelectionOf } from './preview-application-set';
import { KustomizeJsonPatch, globMatches, kustomizePatchesOf, previewNamespaceTemplate, pullRequestApplicationSetSpec, pullRequestGenerator } from './pull-request-previews';
import { RenderedObject } from './rendered-objects';
import { ARGOCD_NAMESPACE, PLATFORM_REPOSITORY } from './repository';
import { ARGOCD_SYNC_WAVE } from './sync-policy';

/** Selects the same pull requests as the PreviewApplicationSet (give both the same selection props). */
export interface PreviewNamespaceApplicationSetProps extends PullRequestSelectionProps {
  /** The project of preview namespaces: the kind Namespace and the baseline's kinds, in `generator-platform-pr-*` only. */
  readonly project: PlatformProject;
  /** The preview's Namespace and baseline (quota, limits, default-deny policies), rendered for the base preview id. */
  readonly baseObjects: readonly RenderedObject[];
  /** The same objects rendered for PREVIEW_PROBE_ID. */
  readonly probeObjects: readonly RenderedObject[];
  /** Folder of dist/ with the objects and their kustomization, e.g. `argocd/development/preview-namespace`. */
  readonly folder: string;
}

/**
 * One Application per previewed pull request that makes the preview's namespace and its guard
 * rails: the Namespace with its Pod Security and environment labels (which decide which secret
 * store and which certificates the preview may use), its ResourceQuota, LimitRange and
 * default-deny NetworkPolicies. They come from the tracked branch (`main`), never from the pull
 * request, which cannot relabel its namespace or lift its quota: its own project does not allow
 * these kinds. Argo CD's CreateNamespace is no substitute: it needs the kind Namespace in the
 * project of the very Application whose content the pull request writes. Closing the pull request
 * deletes the Application, and its finalizer the namespace with everything in it.
 */
export class PreviewNamespaceApplicationSet extends Construct {
  public readonly namespaceTemplate: string;
  public readonly patches: readonly KustomizeJsonPatch[];
  public readonly path: string;

  public constructor(scope: Construct, id: string, props: PreviewNamespaceApplicationSetProps) {
    super(scope, id);
    const generator = pullRequestGenerator(pullRequestSelectionOf(props), `PreviewNamespaceApplicationSet ${id}`);
    const manifests = props.repository ?? PLATFORM_REPOSITORY;
    if (!props.baseObjects.some((o) => o.kind === 'Namespace')) {
      throw new Error(`PreviewNamespaceApplicationSet ${id}: baseObjects holds no Namespace. Fix: pass the preview's NamespaceBaseline objects`);
    }
    this.namespaceTemplate = previewNamespaceTemplate(props.probeObjects, `PreviewNamespaceApplicationSet ${id}`);
    if (!props.project.namespaces.some((pattern) => globMatches(pattern, this.namespaceTemplate.replace('{{number}}', '42')))) {
      throw new Error(`PreviewNamespaceApplicationSet ${id}: project ${props.project.projectName} does not allow the preview namespaces "${this.namespaceTemplate}". Fix: add "generator-platform-pr-*" to its namespaces`);
    }
    this.patches = kustomizePatchesOf(props.baseObjects, props.probeObjects);
    this.path = `dist/${props.folder}`;
    new ApplicationSet(this, 'Resource', {
      // Waves order ApplicationSets, not the Applications they generate: a preview's Application
      // retries (10s, 20s, ...) until this one has made its namespace, which takes seconds.
      metadata: { name: 'generator-platform-preview-namespaces', namespace: ARGOCD_NAMESPACE, annotations: { [ARGOCD_SYNC_WAVE]: String(ApplicationWave.ENVIRONMENTS) } },
      spec: pullRequestApplicationSetSpec({
        generator,
        applicationName: 'preview-{{number}}-namespace',
        projectName: props.project.projectName,
        source: {
          repoUrl: manifests.url,
          // The tracked branch, like the preview's content: nothing of a preview is a pull request's manifest.
          targetRevision: manifests.revision,
          path: this.path,
          kustomize: { namespace: this.namespaceTemplate, patches: this.patches.map((p) => ({ target: { ...p.target }, patch: p.patch })) },
        },
        namespace: this.namespaceTemplate,
        syncOptions: ['ServerSideApply=true', 'CreateNamespace=false', 'PruneLast=true'],
      }),
    });
  }
}
