import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A file of a published npm package, pinned by version and by the registry's integrity of the tarball. */
export interface NpmPackageFile {
  readonly name: string;
  readonly version: string;
  /** `npm view <name>@<version> dist.integrity`: the tarball is refused unless it hashes to this. */
  readonly integrity: string;
  /** Path inside the package, e.g. `renovate-schema.json`. */
  readonly file: string;
}

/**
 * The path of `file` of the package, fetched once with `npm pack` (the npm client, its registry
 * and proxy settings) into a folder under the temp folder named with the version, checked
 * against `integrity` and extracted with tar. Tests read a tool's own published files this way
 * without a copy in the repository and without installing the tool and its dependencies.
 */
export function npmPackageFile(pkg: NpmPackageFile): string {
  const dir = path.join(os.tmpdir(), `generator-platform-npm-${pkg.name}-${pkg.version}`);
  const target = path.join(dir, 'package', pkg.file);
  if (fs.existsSync(target)) {
    return target;
  }
  fs.mkdirSync(dir, { recursive: true });
  const packed = execFileSync('npm', ['pack', `${pkg.name}@${pkg.version}`, '--json', '--pack-destination', dir], { cwd: dir, encoding: 'utf8', timeout: 5 * 60 * 1000 });
  const tarball = path.join(dir, (JSON.parse(packed) as { filename: string }[])[0].filename);
  const [algorithm, expected] = pkg.integrity.split(/-(.*)/s);
  const actual = createHash(algorithm).update(fs.readFileSync(tarball)).digest('base64');
  if (actual !== expected) {
    fs.rmSync(tarball);
    throw new Error(`${pkg.name}@${pkg.version}: the tarball's ${algorithm} is ${actual}, not the pinned ${expected}`);
  }
  execFileSync('tar', ['-xzf', tarball, '-C', dir, `package/${pkg.file}`]);
  return target;
}
