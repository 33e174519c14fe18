import * as fs from 'fs';
import * as path from 'path';
import { readTree, tempDirsRemovedAfterAll } from '../support/files';
import { repositoryCopy, runScript as run } from '../support/repository-copy';

/**
 * The release pipeline's two commands, run as the pipeline runs them (`node --import tsx
 * scripts/<command>.ts`), on a copy of what synth needs: the copy's data files and dist/ change,
 * this repository's never do.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const makeTempDir = tempDirsRemovedAfterAll();
const RELEASED = `sha256:${'ab'.repeat(32)}`;
const STAGING_API_EXAMPLE = 'sha256:1c3e5a7b9d2f4e6a8c0b1d3f5e7a9c2b4d6f8e0a1c3b5d7f9e2a4c6b8d0f1e3a';

const read = (root: string, file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** The lines of `after` that differ from `before` (files whose lines only change in place). */
function changedLines(before: string, after: string): string[] {
  const old = before.split('\n');
  return after.split('\n').filter((line, index) => line !== old[index]);
}

describe('npm run release, then npm run promote, on a copy of the repository', () => {
  let copy: string;
  let data: Map<string, string>;
  let dist: Map<string, string>;

  beforeAll(() => {
    copy = repositoryCopy(makeTempDir('release-promote-'));
    data = readTree(path.join(copy, 'lib/config/images'));
    dist = readTree(path.join(copy, 'dist'));
  }, 60_000);

  test('release writes the digest into staging\'s data file, re-renders staging and prints the diff', () => {
    const release = run('scripts/release.ts', ['--root', copy, '--env', 'staging', '--image', `ghcr.io/acme/generator-platform-web@${RELEASED}`, '--tag', '1.5.0']);
    expect(release.stderr).toBe('');
    expect(release.status).toBe(0);
    expect(changedLines(data.get('staging.yaml')!, read(copy, 'lib/config/images/staging.yaml'))).toEqual([
      '    tag: 1.5.0',
      `    digest: ${RELEASED}`,
      '    digestSource: release',
    ]);
    const rendered = readTree(path.join(copy, 'dist'));
    const changedFiles = [...rendered.keys()].filter((file) => rendered.get(file) !== dist.get(file));
    expect(changedFiles).toEqual(['staging/delivery.yaml', 'staging/web.yaml']);
    expect(rendered.get('staging/web.yaml')).toContain(`image: ghcr.io/acme/generator-platform-web:1.5.0@${RELEASED}`);
    expect(release.stdout).toContain(`release: staging web: 1.5.0-rc.1@sha256:9e1b3d5f7a9c2e4b6d8f0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b2d4f6a8c0e1b -> 1.5.0@${RELEASED}`);
    expect(release.stdout).toContain('== staging: 0 added, 0 removed, 2 changed');
    expect(release.stdout).toContain(`spec.template.spec.containers[web].image: ghcr.io/acme/generator-platform-web:1.5.0-rc.1@sha256:9e1b3d5f7a9c2e4b6d8f0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b2d4f6a8c0e1b → ghcr.io/acme/generator-platform-web:1.5.0@${RELEASED}`);
    expect(release.stdout).not.toMatch(/^== (development|preview|production|argocd)/m);
    // The copy changed, this repository did not.
    expect(readTree(path.join(ROOT, 'lib/config/images'))).toEqual(data);
    dist = rendered;
  }, 60_000);

  test('promote gives production exactly the first-party tags and digests staging runs, and prints which changed', () => {
    const promote = run('scripts/promote.ts', ['--root', copy, '--from', 'staging', '--to', 'production']);
    expect(promote.stderr).toBe('');
    expect(promote.status).toBe(0);
    expect(promote.stdout).toContain(`promote: production web: 1.4.2@sha256:3f0a9c1e5b7d2486f1e0c9a8b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8 -> 1.5.0@${RELEASED}`);
    expect(promote.stdout).toContain(`promote: production api: 1.4.2@sha256:8c2e4a6f0b1d3c5e7a9b2d4f6e8a0c1b3d5f7e9a2c4b6d8f0e1a3c5b7d9f2e4a -> 1.5.0-rc.1@${STAGING_API_EXAMPLE}`);
    // The released digest is a promotion; staging's stand-ins stay marked as examples in production.
    expect(changedLines(data.get('production.yaml')!, read(copy, 'lib/config/images/production.yaml'))).toEqual([
      '    tag: 1.5.0',
      `    digest: ${RELEASED}`,
      '    digestSource: promotion from staging',
      '    tag: 1.5.0-rc.1',
      `    digest: ${STAGING_API_EXAMPLE}`,
      '    tag: 1.5.0-rc.1',
      '    digest: sha256:7a9c1e3b5d7f9a2c4e6b8d0f2a4c6e8b0d1f3a5c7e9b1d3f5a7c9e2b4d6f8a0c',
    ]);
    const rendered = readTree(path.join(copy, 'dist'));
    const changedFiles = [...rendered.keys()].filter((file) => rendered.get(file) !== dist.get(file));
    expect(changedFiles).toEqual(['production/api.yaml', 'production/delivery.yaml', 'production/generator.yaml', 'production/web.yaml']);
    for (const [service, reference] of [['web', `1.5.0@${RELEASED}`], ['api', `1.5.0-rc.1@${STAGING_API_EXAMPLE}`]]) {
      expect(rendered.get(`production/${service}.yaml`)).toContain(`image: ghcr.io/acme/generator-platform-${service}:${reference}`);
    }
    expect(promote.stdout).toContain('== production: 0 added, 0 removed, 4 changed');
    expect(promote.stdout).not.toMatch(/^== (development|preview|staging|argocd)/m);
  }, 60_000);

  test('a second promote finds nothing to do and renders nothing', () => {
    const promote = run('scripts/promote.ts', ['--root', copy, '--from', 'staging', '--to', 'production']);
    expect(promote.status).toBe(0);
    expect(promote.stdout).toContain('promote: production already runs what staging runs; nothing to do');
    expect(promote.stdout).not.toContain('synth:');
  }, 60_000);

  test.each([
    ['an environment that does not exist', 'scripts/release.ts', ['--env', 'qa', '--image', `ghcr.io/acme/generator-platform-web@${RELEASED}`],
      /^release: no environment "qa" in .+ \(lib\/config\/images\/qa\.yaml does not exist\); use one of development, preview, staging, production$/],
    ['a repository the environment does not run', 'scripts/release.ts', ['--env', 'staging', '--image', `ghcr.io/acme/generator-platform-wbe@${RELEASED}`],
      /^release: staging runs no image from ghcr\.io\/acme\/generator-platform-wbe \(lib\/config\/images\/staging\.yaml\); use one of ghcr\.io\/acme\/generator-platform-web, /],
    ['a malformed digest', 'scripts/release.ts', ['--env', 'staging', '--image', 'ghcr.io/acme/generator-platform-web@sha256:abc123'],
      /^release: --image ghcr\.io\/acme\/generator-platform-web@sha256:abc123: the digest must be sha256:<64 lower-case hex digits>/],
    ['an image by tag only', 'scripts/release.ts', ['--env', 'staging', '--image', 'ghcr.io/acme/generator-platform-web:1.6.0'],
      /^release: --image ghcr\.io\/acme\/generator-platform-web:1\.6\.0: the digest must be/],
    ['a promotion of images that ran by tag only', 'scripts/promote.ts', ['--from', 'development', '--to', 'staging'],
      /^promote: development runs web by tag only \(ghcr\.io\/acme\/generator-platform-web:main-7f3c2a1\); promote only what ran by digest$/],
    ['a promotion to an environment that does not exist', 'scripts/promote.ts', ['--from', 'staging', '--to', 'prod'],
      /^promote: no environment "prod" in /],
  ])('refuses %s with one line and changes nothing', (_name, script, args, message) => {
    const before = readTree(path.join(copy, 'lib/config/images'));
    const result = run(script, ['--root', copy, ...args]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr.trim()).toMatch(message);
    expect(readTree(path.join(copy, 'lib/config/images'))).toEqual(before);
  }, 30_000);

  test.each([
    ['release', 'scripts/release.ts', ['--env', 'staging'], /^release: --env and --image are required\. usage: npm run release/],
    ['promote', 'scripts/promote.ts', ['--to', 'production'], /^promote: --from and --to are required\. usage: npm run promote/],
    ['pin-images', 'scripts/pin-images.ts', ['--image', 'redsi'], /^pin-images: --image redsi: not an image of the platform; use one of /],
  ])('%s exits 2 on a usage error, with one line, and changes nothing', (_name, script, args, message) => {
    const before = readTree(path.join(copy, 'lib/config/images'));
    const result = run(script, ['--root', copy, ...args]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr.trim()).toMatch(message);
    expect(readTree(path.join(copy, 'lib/config/images'))).toEqual(before);
  }, 30_000);
});
