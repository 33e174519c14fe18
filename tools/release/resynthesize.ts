import { spawnSync } from 'child_process';
import { readRenderedWorkingTree } from '../reporting/git-tree';
import { diffRenders, formatDiff } from '../reporting/manifest-diff';

const RENDERED_FOLDER = 'dist';

/**
 * Runs `npm run synth` (main.ts, as the repository at `root` has it: its own lib/, data files and
 * node_modules) and returns the rendered diff of its dist/ between before and after, in the format
 * of `npm run diff`. Every environment is rendered, so dist/ stays whole and fresh for the gate.
 * A failed synth leaves dist/ as it was; its one line becomes the error.
 */
export function resynthesize(root: string): string {
  const before = readRenderedWorkingTree(root, RENDERED_FOLDER);
  const synth = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts', '--out', RENDERED_FOLDER], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
  });
  if (synth.status !== 0) {
    const line = `${synth.stderr ?? ''}${synth.error?.message ?? ''}`.trim().split('\n')[0];
    throw new Error(line || `synth exited with ${String(synth.status ?? synth.signal)}`);
  }
  const after = readRenderedWorkingTree(root, RENDERED_FOLDER);
  return `${synth.stdout.trim()}\n${formatDiff(diffRenders(before, after), 'before', 'after')}`;
}
