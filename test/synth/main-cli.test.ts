import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readTree } from '../support/files';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function runSynth(args: string[]) {
  const env = { ...process.env };
  delete env.CDK8S_OUTDIR;
  return spawnSync(TSX, ['main.ts', ...args], { cwd: ROOT, encoding: 'utf8', env });
}

describe('npm run synth (main.ts)', () => {
  test('writes the named environment into --out and says what it wrote', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')), 'dist');
    const result = runSynth(['--env', 'production', '--out', out]);
    expect(result.status).toBe(0);
    const files = [...readTree(out).keys()];
    expect(result.stdout).toMatch(new RegExp(`^synth: wrote ${files.length} files for production into .*dist/ in \\d+ ms\\n$`));
    expect(files).toContain('production/web.yaml');
    expect(files.every((f) => f.startsWith('production/'))).toBe(true);
  });

  test('fails on an unknown environment with one line naming it and the choices, and writes nothing', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')), 'dist');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep.yaml'), 'previous\n');
    const result = runSynth(['--env', 'prod', '--out', out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `synth failed, ${out}/ left unchanged: environment "prod": --env = "prod": no such environment. Fix: use one of development, preview, staging, production\n`,
    );
    expect(readTree(out)).toEqual(new Map([['keep.yaml', 'previous\n']]));
  });

  test('renders a preview of its own per id, with its own namespace', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')), 'previews');
    const result = runSynth(['--preview', 'pr-7', '--preview', 'pr-8', '--out', out]);
    expect(result.status).toBe(0);
    const tree = readTree(out);
    expect([...tree.keys()].filter((f) => f.endsWith('namespace.yaml'))).toEqual(['preview-pr-7/namespace.yaml', 'preview-pr-8/namespace.yaml']);
    expect(tree.get('preview-pr-8/namespace.yaml')).toMatch(/^ {2}name: generator-platform-pr-8$/m);
  });

  test('fails on a preview id that cannot name a namespace', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')), 'previews');
    const result = runSynth(['--preview', 'PR#7', '--out', out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^synth failed, .* left unchanged: environment "preview": --preview = "PR#7": not a preview id.*Fix: use the pull request, e.g. --preview pr-42\n$/);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('fails when both --env and --preview are given', () => {
    const result = runSynth(['--env', 'staging', '--preview', 'pr-1']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('synth: --env and --preview select different outputs; give one of them\n');
  });

  test('fails on an unknown option with usage, not a stack trace', () => {
    const result = runSynth(['--environment', 'staging']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^synth: Unknown option '--environment'.*Usage: npm run synth/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
