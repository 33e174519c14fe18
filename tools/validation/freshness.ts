import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../schemas/schema-lock';
import { listFiles } from './load-manifests';
import { RuleDescription } from './rule';

export const FRESHNESS_RULES: readonly RuleDescription[] = [
  { id: 'FRESHNESS-DIFFERS', requirement: 'every file in dist/ equals what a fresh synth renders', fix: 'Run `npm run synth` and commit the result.' },
  { id: 'FRESHNESS-MISSING', requirement: 'every file a fresh synth renders is in dist/', fix: 'Run `npm run synth` and commit the new file.' },
  { id: 'FRESHNESS-EXTRA', requirement: 'dist/ holds no file that a fresh synth does not render', fix: 'Delete the stale file (`npm run synth` rewrites dist/).' },
  {
    id: 'FRESHNESS-UNCHECKED',
    requirement: 'the freshness of dist/ can be checked (synth/render.ts loads and renders)',
    fix: 'Make synth/render.ts export renderAllEnvironments() and fix the error it throws.',
  },
];

/** The project's rendered folder, the only one whose freshness the gate checks. */
export const PROJECT_DIST_DIR = path.join(PROJECT_ROOT, 'dist');

export interface FreshnessHit {
  readonly ruleId: string;
  /** Path relative to the rendered folder, `/`-separated. */
  readonly file: string;
  readonly message: string;
}

/** Compares a fresh render with the files on disk; both map relative paths to contents. */
export function compareRenderedFiles(expected: ReadonlyMap<string, string>, actual: ReadonlyMap<string, string>): FreshnessHit[] {
  const hits: FreshnessHit[] = [];
  for (const [file, contents] of expected) {
    const found = actual.get(file);
    if (found === undefined) {
      hits.push({ ruleId: 'FRESHNESS-MISSING', file, message: 'a fresh synth renders this file, but it is not in the folder' });
    } else if (found !== contents) {
      hits.push({ ruleId: 'FRESHNESS-DIFFERS', file, message: `differs from a fresh synth ${describeFirstDifference(contents, found)}` });
    }
  }
  for (const file of actual.keys()) {
    if (!expected.has(file)) {
      hits.push({ ruleId: 'FRESHNESS-EXTRA', file, message: 'a fresh synth does not render this file' });
    }
  }
  return hits.sort((a, b) => a.file.localeCompare(b.file));
}

function describeFirstDifference(expected: string, actual: string): string {
  const expectedLines = expected.split('\n');
  const actualLines = actual.split('\n');
  const index = expectedLines.findIndex((line, position) => line !== actualLines[position]);
  const line = index >= 0 ? index : expectedLines.length;
  const quote = (value: string | undefined) => (value === undefined ? 'end of file' : JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value));
  return `at line ${line + 1}: expected ${quote(expectedLines[line])}, found ${quote(actualLines[line])}`;
}

/** Every file under `dir` with its contents, keyed like `renderAllEnvironments()`. */
export function readRenderedFolder(dir: string): Map<string, string> {
  return new Map(listFiles(dir).map((file) => [file, fs.readFileSync(path.join(dir, file), 'utf8')]));
}

/** The render a fresh synth would write, loaded only now so that the gate runs without it elsewhere. */
export function renderProject(): ReadonlyMap<string, string> {
  const modulePath = path.join(PROJECT_ROOT, 'synth', 'render');
  // A plain require keeps the render module optional and works under both tsx and jest, which
  // each transform TypeScript on require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const renderModule = require(modulePath) as { renderAllEnvironments?: () => ReadonlyMap<string, string> };
  if (typeof renderModule.renderAllEnvironments !== 'function') {
    throw new Error('synth/render.ts does not export renderAllEnvironments()');
  }
  return renderModule.renderAllEnvironments();
}

/** Freshness of `dir` against `render()`, with a failing render reported as FRESHNESS-UNCHECKED. */
export function checkFreshness(dir: string, render: () => ReadonlyMap<string, string> = renderProject): FreshnessHit[] {
  let expected: ReadonlyMap<string, string>;
  try {
    expected = render();
  } catch (error) {
    const message = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' ? 'synth/render.ts is missing' : firstLine((error as Error).message);
    return [{ ruleId: 'FRESHNESS-UNCHECKED', file: '.', message: `cannot render the project to compare: ${message}` }];
  }
  return compareRenderedFiles(expected, readRenderedFolder(dir));
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}
