import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The construct library stays readable: small files, and constructors that read as a list of the
 * objects a construct makes rather than as a script. Limits from the design review (issue 12).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const MAX_FILE_LINES = 450;
const MAX_CONSTRUCTOR_LINES = 120;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return sourceFiles(full);
    }
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

interface Measured {
  readonly file: string;
  readonly lines: number;
  readonly constructors: ReadonlyArray<{ readonly owner: string; readonly lines: number }>;
}

/** Lines of every file under lib/ and charts/, and of every constructor in them. */
export function measure(dirs: readonly string[] = ['lib', 'charts']): Measured[] {
  return dirs.flatMap((dir) => sourceFiles(path.join(ROOT, dir))).map((file) => {
    const text = fs.readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const constructors: Array<{ owner: string; lines: number }> = [];
    const visit = (node: ts.Node): void => {
      if (ts.isConstructorDeclaration(node) && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(node.end).line;
        const owner = ts.isClassLike(node.parent) && node.parent.name ? node.parent.name.text : '(anonymous class)';
        constructors.push({ owner, lines: end - start + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    return { file: path.relative(ROOT, file), lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), constructors };
  });
}

describe('code size of the construct library and charts', () => {
  const measured = measure();

  test('finds the files it measures', () => {
    expect(measured.length).toBeGreaterThan(50);
    expect(measured.some((m) => m.constructors.length > 0)).toBe(true);
  });

  test(`no file is over ${MAX_FILE_LINES} lines`, () => {
    const tooLong = measured.filter((m) => m.lines > MAX_FILE_LINES).map((m) => `${m.file}: ${m.lines} lines`);
    expect(tooLong).toEqual([]);
  });

  test(`no constructor is over ${MAX_CONSTRUCTOR_LINES} lines`, () => {
    const tooLong = measured
      .flatMap((m) => m.constructors.map((c) => ({ ...c, file: m.file })))
      .filter((c) => c.lines > MAX_CONSTRUCTOR_LINES)
      .map((c) => `${c.file}: ${c.owner} constructor ${c.lines} lines`);
    expect(tooLong).toEqual([]);
  });
});
