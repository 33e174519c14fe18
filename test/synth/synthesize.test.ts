import * as fs from 'fs';
import * as path from 'path';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { Replicas } from '../../lib/platform/replicas';
import { renderEnvironment } from '../../synth/render';
import { synthesize } from '../../synth/synthesize';
import { writeDirectoryAtomically } from '../../synth/write-directory-atomically';
import { configWith } from '../support/configs';
import { readTree, tempDirsRemovedAfterAll } from '../support/files';

const makeTempDir = tempDirsRemovedAfterAll();
const tempDir = () => makeTempDir('synth-');

describe('synthesize', () => {
  test('writes one folder per environment with one file per part of the platform, the preview kustomization, and one Argo CD folder per cluster', async () => {
    const out = path.join(tempDir(), 'dist');
    await synthesize({ outDir: out });
    const argoCd = (cluster: string, files: string[]) => files.map((f) => `argocd/${cluster}/${f}`);
    const clusterFiles = (environment: string) => [
      'addons.yaml',
      'argocd-webhook.yaml',
      'certificate-authority.yaml',
      'certificate-authority/internal-ca-policy.yaml',
      'certificate-authority/internal-ca.yaml',
      'certificate-authority/operator-trust.yaml',
      'cluster-baseline.yaml',
      'cluster-baseline/cluster.yaml',
      `cluster-baseline/${environment}.yaml`,
      'environments.yaml',
      'projects.yaml',
      'root.yaml',
    ];
    const environmentParts = Object.values(ENVIRONMENTS).flatMap((config) => [...renderEnvironment(config).keys()]);
    expect([...readTree(out).keys()]).toEqual(
      [
        ...argoCd('development', [
          ...clusterFiles('development'),
          'cluster-baseline/preview.yaml',
          'preview-namespace/kustomization.yaml',
          'preview-namespace/namespace.yaml',
          'preview-namespaces.yaml',
          'previews.yaml',
          'pull-request-token.yaml',
        ]),
        ...argoCd('production', clusterFiles('production')),
        ...argoCd('staging', clusterFiles('staging')),
        ...environmentParts,
        'preview/kustomization.yaml',
      ].sort((a, b) => a.localeCompare(b)),
    );
    expect(environmentParts.filter((f) => f.startsWith('production/'))).toEqual(
      expect.arrayContaining(['api.yaml', 'generation-jobs.yaml', 'generator.yaml', 'namespace.yaml', 'postgres.yaml', 'rabbitmq.yaml', 'redis.yaml', 'secrets.yaml', 'web.yaml'].map((f) => `production/${f}`)),
    );
  });

  test('keeps the preview kustomization and the Argo CD folder when one environment is rendered', async () => {
    const out = path.join(tempDir(), 'dist');
    await synthesize({ outDir: out });
    const before = readTree(out);
    await synthesize({ outDir: out, environments: ['preview'] });
    const after = readTree(out);
    expect(after.get('preview/kustomization.yaml')).toBe(before.get('preview/kustomization.yaml'));
    expect([...after.keys()].filter((f) => f.startsWith('argocd/'))).toEqual([...before.keys()].filter((f) => f.startsWith('argocd/')));
  });

  test('gives byte-identical output when run twice', async () => {
    const first = path.join(tempDir(), 'dist');
    const second = path.join(tempDir(), 'dist');
    await synthesize({ outDir: first });
    await synthesize({ outDir: second });
    expect(readTree(second)).toEqual(readTree(first));
    expect(readTree(first).get('production/web.yaml')).not.toMatch(/\d{4}-\d{2}-\d{2}T|creationTimestamp/);
  });

  test('replaces only the named environment with --env, and keeps the others as they were', async () => {
    const out = path.join(tempDir(), 'dist');
    await synthesize({ outDir: out });
    fs.writeFileSync(path.join(out, 'production', 'web.yaml'), 'hand edit\n');
    fs.writeFileSync(path.join(out, 'staging', 'stale.yaml'), 'left over\n');
    await synthesize({ outDir: out, environments: ['staging'] });
    const tree = readTree(out);
    expect(tree.get('production/web.yaml')).toBe('hand edit\n');
    expect(tree.has('staging/stale.yaml')).toBe(false);
    expect(tree.get('staging/api.yaml')).toMatch(/^kind: (Deployment|Rollout)$/m);
  });

  test('removes files that no longer belong to dist/ on a full synth', async () => {
    const out = path.join(tempDir(), 'dist');
    fs.mkdirSync(path.join(out, 'retired-env'), { recursive: true });
    fs.writeFileSync(path.join(out, 'retired-env', 'web.yaml'), 'old\n');
    await synthesize({ outDir: out });
    expect(fs.existsSync(path.join(out, 'retired-env'))).toBe(false);
  });

  test('leaves the previous output untouched, with no staging folder behind, when one environment fails', async () => {
    const root = tempDir();
    const out = path.join(root, 'dist');
    await synthesize({ outDir: out });
    const before = readTree(out);
    const registry = { ...ENVIRONMENTS, production: configWith('production', (c) => (c.web.replicas = Replicas.fixed(1))) };
    await expect(synthesize({ outDir: out, registry })).rejects.toThrow(/environment "production"/);
    expect(readTree(out)).toEqual(before);
    expect(fs.readdirSync(root)).toEqual(['dist']);
  });

  test('stops when aborted (Ctrl-C) before anything in the output folder changes, and removes its staging folder', async () => {
    const root = tempDir();
    const out = path.join(root, 'dist');
    await synthesize({ outDir: out });
    const before = readTree(out);
    const controller = new AbortController();
    controller.abort('SIGINT');
    await expect(synthesize({ outDir: out, signal: controller.signal })).rejects.toBe('SIGINT');
    expect(readTree(out)).toEqual(before);
    expect(fs.readdirSync(root)).toEqual(['dist']);
  });
});

describe('writeDirectoryAtomically', () => {
  test('stops at the next file when aborted while writing: the folder keeps its old content and no staging folder is left', async () => {
    const root = tempDir();
    const out = path.join(root, 'dist');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'old.yaml'), 'old\n');
    const controller = new AbortController();
    const files = new Map(Array.from({ length: 50 }, (_, i) => [`env/file-${i}.yaml`, `n: ${i}\n`] as [string, string]));
    // The write runs synchronously up to its first await; aborting then stops it before the next file.
    const writing = writeDirectoryAtomically(out, files, { signal: controller.signal });
    controller.abort('SIGTERM');
    await expect(writing).rejects.toBe('SIGTERM');
    expect([...readTree(out).keys()]).toEqual(['old.yaml']);
    expect(fs.readdirSync(root)).toEqual(['dist']);
  });
});
