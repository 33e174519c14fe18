import * as fs from 'fs';
import * as path from 'path';
import { renderedFileSources } from '../../synth/render';

/**
 * README's table "which class renders which file of dist/" is generated from the charts, so it
 * cannot go stale: when a file or the class behind it changes, this test prints the new table.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const START = '<!-- rendered-files:start -->';
const END = '<!-- rendered-files:end -->';
const ENVIRONMENT_ORDER = ['development', 'preview', 'staging', 'production'];
const CLUSTER_ORDER = ['development', 'staging', 'production'];

/** `export class Name` -> the file under lib/ that declares it. */
function classFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.name.endsWith('.ts')) {
        for (const match of fs.readFileSync(full, 'utf8').matchAll(/^export (?:abstract )?class (\w+)/gm)) {
          files.set(match[1], path.relative(ROOT, full));
        }
      }
    }
  };
  walk(path.join(ROOT, 'lib'));
  return files;
}

/** The table as README shows it: one row per file name, with the environments or clusters that have it. */
export function renderedFilesTable(): string {
  const rows = new Map<string, { classes: Set<string>; where: Set<string> }>();
  for (const [file, classes] of renderedFileSources()) {
    const argocd = file.match(/^argocd\/([^/]+)\/(.+)$/);
    const [key, where] = argocd ? [`argocd/<cluster>/${argocd[2]}`, argocd[1]] : [`<environment>/${file.slice(file.indexOf('/') + 1)}`, file.slice(0, file.indexOf('/'))];
    const row = rows.get(key) ?? { classes: new Set<string>(), where: new Set<string>() };
    classes.forEach((c) => row.classes.add(c));
    row.where.add(where);
    rows.set(key, row);
  }
  const declaredIn = classFiles();
  const lines = ['| file in `dist/` | rendered by (class, file) | where |', '|---|---|---|'];
  for (const [key, row] of rows) {
    const order = key.startsWith('argocd/') ? CLUSTER_ORDER : ENVIRONMENT_ORDER;
    const where = order.filter((name) => row.where.has(name));
    const classes = [...row.classes].sort().map((c) => `\`${c}\` (\`${declaredIn.get(c) ?? 'not in lib/'}\`)`);
    lines.push(`| \`${key}\` | ${classes.join(', ')} | ${where.length === order.length ? 'all' : where.join(', ')} |`);
  }
  return lines.join('\n');
}

test("README's table of rendered files matches what synth renders", () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  expect(start).toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(start);
  const documented = readme.slice(start + START.length, end).trim();
  const expected = renderedFilesTable();
  if (documented !== expected) {
    throw new Error(`README.md's table between ${START} and ${END} is stale; replace it with:\n\n${expected}\n`);
  }
});
