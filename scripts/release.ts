/**
 * `npm run release -- --env staging --image <repository>@sha256:<digest> [--tag <tag>] [--root <dir>]`:
 * what the release pipeline calls when the application repository has built and signed an image.
 * Writes the digest (and tag) into the environment's image data file, re-synthesizes dist/ and
 * prints the rendered diff. Refuses an environment that does not exist, a repository the
 * environment does not run and a malformed digest, each with one line; nothing is written then.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { IMAGE_DIGEST, IMAGE_REPOSITORY, IMAGE_TAG } from '../lib/platform/input-patterns';
import { ImageDataDocument } from '../tools/release/image-data-document';
import { runReleaseCommand, saveAndResynthesize, UsageError } from '../tools/release/release-command';

const USAGE = 'usage: npm run release -- --env <environment> --image <repository>[:<tag>]@sha256:<digest> [--tag <tag>] [--root <repository folder>]';

/** `repository[:tag]@digest`, split; the tag is optional. */
function parseImage(image: string): { repository: string; tag?: string; digest: string } {
  const at = image.indexOf('@');
  const name = at < 0 ? image : image.slice(0, at);
  const digest = at < 0 ? '' : image.slice(at + 1);
  const colon = name.lastIndexOf(':');
  const [repository, tag] = colon > name.lastIndexOf('/') ? [name.slice(0, colon), name.slice(colon + 1)] : [name, undefined];
  if (!IMAGE_REPOSITORY.test(repository)) {
    throw new Error(`--image ${image}: ${repository} is not an image repository (registry/path, lower case)`);
  }
  if (!IMAGE_DIGEST.test(digest)) {
    throw new Error(`--image ${image}: the digest must be sha256:<64 lower-case hex digits>, as the registry reports it (release by digest, never by tag alone)`);
  }
  return tag === undefined ? { repository, digest } : { repository, tag, digest };
}

function main(): number {
  const { values } = parseArgs({ options: { env: { type: 'string' }, image: { type: 'string' }, tag: { type: 'string' }, root: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.env === undefined || values.image === undefined) {
    throw new UsageError(`--env and --image are required. ${USAGE}`);
  }
  const image = parseImage(values.image);
  if (values.tag !== undefined && image.tag !== undefined && values.tag !== image.tag) {
    throw new Error(`--tag ${values.tag} and the tag of --image (${image.tag}) differ; give one`);
  }
  const tag = values.tag ?? image.tag;
  if (tag !== undefined && (!IMAGE_TAG.test(tag) || tag === 'latest')) {
    throw new Error(`--tag ${tag}: must be a version tag, never latest`);
  }
  const root = path.resolve(values.root ?? process.cwd());
  const data = ImageDataDocument.open(root, values.env);
  const entry = data.entryOf(image.repository);
  data.update(entry.name, { tag, digest: image.digest, digestSource: 'release' });
  const after = data.images()[entry.name];
  console.log(`release: ${values.env} ${entry.name}: ${entry.tag}@${entry.digest ?? '(no digest)'} -> ${after.tag}@${after.digest}${tag === undefined ? ' (tag kept: pass --tag to change it)' : ''}`);
  if (!data.changed()) {
    console.log(`release: ${values.env} already runs it; nothing to do`);
    return 0;
  }
  saveAndResynthesize('release', root, [data]);
  return 0;
}

runReleaseCommand('release', main);
