import * as fs from 'fs';
import * as path from 'path';
import { imageDataFile } from '../../lib/config/config-source';
import { environmentImages, IMAGE_NAMES, parseEnvironmentImages } from '../../lib/config/environment-images';
import { EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { imageReference } from '../../lib/platform/image-reference';
import { tempDirsRemovedAfterAll } from '../support/files';

const ROOT = path.resolve(__dirname, '..', '..');
const makeTempDir = tempDirsRemovedAfterAll();

/** The real data file of `environment`, as text. */
function dataFile(environment: `${EnvironmentName}`): string {
  return fs.readFileSync(path.join(ROOT, imageDataFile(environment)), 'utf8');
}

/** Replaces exactly one occurrence of `from` (the test breaks if the real file no longer holds it). */
function once(text: string, from: string | RegExp, to: string): string {
  const count = typeof from === 'string' ? text.split(from).length - 1 : (text.match(new RegExp(from.source, 'g')) ?? []).length;
  if (count !== 1) {
    throw new Error(`expected exactly one ${String(from)} in the data file, found ${count}`);
  }
  return text.replace(from, to);
}

const ENTRY = (name: string) => new RegExp(`  - name: ${name}\\n(    .*\\n)+`);

const cases: Array<[string, `${EnvironmentName}`, (text: string) => string, string]> = [
  ['a digest that is not sha256:<64 hex>', 'staging', (t) => once(t, /sha256:9e1b3d5f\w+/, 'sha256:9e1b3d5f'),
    'environment "staging": images.web.digest = "sha256:9e1b3d5f": not a sha256 digest. Fix: use the digest the registry reports, sha256:<64 lower-case hex digits> (in lib/config/images/staging.yaml)'],
  ['an image left out', 'production', (t) => once(t, ENTRY('postgres'), ''),
    'environment "production": images.postgres = (not set): missing: production runs it. Fix: add an entry with name: postgres, repository, tag (and digest, digestSource) (in lib/config/images/production.yaml)'],
  ['a misspelt image name', 'development', (t) => once(t, 'name: redisExporter', 'name: redis-exporter'),
    'environment "development": images[5].name = "redis-exporter": not an image of the platform, so it would be ignored. Fix: rename it to redisExporter (in lib/config/images/development.yaml)'],
  ['an unknown image name', 'preview', (t) => `${t}  - name: memcached\n    repository: docker.io/library/memcached\n    tag: 1.6.29\n`,
    'environment "preview": images[9].name = "memcached": not an image of the platform, so it would be ignored. Fix: use one of web, api, generator, oauth2Proxy, redis, redisExporter, postgres, pgbouncer, rabbitmq (in lib/config/images/preview.yaml)'],
  ['an image listed twice', 'staging', (t) => `${t}  - name: redis\n    repository: docker.io/library/redis\n    tag: 7.0.15\n`,
    'environment "staging": images[9].name = "redis": listed twice, so one of the two would be ignored. Fix: keep one entry per image (in lib/config/images/staging.yaml)'],
  ['a staging first-party image without a digest', 'staging', (t) => once(t, / {4}digest: sha256:1c3e\w+\n {4}digestSource: example\n/, ''),
    'environment "staging": images.api.digest = (not set): staging pulls images by digest only, so a moved tag cannot change what runs. Fix: release the build with npm run release -- --env staging --image ghcr.io/acme/generator-platform-api@sha256:<digest> (in lib/config/images/staging.yaml)'],
  ['a production third-party image by a tag with no documented exemption', 'production', (t) => once(t, 'tag: 7.0.15', 'tag: 7.0.16'),
    'environment "production": images.redis.digest = (not set): production pulls docker.io/library/redis:7.0.16 by tag, and lib/platform/third-party-images.ts documents no exemption for that tag. Fix: run npm run pin-images to write its digest (in lib/config/images/production.yaml)'],
  ['a misspelt field', 'production', (t) => once(t, /digest: (sha256:3f0a)/, 'digets: $1'),
    'environment "production": images.web.digets = "sha256:3f0a9c1e5b7d2486f1e0c9a8b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8": not a field of an image entry, so it would be ignored. Fix: rename it to digest (in lib/config/images/production.yaml)'],
  ['a digest that does not say where it came from', 'production', (t) => once(t, /(sha256:8c2e\w+\n) {4}digestSource: example\n/, '$1'),
    'environment "production": images.api.digestSource = (not set): a digest must say where it came from. Fix: set it to example, release, promotion from <env>, registry <host> <YYYY-MM-DD> or published <url> (in lib/config/images/production.yaml)'],
  ['an unknown source of a digest', 'staging', (t) => once(t, /(sha256:7a9c\w+\n {4}digestSource: )example/, '$1docker pull'),
    'environment "staging": images.generator.digestSource = "docker pull": not a known source of a digest. Fix: use example, release, promotion from <env>, registry <host> <YYYY-MM-DD> or published <url> (in lib/config/images/staging.yaml)'],
  ['a third-party image from a repository the admission policy does not allow', 'development', (t) => once(t, 'repository: docker.io/library/rabbitmq', 'repository: docker.io/bitnami/rabbitmq'),
    'environment "development": images.rabbitmq.repository = "docker.io/bitnami/rabbitmq": not the repository the admission policy allows for rabbitmq. Fix: use docker.io/library/rabbitmq, or change the catalog in lib/platform/third-party-images.ts first (in lib/config/images/development.yaml)'],
  ['the latest tag', 'development', (t) => once(t, 'tag: main-7f3c2a1\n  - name: api', 'tag: latest\n  - name: api'),
    'environment "development": images.web.tag = "latest": must be a version tag, never latest. Fix: use the release version, e.g. 1.4.2 (in lib/config/images/development.yaml)'],
  ['a tag YAML reads as a number', 'staging', (t) => once(t, 'tag: "15.4"', 'tag: 15.4'),
    'environment "staging": images.postgres.tag = 15.4: not a string. Fix: write it in quotes, e.g. tag: "15.4" (in lib/config/images/staging.yaml)'],
  ['broken YAML', 'production', (t) => once(t, '  - name: pgbouncer', '  - name: [pgbouncer'),
    'environment "production": images = "line 52, column 5": not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ]). Fix: correct the YAML there (in lib/config/images/production.yaml)'],
];

describe('a wrong image data file fails with one exact line', () => {
  test.each(cases)('fails on %s', (_name, environment, change, message) => {
    expect(() => parseEnvironmentImages(environment, change(dataFile(environment)))).toThrow(message);
  });

  test('every message is one line naming the environment, the entry, the fix and the data file', () => {
    for (const [, environment, change] of cases) {
      let message = '';
      try {
        parseEnvironmentImages(environment, change(dataFile(environment)));
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(new RegExp(`^environment "${environment}": images[\\w.[\\]]* = .+: .+\\. Fix: .+ \\(in lib/config/images/${environment}\\.yaml\\)$`));
    }
  });

  test('an environment without a data file is named with the file to create', () => {
    expect(() => environmentImages('staging', makeTempDir('no-image-data-'))).toThrow(
      'environment "staging": images = (not set): no image data file lib/config/images/staging.yaml. Fix: create it with an entry for each of web, api, generator, oauth2Proxy, redis, redisExporter, postgres, pgbouncer, rabbitmq (copy another environment\'s file)');
  });
});

describe('the image data files', () => {
  test.each(Object.values(EnvironmentName))('%s: every image once, and the config runs exactly those', (environment) => {
    const images = parseEnvironmentImages(environment, dataFile(environment));
    expect(Object.keys(images).sort()).toEqual([...IMAGE_NAMES].sort());
    const config = ENVIRONMENTS[environment];
    const used = [config.web.image, config.api.image, config.generator.image, config.authentication.proxyImage, ...Object.values(config.storeImages)].map(imageReference).sort();
    expect(used).toEqual(Object.values(images).map(imageReference).sort());
  });

  test('every digest that is a stand-in says so', () => {
    for (const environment of Object.values(EnvironmentName)) {
      for (const entry of Object.values(parseEnvironmentImages(environment, dataFile(environment)))) {
        if (entry.repository.startsWith('ghcr.io/acme/') && entry.digest !== undefined) {
          expect([entry.name, entry.digestSource]).toEqual([entry.name, 'example']);
        }
      }
    }
  });
});
