import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { listYamlFiles, parseRenderedFile, RenderedObject } from './manifests';

/** Runs git in `repoDir` and returns its output; a failure becomes an Error with git's message. */
export function git(repoDir: string, args: readonly string[]): string {
  try {
    return execFileSync('git', [...args], { cwd: repoDir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    throw new Error(`git ${args.join(' ')} failed${stderr ? `: ${stderr.split('\n')[0]}` : ''}`, { cause: error });
  }
}

/** Whether `ref` names a commit in `repoDir`. */
export function refExists(repoDir: string, ref: string): boolean {
  try {
    git(repoDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/** The default base of a review diff: `origin/main` when it exists, else the previous commit. */
export function defaultBaseRef(repoDir: string): string {
  return refExists(repoDir, 'origin/main') ? 'origin/main' : 'HEAD~1';
}

/** Every object of `folder` (e.g. `dist`) as committed at `ref`; files are keyed relative to the folder. */
export function readRenderedAtRef(repoDir: string, ref: string, folder: string): RenderedObject[] {
  if (!refExists(repoDir, ref)) {
    throw new Error(`${ref} is not a commit in ${repoDir}; fetch it first (e.g. git fetch origin main) or pass --base/--head`);
  }
  const files = git(repoDir, ['ls-tree', '-r', '--name-only', ref, '--', `${folder}/`])
    .split('\n')
    .filter((file) => /\.ya?ml$/i.test(file))
    .sort();
  return files.flatMap((file) => parseRenderedFile(file.slice(folder.length + 1), git(repoDir, ['show', `${ref}:${file}`])));
}

/** Every object of `folder` in the working tree (what `npm run synth` just wrote). */
export function readRenderedWorkingTree(repoDir: string, folder: string): RenderedObject[] {
  const dir = path.join(repoDir, folder);
  if (!fs.existsSync(dir)) {
    return [];
  }
  return listYamlFiles(dir).flatMap((file) => parseRenderedFile(file, fs.readFileSync(path.join(dir, file), 'utf8')));
}
