import Ajv from 'ajv';
import { createRequire } from 'module';
import addFormats from 'ajv-formats';
import * as fs from 'fs';
import * as path from 'path';
import { parseEnvironmentImages } from '../../lib/config/environment-images';
import { npmPackageFile } from '../support/npm-package-file';

/**
 * renovate.json keeps the third-party entries of lib/config/images/*.yaml pinned and current.
 * These tests do what Renovate does with it: validate it against Renovate's own published JSON
 * schema, extract dependencies with its regex manager (lib/modules/manager/custom/regex in
 * renovate 44.121.2: each match string applied with the g flag, named groups become fields),
 * apply the package rules, and rewrite an entry with the replacement template rendered by the
 * Handlebars version Renovate uses, then read the result as synth does.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'renovate.json'), 'utf8'));
const [manager] = config.customManagers;

/** Renovate 44.121.2 and the Handlebars its package.json depends on; integrity from `npm view <pkg>@<version> dist.integrity`. */
const RENOVATE = { name: 'renovate', version: '44.121.2', integrity: 'sha512-gNsY+POw2UN3B4e8x0B5UK3onH1qF7wMirKGaUnJcSx3+xEWH4n35RS4rvVEtTIIV/BoZoFbsIo7njTb9Mydxg==' };
const HANDLEBARS = { name: 'handlebars', version: '4.7.9', integrity: 'sha512-4E71E0rpOaQuJR2A3xDZ+GM1HyWYv1clR58tC8emQNeQe3RH7MAzSbat+V0wG78LQBo6m6bzSG/L4pBuCsgnUQ==' };

/** A sha256 that stands for what a registry would answer; test fixture only, never written to the repository. */
const FIXTURE_DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

interface Dep {
  depName: string;
  currentValue: string;
  currentDigest?: string;
  datasource: string;
  indentation: string;
  replaceString: string;
  enabled: boolean;
  pinDigests?: boolean;
}

/** `/.../` is a regular expression in Renovate's managerFilePatterns (the only form used here). */
const filePattern = (pattern: string) => new RegExp(pattern.replace(/^\/(.*)\/$/, '$1'));
/** A glob of matchPackageNames with `*` only (the only form used here): any characters but `/`. */
const glob = (pattern: string) => new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('[^/]*')}$`);

function extract(content: string): Dep[] {
  return manager.matchStrings.flatMap((matchString: string) => [...content.matchAll(new RegExp(matchString, 'g'))]).map((match: RegExpMatchArray) => {
    const groups = match.groups ?? {};
    const dep: Dep = { depName: groups.depName, currentValue: groups.currentValue, datasource: manager.datasourceTemplate, indentation: groups.indentation, replaceString: match[0], enabled: true };
    if (groups.currentDigest !== undefined) {
      dep.currentDigest = groups.currentDigest;
    }
    // Package rules that apply before an update is known (matchUpdateTypes rules apply to updates).
    for (const rule of config.packageRules.filter((r: any) => r.matchUpdateTypes === undefined && r.matchManagers.includes('custom.regex'))) {
      if (rule.matchPackageNames === undefined || rule.matchPackageNames.some((name: string) => glob(name).test(dep.depName))) {
        Object.assign(dep, Object.fromEntries(Object.entries(rule).filter(([key]) => !key.startsWith('match') && key !== 'description')));
      }
    }
    return dep;
  });
}

const dataFiles = fs.readdirSync(path.join(ROOT, 'lib', 'config', 'images')).map((file) => `lib/config/images/${file}`);

describe('renovate.json', () => {
  test('is valid against the JSON schema Renovate 44.121.2 publishes (renovate-schema.json of its npm package), which rejects a wrong value', () => {
    const schema = JSON.parse(fs.readFileSync(npmPackageFile({ ...RENOVATE, file: 'renovate-schema.json' }), 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    expect(validate(config) ? [] : validate.errors).toEqual([]);
    expect(validate({ ...config, customManagers: [{ ...manager, customType: 'regexp' }] })).toBe(false);
    expect(validate({ ...config, packageRules: [{ ...config.packageRules[1], enabled: 'no' }] })).toBe(false);
  }, 300_000);

  test('reads only the image data files: its file pattern matches each of the four and nothing else', () => {
    expect(dataFiles.sort()).toEqual(['lib/config/images/development.yaml', 'lib/config/images/preview.yaml', 'lib/config/images/production.yaml', 'lib/config/images/staging.yaml']);
    expect(manager.managerFilePatterns).toHaveLength(1);
    for (const file of dataFiles) {
      expect(file).toMatch(filePattern(manager.managerFilePatterns[0]));
    }
    for (const other of ['lib/config/environments/staging.ts', 'dist/staging/images.yaml', 'lib/config/images/staging.yaml.orig']) {
      expect(other).not.toMatch(filePattern(manager.managerFilePatterns[0]));
    }
  });

  test('uses only what RE2 (Renovate\'s regex engine) supports: no lookaround, no backreference', () => {
    for (const matchString of manager.matchStrings) {
      expect(matchString).not.toMatch(/\(\?<?[=!]|\\[1-9]/);
    }
  });

  test.each(dataFiles)('%s: Renovate finds exactly the six third-party images (tag, and digest where pinned) and leaves the three first-party ones alone', (file) => {
    const deps = extract(fs.readFileSync(path.join(ROOT, file), 'utf8'));
    const summary = (dep: Dep) => [dep.depName, dep.currentValue, dep.currentDigest ?? null];
    expect(deps.filter((dep) => dep.enabled).map(summary)).toEqual([
      ['quay.io/oauth2-proxy/oauth2-proxy', 'v7.6.0', 'sha256:dcb6ff8dd21bf3058f6a22c6fa385fa5b897a9cd3914c88a2cc2bb0a85f8065d'],
      ['docker.io/library/redis', '7.0.15', null],
      ['docker.io/oliver006/redis_exporter', 'v1.58.0', 'sha256:2e42c98f2c53aaf3ce205e746ff8bfa25d39e30d8b4f401ce0ad2740836bb817'],
      ['ghcr.io/cloudnative-pg/postgresql', '15.4', null],
      ['ghcr.io/cloudnative-pg/pgbouncer', '1.23.0', null],
      ['docker.io/library/rabbitmq', '3.12.14-management', null],
    ]);
    expect(deps.filter((dep) => !dep.enabled).map((dep) => dep.depName)).toEqual(['ghcr.io/acme/generator-platform-web', 'ghcr.io/acme/generator-platform-api', 'ghcr.io/acme/generator-platform-generator']);
    expect(deps.every((dep) => dep.datasource === 'docker' && dep.indentation === '    ')).toBe(true);
    expect(deps.filter((dep) => dep.enabled).every((dep) => dep.pinDigests === true)).toBe(true);
    // Every entry of the file, as synth reads it, is one dependency: none is skipped by the pattern.
    const environment = path.basename(file, '.yaml');
    const entries = Object.values(parseEnvironmentImages(environment, fs.readFileSync(path.join(ROOT, file), 'utf8')));
    expect(deps.map((dep) => [dep.depName, dep.currentValue, dep.currentDigest]).sort()).toEqual(entries.map((entry) => [entry.repository, entry.tag, entry.digest]).sort());
  });

  test('major versions of the images wait for a person; minor, patch and digest updates do not', () => {
    const rules = config.packageRules.filter((rule: any) => rule.matchUpdateTypes !== undefined);
    expect(rules).toEqual([expect.objectContaining({ matchManagers: ['custom.regex'], matchUpdateTypes: ['major'], enabled: false })]);
  });

  describe('an update rewritten as Renovate rewrites it, read back as synth reads it', () => {
    const render = (dep: Dep, update: { newValue: string; newDigest?: string }): string => {
      const handlebars = createRequire(__filename)(npmPackageFile({ ...HANDLEBARS, file: 'dist/handlebars.js' }));
      return handlebars.compile(manager.autoReplaceStringTemplate, { noEscape: true })({ ...dep, ...update });
    };
    const apply = (file: string, depName: string, update: { newValue: string; newDigest?: string }) => {
      const before = fs.readFileSync(path.join(ROOT, file), 'utf8');
      const dep = extract(before).find((candidate) => candidate.depName === depName) as Dep;
      const at = before.indexOf(dep.replaceString);
      const after = before.slice(0, at) + render(dep, update) + before.slice(at + dep.replaceString.length);
      return { before, after, dep };
    };

    test('pinning an image that has no digest adds digest and digestSource: renovate, keeps the quoted tag, and touches no other line', () => {
      const { before, after } = apply('lib/config/images/staging.yaml', 'ghcr.io/cloudnative-pg/postgresql', { newValue: '15.4', newDigest: FIXTURE_DIGEST });
      const postgres = parseEnvironmentImages('staging', after).postgres;
      expect(postgres).toEqual({ name: 'postgres', repository: 'ghcr.io/cloudnative-pg/postgresql', tag: '15.4', digest: FIXTURE_DIGEST, digestSource: 'renovate' });
      const added = after.split('\n').filter((line) => !before.split('\n').includes(line));
      expect(added).toEqual([`    digest: ${FIXTURE_DIGEST}`, '    digestSource: renovate']);
      // Renovate re-extracts to confirm the update landed (confirmIfDepUpdated).
      expect(extract(after).find((dep) => dep.depName === 'ghcr.io/cloudnative-pg/postgresql')).toMatchObject({ currentValue: '15.4', currentDigest: FIXTURE_DIGEST });
    }, 300_000);

    test('a new tag of a pinned image replaces tag, digest and the published source it no longer matches', () => {
      const { after } = apply('lib/config/images/production.yaml', 'docker.io/oliver006/redis_exporter', { newValue: 'v1.59.0', newDigest: FIXTURE_DIGEST });
      expect(parseEnvironmentImages('production', after).redisExporter).toEqual({ name: 'redisExporter', repository: 'docker.io/oliver006/redis_exporter', tag: 'v1.59.0', digest: FIXTURE_DIGEST, digestSource: 'renovate' });
      expect(after).not.toContain('CloudPirates-io');
      expect(parseEnvironmentImages('production', after).oauth2Proxy.digestSource).toMatch(/^published /);
    }, 300_000);
  });
});
