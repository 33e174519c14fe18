import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** go-containerregistry's crane: a real OCI registry (`crane registry serve`) and a real client that pushes to it. */
export const CRANE_MODULE = 'github.com/google/go-containerregistry/cmd/crane';
export const CRANE_VERSION = 'v0.22.1';

/** `crane`, built once from the Go module proxy into a folder under the temp folder named with the version (about 25 s). */
export function craneBinary(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): string {
  const dir = path.join(os.tmpdir(), `generator-platform-crane-${CRANE_VERSION}`);
  const binary = path.join(dir, 'crane');
  if (!fs.existsSync(binary)) {
    log(`building crane ${CRANE_VERSION} from the Go module proxy into ${dir} (once, about half a minute)`);
    const result = spawnSync('go', ['install', `${CRANE_MODULE}@${CRANE_VERSION}`], { env: { ...process.env, GOBIN: dir, GOFLAGS: '-mod=mod' }, encoding: 'utf8', timeout: 15 * 60 * 1000 });
    if (result.status !== 0) {
      throw new Error(`building crane ${CRANE_VERSION} failed: ${result.stderr || result.error?.message}`);
    }
  }
  return binary;
}
