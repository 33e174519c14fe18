import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
/** What `npm run synth` reads; node_modules is linked, not copied. */
const SYNTH_INPUTS = ['lib', 'charts', 'synth', 'imports', 'main.ts', 'package.json', 'tsconfig.json'];

/** Runs a TypeScript entry point (`main.ts`, `scripts/<command>.ts`) as npm does, in `cwd`. */
export function runScript(script: string, args: readonly string[], cwd: string = ROOT): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A copy of this repository in `dir` with a dist/ of its own, rendered from the copy: release
 * commands run with `--root <dir>` change it, never this repository's data files or dist/.
 */
export function repositoryCopy(dir: string): string {
  for (const entry of SYNTH_INPUTS) {
    fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const synth = runScript('main.ts', ['--out', 'dist'], dir);
  if (synth.status !== 0) {
    throw new Error(`synth of the repository copy failed: ${synth.stderr}`);
  }
  return dir;
}
