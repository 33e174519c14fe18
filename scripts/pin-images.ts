/**
 * `npm run pin-images [-- --env <environment>]... [--image <name>]... [--registry <host>=<url>]... [--root <dir>]`:
 * asks each image's registry which digest its tag is now (tools/release/registry-client.ts) and
 * writes digest and `digestSource: registry <host> <date>` into the environments' image data
 * files; then re-synthesizes dist/ and prints the rendered diff. By default every third-party
 * image of every environment (first-party digests come from npm run release). Every tag is
 * resolved before anything is written: one unknown tag fails the run with one line and changes nothing.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { EnvironmentName } from '../lib/config/environment-config';
import { IMAGE_NAMES, ImageName, THIRD_PARTY_IMAGE_NAMES } from '../lib/config/environment-images';
import { ImageDataDocument } from '../tools/release/image-data-document';
import { RegistryEndpoints, resolveDigest, ResolvedDigest } from '../tools/release/registry-client';
import { runReleaseCommand, saveAndResynthesize, UsageError } from '../tools/release/release-command';

const USAGE = 'usage: npm run pin-images [-- --env <environment>]... [--image <name>]... [--registry <host>=<url>]... [--root <repository folder>]';

function endpointsOf(mappings: readonly string[]): RegistryEndpoints {
  return Object.fromEntries(mappings.map((mapping) => {
    const [host, url] = mapping.split(/=(.*)/s);
    if (!host || !url || !/^https?:\/\//.test(url)) {
      throw new UsageError(`--registry ${mapping}: expected <registry host>=<http(s) URL of its API>, e.g. docker.io=http://127.0.0.1:5000`);
    }
    return [host, url];
  }));
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: {
    env: { type: 'string', multiple: true }, image: { type: 'string', multiple: true }, registry: { type: 'string', multiple: true },
    root: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const names = (values.image ?? THIRD_PARTY_IMAGE_NAMES) as ImageName[];
  const unknown = names.find((name) => !(IMAGE_NAMES as readonly string[]).includes(name));
  if (unknown !== undefined) {
    throw new UsageError(`--image ${unknown}: not an image of the platform; use one of ${IMAGE_NAMES.join(', ')}`);
  }
  const endpoints = endpointsOf(values.registry ?? []);
  const root = path.resolve(values.root ?? process.cwd());
  const documents = (values.env ?? Object.values(EnvironmentName)).map((environment) => ImageDataDocument.open(root, environment));
  const resolved = new Map<string, Promise<ResolvedDigest>>();
  const date = new Date().toISOString().slice(0, 10);
  // Resolve everything first: a tag the registry does not know leaves every file as it was.
  const plans = await Promise.all(documents.flatMap((document) => names.map(async (name) => {
    const entry = document.images()[name];
    const key = `${entry.repository}:${entry.tag}`;
    if (!resolved.has(key)) {
      resolved.set(key, resolveDigest(entry.repository, entry.tag, endpoints));
    }
    return { document, entry, found: await resolved.get(key)! };
  })));
  for (const { document, entry, found } of plans) {
    const where = `${document.environment} ${entry.name} ${entry.repository}:${entry.tag}`;
    if (entry.digest === found.digest) {
      console.log(`pin-images: ${where}: ${found.digest} (unchanged)`);
      continue;
    }
    document.update(entry.name, { digest: found.digest, digestSource: `registry ${found.askedHost} ${date}` });
    console.log(`pin-images: ${where}: ${entry.digest ?? '(no digest)'} -> ${found.digest} (${found.askedHost})`);
  }
  const changed = documents.filter((document) => document.changed());
  if (changed.length === 0) {
    console.log('pin-images: every digest is current; nothing to write');
    return 0;
  }
  saveAndResynthesize('pin-images', root, changed);
  return 0;
}

runReleaseCommand('pin-images', main);
