import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARCHITECTURE_DIR, renderArchitectureFiles } from '../../../tools/architecture/architecture-files';

const ROOT = path.join(__dirname, '..', '..', '..');

describe('docs/architecture/ holds the pictures of what dist/ renders', () => {
  let fresh: Map<string, string>;
  beforeAll(async () => {
    fresh = await renderArchitectureFiles(path.join(ROOT, 'dist'));
  });

  test('one picture per environment an Application syncs (development, production, staging) and one of a pull request preview', () => {
    expect([...fresh.keys()].sort()).toEqual(['development.svg', 'preview.svg', 'production.svg', 'staging.svg']);
  });

  test('every committed picture equals a fresh drawing of dist/ (run `npm run architecture` after `npm run synth`)', () => {
    const committed = fs.readdirSync(path.join(ROOT, ARCHITECTURE_DIR)).filter((file) => file.endsWith('.svg')).sort();
    expect(committed).toEqual([...fresh.keys()].sort());
    const stale = committed.filter((file) => fs.readFileSync(path.join(ROOT, ARCHITECTURE_DIR, file), 'utf8') !== fresh.get(file));
    expect(stale).toEqual([]);
  });

  test('the drawing is deterministic: another process draws the same bytes, and `--check` agrees', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'architecture-'));
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/architecture.ts', '--out', out], { cwd: ROOT, stdio: 'pipe' });
      for (const [file, svg] of fresh) {
        expect({ file, same: fs.readFileSync(path.join(out, file), 'utf8') === svg }).toEqual({ file, same: true });
      }
      expect(execFileSync(process.execPath, ['--import', 'tsx', 'scripts/architecture.ts', '--out', out, '--check'], { cwd: ROOT, encoding: 'utf8' })).toMatch(/4 pictures .* match dist\//);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('fails: `--check` exits 1 and names each stale picture (an environment of an Application, and the preview)', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'architecture-'));
    try {
      for (const [file, svg] of fresh) {
        fs.writeFileSync(path.join(out, file), ['staging.svg', 'preview.svg'].includes(file) ? svg.replace('</svg>', '<!-- edited -->\n</svg>') : svg);
      }
      let failure: { status?: number; stderr?: string } = {};
      try {
        execFileSync(process.execPath, ['--import', 'tsx', 'scripts/architecture.ts', '--out', out, '--check'], { cwd: ROOT, stdio: 'pipe', encoding: 'utf8' });
      } catch (error) {
        failure = error as { status: number; stderr: string };
      }
      expect(failure.status).toBe(1);
      expect(failure.stderr).toContain('stale in');
      expect(failure.stderr).toContain('staging.svg');
      expect(failure.stderr).toContain('preview.svg');
      expect(failure.stderr).not.toContain('production.svg');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
