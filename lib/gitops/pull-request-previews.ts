import { ApplicationSetSpec, ApplicationSetSpecGenerators, ApplicationSetSpecTemplateSpecSource } from '../../imports/argoproj.io';
import { automatedSync, RESOURCES_FINALIZER, retryWithBackoff, APPLICATION_COMPARE_ANNOTATIONS } from './sync-policy';
import { IN_CLUSTER_SERVER } from './repository';
import { PREVIEW_PROBE_ID, PULL_REQUEST_PREVIEW_ID, PreviewPatch, previewPatches } from './preview-parametrization';
import { RenderedObject, namespacesOf } from './rendered-objects';
import { GitHubRepository, SecretKeyRef } from './repository';

/** Which pull requests get a preview: the ApplicationSets of one preview (its namespace, its content) must select the same ones. */
export interface PullRequestSelection {
  /** The application repository: its pull requests are previewed, its CI builds their images. */
  readonly repository: GitHubRepository;
  /** The GitHub token the generator lists pull requests with; none: anonymous, public repositories only. */
  readonly token?: SecretKeyRef;
  /** Only pull requests with this label get a preview. */
  readonly label: string;
  /** How often the generator lists pull requests (a GitHub webhook makes it immediate). */
  readonly requeueAfterSeconds: number;
}

/** A kustomize patch as Argo CD's `kustomize.patches` takes it. */
export interface KustomizeJsonPatch {
  readonly target: { readonly group: string; readonly version: string; readonly kind: string; readonly name: string };
  readonly patch: string;
}

/** The GitHub pull-request generator of a selection; refuses a poll interval that would exhaust GitHub's API rate limit. */
export function pullRequestGenerator(selection: PullRequestSelection, where: string): ApplicationSetSpecGenerators {
  const { requeueAfterSeconds } = selection;
  if (!Number.isInteger(requeueAfterSeconds) || requeueAfterSeconds < 30) {
    throw new Error(`${where}: requeueAfterSeconds = ${requeueAfterSeconds}: must be a whole number of at least 30, or GitHub's API rate limit runs out. Fix: use 180`);
  }
  return {
    pullRequest: {
      github: {
        owner: selection.repository.owner,
        repo: selection.repository.repo,
        labels: [selection.label],
        // Read from Argo CD's namespace (argo-cd v2.10.18 applicationset/generators/pull_request.go, getSecretRef).
        ...(selection.token === undefined ? {} : { tokenRef: { secretName: selection.token.secretName, key: selection.token.key } }),
      },
      requeueAfterSeconds,
    },
  };
}

/** The one namespace a preview renders into, with `{{number}}` in place of the probe's id. */
export function previewNamespaceTemplate(probe: readonly RenderedObject[], where: string): string {
  const namespaces = namespacesOf(probe);
  if (namespaces.length !== 1) {
    throw new Error(`${where}: a preview must render into exactly one namespace, found ${namespaces.join(', ') || 'none'}`);
  }
  return namespaces[0].split(PREVIEW_PROBE_ID).join(PULL_REQUEST_PREVIEW_ID);
}

/** The kustomize patches that turn the base preview's objects into any pull request's. */
export function kustomizePatchesOf(base: readonly RenderedObject[], probe: readonly RenderedObject[]): KustomizeJsonPatch[] {
  return previewPatches(base, probe).map(toKustomizePatch);
}

function toKustomizePatch(patch: PreviewPatch): KustomizeJsonPatch {
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

/** Label of every Application a preview ApplicationSet makes: the pull request it previews. */
export const PULL_REQUEST_LABEL = 'generator-platform.dev/pull-request';

/**
 * The spec of an ApplicationSet that makes one Application per previewed pull request into its
 * namespace: deleted with the pull request (the finalizer deletes what it synced), pruned and
 * self-healed while it lives, retried with backoff.
 */
export function pullRequestApplicationSetSpec(options: {
  readonly generator: ApplicationSetSpecGenerators;
  /** The generated Application's name, with `{{number}}`. */
  readonly applicationName: string;
  readonly projectName: string;
  readonly source: ApplicationSetSpecTemplateSpecSource;
  /** The destination namespace, with `{{number}}`. */
  readonly namespace: string;
  readonly syncOptions: readonly string[];
}): ApplicationSetSpec {
  return {
    generators: [options.generator],
    syncPolicy: { preserveResourcesOnDeletion: false },
    template: {
      metadata: {
        name: options.applicationName,
        finalizers: [RESOURCES_FINALIZER],
        labels: { 'generator-platform.dev/environment': 'preview', [PULL_REQUEST_LABEL]: '{{number}}' },
        annotations: { ...APPLICATION_COMPARE_ANNOTATIONS },
      },
      spec: {
        project: options.projectName,
        source: options.source,
        destination: { server: IN_CLUSTER_SERVER, namespace: options.namespace },
        syncPolicy: {
          automated: automatedSync({ prune: true, selfHeal: true }),
          syncOptions: [...options.syncOptions],
          retry: retryWithBackoff(5),
        },
      },
    },
  };
}
