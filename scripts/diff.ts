/**
 * `npm run diff [-- --base REF] [--head REF]`: what changed in the rendered dist/ between two git
 * refs, per environment and object (added, removed, changed fields), for a reviewer to read first.
 * The base defaults to origin/main (else HEAD~1), the head to the working tree. Exit 0 whatever
 * changed; 2 when a ref or the repository cannot be read.
 */
import { parseArgs } from 'util';
import { defaultBaseRef, git, readRenderedAtRef, readRenderedWorkingTree } from '../tools/reporting/git-tree';
import { diffRenders, formatDiff } from '../tools/reporting/manifest-diff';

const RENDERED_FOLDER = 'dist';

function main(): void {
  const { values } = parseArgs({ options: { base: { type: 'string' }, head: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('usage: npm run diff [-- --base REF] [--head REF]   (base: origin/main, else HEAD~1; head: the working tree)');
    return;
  }
  const repoDir = git(process.cwd(), ['rev-parse', '--show-toplevel']).trim();
  const base = values.base ?? defaultBaseRef(repoDir);
  const before = readRenderedAtRef(repoDir, base, RENDERED_FOLDER);
  const after = values.head ? readRenderedAtRef(repoDir, values.head, RENDERED_FOLDER) : readRenderedWorkingTree(repoDir, RENDERED_FOLDER);
  console.log(formatDiff(diffRenders(before, after), base, values.head ?? 'working tree'));
}

try {
  main();
} catch (error) {
  console.error(`diff: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
