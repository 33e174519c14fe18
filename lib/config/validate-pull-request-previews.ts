import { EnvironmentConfig, EnvironmentName } from './environment-config';

type Fail = (field: string, value: unknown, problem: string, fix: string) => never;

/** GitHub's owner names: letters, digits and single dashes, at most 39 characters. */
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
/** GitHub's repository names: letters, digits, `.`, `_` and `-`, at most 100 characters, not `.` or `..`. */
const GITHUB_REPOSITORY = /^(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/;
/** An OCI tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`) once the generator's `{{head_sha}}` and `{{number}}` are filled in. */
const TAG_WITH_PLACEHOLDERS = /^(?:[A-Za-z0-9_]|\{\{(?:head_sha|number)\}\})(?:[A-Za-z0-9_.-]|\{\{(?:head_sha|number)\}\})*$/;

/** Checks `pullRequestPreviews`: preview only, a real GitHub repository, a tag that names one pull request's build. */
export function validatePullRequestPreviews(config: EnvironmentConfig, fail: Fail): void {
  const previews = config.pullRequestPreviews;
  if (previews === undefined) {
    return;
  }
  if (config.name !== EnvironmentName.PREVIEW) {
    fail('pullRequestPreviews', 'set', `${config.name} is not rendered per pull request`, 'remove pullRequestPreviews; only the preview environment has it');
  }
  const { owner, repo } = previews.applicationRepository;
  if (!GITHUB_OWNER.test(owner)) {
    fail('pullRequestPreviews.applicationRepository.owner', owner, 'not a GitHub user or organisation name', 'use the owner part of https://github.com/<owner>/<repo>, e.g. acme');
  }
  if (!GITHUB_REPOSITORY.test(repo) || repo.endsWith('.git')) {
    fail('pullRequestPreviews.applicationRepository.repo', repo, 'not a GitHub repository name', 'use the repo part of https://github.com/<owner>/<repo>, without .git, e.g. generator-platform');
  }
  const tag = previews.imageTag;
  if (tag !== undefined && (!TAG_WITH_PLACEHOLDERS.test(tag) || tag.replace(/\{\{(head_sha|number)\}\}/g, 'x'.repeat(40)).length > 128 || !tag.includes('{{head_sha}}'))) {
    fail(
      'pullRequestPreviews.imageTag',
      tag,
      "must be an image tag with {{head_sha}} in it, so that each preview runs its pull request's latest build",
      "use the tag the application repository's CI pushes, e.g. pr-{{head_sha}}",
    );
  }
}
