/** A Git repository Argo CD reads from, and the revision it follows. */
export interface GitRepository {
  /** Clone URL, exactly as Argo CD's repository credentials name it. */
  readonly url: string;
  /** Branch (or tag) the Applications track. */
  readonly revision: string;
  /** GitHub owner, for the pull-request generator of the previews. */
  readonly githubOwner: string;
  /** GitHub repository name, for the pull-request generator of the previews. */
  readonly githubRepository: string;
}

/** A GitHub repository whose pull requests Argo CD's pull-request generator lists. */
export interface GitHubRepository {
  readonly owner: string;
  readonly repo: string;
}

/** A key of a Secret in Argo CD's namespace, e.g. the GitHub token of the pull-request generator (`tokenRef`). */
export interface SecretKeyRef {
  readonly secretName: string;
  readonly key: string;
}

/** This repository: the only source the platform's AppProjects accept. */
export const PLATFORM_REPOSITORY: GitRepository = {
  url: 'https://github.com/acme/generator-platform-k8s.git',
  revision: 'main',
  githubOwner: 'acme',
  githubRepository: 'generator-platform-k8s',
};

/** The folder of dist/ that holds the Argo CD objects, one subfolder per cluster. */
export const ARGOCD_FOLDER = 'argocd';

/** The namespace Argo CD runs in on every cluster; Applications and AppProjects live there. */
export const ARGOCD_NAMESPACE = 'argocd';

/** Argo CD's address of the cluster it runs in: every cluster runs its own Argo CD. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
