/**
 * `npm run promote -- --from staging --to production [--root <dir>]`: the target environment gets
 * exactly the first-party images (tag and digest) the source environment runs, as its image data
 * file holds them; prints which changed, re-synthesizes dist/ and prints the rendered diff.
 * Third-party images are not promoted: each environment pins its own (Renovate, npm run pin-images).
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { FIRST_PARTY_IMAGE_NAMES } from '../lib/config/environment-images';
import { ImageDataDocument } from '../tools/release/image-data-document';
import { runReleaseCommand, saveAndResynthesize, UsageError } from '../tools/release/release-command';

const USAGE = 'usage: npm run promote -- --from <environment> --to <environment> [--root <repository folder>]';

function main(): number {
  const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' }, root: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.from === undefined || values.to === undefined) {
    throw new UsageError(`--from and --to are required. ${USAGE}`);
  }
  if (values.from === values.to) {
    throw new Error(`--from and --to are both ${values.from}; promote from one environment to another`);
  }
  const root = path.resolve(values.root ?? process.cwd());
  const source = ImageDataDocument.open(root, values.from).images();
  const target = ImageDataDocument.open(root, values.to);
  const before = target.images();
  for (const name of FIRST_PARTY_IMAGE_NAMES) {
    const ran = source[name];
    if (ran.digest === undefined || ran.digestSource === undefined) {
      throw new Error(`${values.from} runs ${name} by tag only (${ran.repository}:${ran.tag}); promote only what ran by digest`);
    }
    if (ran.repository !== before[name].repository) {
      throw new Error(`${name} is ${ran.repository} in ${values.from} but ${before[name].repository} in ${values.to}; promote between environments of one repository`);
    }
    // A stand-in stays marked as one wherever it is promoted to.
    target.update(name, { tag: ran.tag, digest: ran.digest, digestSource: ran.digestSource === 'example' ? 'example' : `promotion from ${values.from}` });
    const old = before[name];
    const changed = old.tag !== ran.tag || old.digest !== ran.digest;
    console.log(`promote: ${values.to} ${name}: ${changed ? `${old.tag}@${old.digest ?? '(no digest)'} -> ${ran.tag}@${ran.digest}` : `unchanged (${ran.tag}@${ran.digest})`}`);
  }
  if (!target.changed()) {
    console.log(`promote: ${values.to} already runs what ${values.from} runs; nothing to do`);
    return 0;
  }
  saveAndResynthesize('promote', root, [target]);
  return 0;
}

runReleaseCommand('promote', main);
