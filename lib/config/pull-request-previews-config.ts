/** A GitHub repository, as the pull-request generator of Argo CD's ApplicationSets names it. */
export interface GitHubRepositoryConfig {
  /** The organisation or user, e.g. `acme`. */
  readonly owner: string;
  /** The repository's name, e.g. `generator-platform-app`. */
  readonly repo: string;
}

/**
 * Set on the preview template only: the environment is rendered once per open pull request of the
 * application repository (the one that builds web, api and generator), from this repository's
 * `main` with that pull request's images. Its own secrets are then generated in each preview's
 * namespace, and only those issued outside the platform come from one shared, preview-only Vault
 * path (`vaultPathPrefix`), so a new pull request needs nothing made by hand.
 */
export interface PullRequestPreviewsConfig {
  /** The repository whose labelled pull requests get a preview; its CI pushes their images. */
  readonly applicationRepository: GitHubRepositoryConfig;
  /**
   * Tag of web, api and generator in a pull request's preview, as the application repository's CI
   * pushes it for every labelled pull request; `{{head_sha}}` (the pull request head's full commit
   * hash) and `{{number}}` are filled in by the pull-request generator.
   * @default 'pr-{{head_sha}}'
   */
  readonly imageTag?: string;
}
