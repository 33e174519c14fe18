import * as fs from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { closest } from './check-config-shape';
import { ConfigError } from './config-error';
import { imageDataFile } from './config-source';
import { EnvironmentName, StoreImagesConfig } from './environment-config';
import { isFullSize } from './spec-minimums';
import { ImageReference, imageReference } from '../platform/image-reference';
import { IMAGE_DIGEST, IMAGE_REPOSITORY, IMAGE_TAG } from '../platform/input-patterns';
import { digestExemptionOf, THIRD_PARTY_IMAGES } from '../platform/third-party-images';

/**
 * Images as data: every image an environment's own workloads run lives in one YAML file per
 * environment (lib/config/images/<environment>.yaml), which the release commands write
 * (`npm run release`, `npm run promote`, `npm run pin-images`) and the environment's TypeScript
 * config reads. A release then changes data, never code, and a reviewer sees one line per image.
 */

/** The repository root: this file is lib/config/environment-images.ts. */
const ROOT = path.resolve(__dirname, '..', '..');

/** Images the application repository builds: released to staging, promoted to production. */
export const FIRST_PARTY_IMAGE_NAMES = ['web', 'api', 'generator'] as const;
/** Images others publish, named as lib/platform/third-party-images.ts names them (the catalog of allowed repositories). */
export const THIRD_PARTY_IMAGE_NAMES = Object.keys(THIRD_PARTY_IMAGES) as (keyof typeof THIRD_PARTY_IMAGES)[];
export const IMAGE_NAMES = [...FIRST_PARTY_IMAGE_NAMES, ...THIRD_PARTY_IMAGE_NAMES] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

/**
 * Where a digest came from: `example` (a stand-in no registry serves), `release` (npm run release),
 * `promotion from <env>` (npm run promote), `registry <host> <YYYY-MM-DD>` (npm run pin-images),
 * `renovate` (a Renovate pull request: its docker lookup of the tag; renovate.json, whose templates
 * have no date, so the pull request says when), or `published <url>` (a public source stating the
 * digest for the tag).
 */
export const DIGEST_SOURCE = /^(example|release|renovate|promotion from (development|preview|staging|production)|registry [a-z0-9.-]+(:[0-9]+)? \d{4}-\d{2}-\d{2}|published https:\/\/\S+)$/;

/** One entry of a data file. */
export interface ImageEntry extends ImageReference {
  readonly name: ImageName;
  /** Set exactly when `digest` is (DIGEST_SOURCE). */
  readonly digestSource?: string;
}

/** An environment's images by name. */
export type EnvironmentImages = Readonly<Record<ImageName, ImageEntry>>;

const entrySchema = z.strictObject({
  name: z.string(),
  repository: z.string(),
  tag: z.string(),
  digest: z.string().optional(),
  digestSource: z.string().optional(),
});
const fileSchema = z.strictObject({ images: z.array(entrySchema) });

/** Reads and checks the data file of `environment` under `root` (the repository). */
export function environmentImages(environment: string, root: string = ROOT): EnvironmentImages {
  const file = path.join(root, imageDataFile(environment));
  if (!fs.existsSync(file)) {
    throw new ConfigError(environment, 'images', undefined, `no image data file ${imageDataFile(environment)}`,
      `create it with an entry for each of ${IMAGE_NAMES.join(', ')} (copy another environment's file)`);
  }
  return parseEnvironmentImages(environment, fs.readFileSync(file, 'utf8'));
}

/** Checks the text of a data file and returns its images; throws the ConfigError of the first problem. */
export function parseEnvironmentImages(environment: string, text: string): EnvironmentImages {
  const fail = (field: string, value: unknown, problem: string, fix: string): never => {
    throw new ConfigError(environment, field, value, problem, `${fix} (in ${imageDataFile(environment)})`);
  };
  const document = parseDocument(text);
  const syntax = document.errors[0];
  if (syntax !== undefined) {
    const at = syntax.linePos?.[0];
    const problem = syntax.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    fail('images', at === undefined ? 'YAML' : `line ${at.line}, column ${at.col}`, `not valid YAML (${problem})`, 'correct the YAML there');
  }
  const data: unknown = document.toJS();
  const shape = fileSchema.safeParse(data);
  if (!shape.success) {
    shapeError(shape.error.issues, data, fail);
  }
  const entries = (data as z.infer<typeof fileSchema>).images;
  const byName = new Map<string, ImageEntry>();
  entries.forEach((entry, index) => {
    if (!(IMAGE_NAMES as readonly string[]).includes(entry.name)) {
      const near = closest(entry.name, IMAGE_NAMES.filter((name) => !entries.some((e) => e.name === name)));
      fail(`images[${index}].name`, entry.name, 'not an image of the platform, so it would be ignored', near ? `rename it to ${near}` : `use one of ${IMAGE_NAMES.join(', ')}`);
    }
    if (byName.has(entry.name)) {
      fail(`images[${index}].name`, entry.name, 'listed twice, so one of the two would be ignored', 'keep one entry per image');
    }
    byName.set(entry.name, checkEntry(environment, entry as ImageEntry, fail));
  });
  const missing = IMAGE_NAMES.find((name) => !byName.has(name));
  if (missing !== undefined) {
    fail(`images.${missing}`, undefined, `missing: ${environment} runs it`, `add an entry with name: ${missing}, repository, tag (and digest, digestSource)`);
  }
  return Object.fromEntries(byName) as EnvironmentImages;
}

type Fail = (field: string, value: unknown, problem: string, fix: string) => never;

function checkEntry(environment: string, entry: ImageEntry, fail: Fail): ImageEntry {
  const at = `images.${entry.name}`;
  if (!IMAGE_REPOSITORY.test(entry.repository)) {
    fail(`${at}.repository`, entry.repository, 'not a valid image repository (registry/path, lower case, no tag)', 'use a repository such as ghcr.io/acme/generator-platform-web');
  }
  const catalog = (THIRD_PARTY_IMAGES as Readonly<Record<string, ImageReference>>)[entry.name];
  if (catalog !== undefined && entry.repository !== catalog.repository) {
    fail(`${at}.repository`, entry.repository, `not the repository the admission policy allows for ${entry.name}`,
      `use ${catalog.repository}, or change the catalog in lib/platform/third-party-images.ts first`);
  }
  if (!IMAGE_TAG.test(entry.tag) || entry.tag === 'latest') {
    fail(`${at}.tag`, entry.tag, 'must be a version tag, never latest', 'use the release version, e.g. 1.4.2');
  }
  if (entry.digest !== undefined && !IMAGE_DIGEST.test(entry.digest)) {
    fail(`${at}.digest`, entry.digest, 'not a sha256 digest', 'use the digest the registry reports, sha256:<64 lower-case hex digits>');
  }
  if ((entry.digest === undefined) !== (entry.digestSource === undefined)) {
    fail(`${at}.digestSource`, entry.digestSource, entry.digest === undefined ? 'set without a digest' : 'a digest must say where it came from',
      entry.digest === undefined ? 'remove it' : 'set it to example, release, promotion from <env>, registry <host> <YYYY-MM-DD> or published <url>');
  }
  if (entry.digestSource !== undefined && !DIGEST_SOURCE.test(entry.digestSource)) {
    fail(`${at}.digestSource`, entry.digestSource, 'not a known source of a digest', 'use example, release, promotion from <env>, registry <host> <YYYY-MM-DD> or published <url>');
  }
  if (entry.digest === undefined && isFullSize(environment as EnvironmentName)) {
    requireDigest(environment, entry, catalog === undefined, fail);
  }
  return entry;
}

/** Staging and production pull by digest; a third-party image may wait for its digest only where the catalog says why. */
function requireDigest(environment: string, entry: ImageEntry, firstParty: boolean, fail: Fail): void {
  const reference = imageReference(entry);
  if (firstParty) {
    fail(`images.${entry.name}.digest`, undefined, `${environment} pulls images by digest only, so a moved tag cannot change what runs`,
      `release the build with npm run release -- --env ${environment} --image ${entry.repository}@sha256:<digest>`);
  }
  if (digestExemptionOf(reference) === undefined) {
    fail(`images.${entry.name}.digest`, undefined, `${environment} pulls ${reference} by tag, and lib/platform/third-party-images.ts documents no exemption for that tag`,
      'run npm run pin-images to write its digest');
  }
}

/** The first problem of the file's shape: an unknown key before a missing one before a wrong value. */
function shapeError(issues: readonly z.core.$ZodIssue[], data: unknown, fail: Fail): never {
  const rank = (issue: z.core.$ZodIssue) => (issue.code === 'unrecognized_keys' ? 0 : valueAt(data, issue.path) === undefined ? 1 : 2);
  const issue = [...issues].sort((a, b) => rank(a) - rank(b))[0];
  const field = fieldName(data, issue.path);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const declared = issue.path.length === 0 ? ['images'] : Object.keys(entrySchema.shape);
    const near = closest(key, declared);
    return fail(`${field === '' ? '' : `${field}.`}${key}`, valueAt(data, [...issue.path, key]), 'not a field of an image entry, so it would be ignored',
      near ? `rename it to ${near}` : `remove it (fields: ${declared.join(', ')})`);
  }
  const value = valueAt(data, issue.path);
  if (value === undefined) {
    return fail(field, value, 'missing', issue.path.length === 0 ? 'list the images under images:' : `add ${String(issue.path[issue.path.length - 1])}`);
  }
  return fail(field, value, `not a ${issue.code === 'invalid_type' ? issue.expected : 'valid value'}`,
    issue.code === 'invalid_type' && issue.expected === 'string' ? 'write it in quotes, e.g. tag: "15.4"' : 'see lib/config/environment-images.ts');
}

/** `images.web.digest` for a path into the entry named web; `images[3]` where the entry has no name. */
function fieldName(data: unknown, at: readonly PropertyKey[]): string {
  const [first, index, ...rest] = at;
  if (first === undefined) {
    return 'images';
  }
  const name = typeof index === 'number' ? (valueAt(data, [first, index, 'name']) as unknown) : undefined;
  const entry = typeof index !== 'number' ? String(first) : typeof name === 'string' && name !== '' && rest[0] !== 'name' ? `images.${name}` : `images[${index}]`;
  return [entry, ...rest.map(String)].join('.');
}

function valueAt(data: unknown, at: readonly PropertyKey[]): unknown {
  return at.reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined), data);
}

/** The reference a construct takes (repository, tag, digest): the config's shape, without the data's bookkeeping. */
export function referenceOf(entry: ImageEntry): ImageReference {
  return entry.digest === undefined ? { repository: entry.repository, tag: entry.tag } : { repository: entry.repository, tag: entry.tag, digest: entry.digest };
}

/** The stores' images of an environment. */
export function storeImagesOf(images: EnvironmentImages): StoreImagesConfig {
  return {
    redis: referenceOf(images.redis),
    redisExporter: referenceOf(images.redisExporter),
    postgres: referenceOf(images.postgres),
    pgbouncer: referenceOf(images.pgbouncer),
    rabbitmq: referenceOf(images.rabbitmq),
  };
}
