import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { craneBinary } from '../support/crane';
import { readTree, tempDirsRemovedAfterAll } from '../support/files';
import { repositoryCopy, runScript } from '../support/repository-copy';

/**
 * `npm run pin-images` against a real OCI registry on loopback (`crane registry serve`, from
 * go-containerregistry), with an image pushed by a real client (`crane append` of a one-file layer
 * onto an empty base: nothing is fetched from the Internet). The test maps docker.io to that
 * registry with --registry; the data files keep their real repositories.
 */
const makeTempDir = tempDirsRemovedAfterAll();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** Waits until the registry answers its API's base endpoint (GET /v2/), by readiness, not by time. */
async function registryReady(url: string, registry: ChildProcess): Promise<void> {
  for (;;) {
    if (registry.exitCode !== null) {
      throw new Error(`crane registry serve exited with ${registry.exitCode}`);
    }
    const answered = await fetch(`${url}/v2/`).then((r) => r.ok, () => false);
    if (answered) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('npm run pin-images against a real local registry', () => {
  let crane: string;
  let registry: ChildProcess;
  let host: string;
  let pushed: string;
  let copy: string;

  beforeAll(async () => {
    crane = craneBinary();
    host = `127.0.0.1:${await freePort()}`;
    registry = spawn(crane, ['registry', 'serve', '--address', host], { stdio: 'ignore' });
    await registryReady(`http://${host}`, registry);
    const work = makeTempDir('pin-images-');
    fs.writeFileSync(path.join(work, 'hello.txt'), 'a layer of the test image\n');
    execFileSync('tar', ['-C', work, '-cf', path.join(work, 'layer.tar'), 'hello.txt']);
    execFileSync(crane, ['append', '--insecure', '-f', path.join(work, 'layer.tar'), '-t', `${host}/library/redis:7.0.15`], { stdio: 'pipe' });
    pushed = execFileSync(crane, ['digest', '--insecure', `${host}/library/redis:7.0.15`], { encoding: 'utf8' }).trim();
    copy = repositoryCopy(makeTempDir('pin-images-copy-'));
  }, 15 * 60 * 1000);

  afterAll(() => {
    registry?.kill();
  });

  test('writes exactly the digest crane reports, with where and when it came from, and re-renders', () => {
    expect(pushed).toMatch(/^sha256:[a-f0-9]{64}$/);
    const pin = runScript('scripts/pin-images.ts', ['--root', copy, '--env', 'staging', '--env', 'production', '--image', 'redis', '--registry', `docker.io=http://${host}`]);
    expect(pin.stderr).toBe('');
    expect(pin.status).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    for (const environment of ['staging', 'production']) {
      const data = fs.readFileSync(path.join(copy, `lib/config/images/${environment}.yaml`), 'utf8');
      expect(data).toContain(`  - name: redis\n    repository: docker.io/library/redis\n    tag: 7.0.15\n    digest: ${pushed}\n    digestSource: registry ${host} ${today}\n`);
      expect(fs.readFileSync(path.join(copy, `dist/${environment}/redis.yaml`), 'utf8')).toContain(`image: docker.io/library/redis:7.0.15@${pushed}`);
      expect(pin.stdout).toContain(`pin-images: ${environment} redis docker.io/library/redis:7.0.15: (no digest) -> ${pushed} (${host})`);
    }
    expect(pin.stdout).toMatch(/^== staging: 0 added, 0 removed, \d+ changed$/m);
    // Asked again, the registry says the same: nothing is written.
    const again = runScript('scripts/pin-images.ts', ['--root', copy, '--env', 'staging', '--image', 'redis', '--registry', `docker.io=http://${host}`]);
    expect(again.stdout).toContain('pin-images: every digest is current; nothing to write');
  }, 60_000);

  test('fails on a tag the registry does not have with one line naming image, tag and registry, and writes nothing', () => {
    const before = readTree(path.join(copy, 'lib/config/images'));
    const pin = runScript('scripts/pin-images.ts', ['--root', copy, '--env', 'staging', '--image', 'redis', '--image', 'rabbitmq', '--registry', `docker.io=http://${host}`]);
    expect(pin.status).toBe(1);
    expect(pin.stderr).toBe(`pin-images: tag 3.12.14-management of docker.io/library/rabbitmq not found at http://${host} (the registry answered 404): check the tag\n`);
    expect(readTree(path.join(copy, 'lib/config/images'))).toEqual(before);
  }, 60_000);
});
