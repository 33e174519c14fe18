import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readTree, tempDirsRemovedAfterAll } from '../support/files';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

const makeTempDir = tempDirsRemovedAfterAll();

function synthEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.CDK8S_OUTDIR;
  return env;
}

function runSynth(args: string[], cwd: string = ROOT) {
  return spawnSync(TSX, ['main.ts', ...args], { cwd, encoding: 'utf8', env: synthEnvironment() });
}

/** A copy of what synth reads (the node_modules linked), to break a config file in without touching the repository. */
function copyOfSources(): string {
  const copy = makeTempDir('cli-sources-');
  for (const entry of ['main.ts', 'package.json', 'tsconfig.json', 'lib', 'charts', 'synth', 'imports']) {
    fs.cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  return copy;
}

describe('npm run synth (main.ts)', () => {
  test('writes the named environment into --out and says what it wrote', () => {
    const out = path.join(makeTempDir('cli-'), 'dist');
    const result = runSynth(['--env', 'production', '--out', out]);
    expect(result.status).toBe(0);
    const files = [...readTree(out).keys()];
    expect(result.stdout).toMatch(new RegExp(`^synth: wrote ${files.length} files for production into .*dist/ in \\d+ ms\\n$`));
    expect(files).toContain('production/web.yaml');
    expect(files.every((f) => f.startsWith('production/'))).toBe(true);
  });

  test('fails on an unknown environment with one line naming it and the choices, and writes nothing', () => {
    const out = path.join(makeTempDir('cli-'), 'dist');
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
    const out = path.join(makeTempDir('cli-'), 'previews');
    const result = runSynth(['--preview', 'pr-7', '--preview', 'pr-8', '--out', out]);
    expect(result.status).toBe(0);
    const tree = readTree(out);
    expect([...tree.keys()].filter((f) => f.endsWith('namespace.yaml'))).toEqual(['preview-pr-7/namespace.yaml', 'preview-pr-8/namespace.yaml']);
    expect(tree.get('preview-pr-8/namespace.yaml')).toMatch(/^ {2}name: generator-platform-pr-8$/m);
  });

  test('fails on a preview id that cannot name a namespace', () => {
    const out = path.join(makeTempDir('cli-'), 'previews');
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

  test('fails on a syntax error in a config file with one line naming the file, line and column, and writes nothing', () => {
    const copy = copyOfSources();
    const staging = path.join(copy, 'lib', 'config', 'environments', 'staging.ts');
    const lines = fs.readFileSync(staging, 'utf8').split('\n');
    const at = lines.findIndex((line) => line.startsWith('  namespace: '));
    lines.splice(at + 1, 0, '  oops');
    lines[at] = lines[at].replace(/,$/, '');
    fs.writeFileSync(staging, lines.join('\n'));
    const out = path.join(copy, 'dist');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep.yaml'), 'previous\n');
    const result = runSynth(['--out', out], copy);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `synth failed, ${out}/ left unchanged: lib/config/environments/staging.ts:${at + 2}:2: syntax error: Expected "}" but found "oops". Fix: correct the TypeScript there (npm run build shows every error)\n`,
    );
    expect(readTree(out)).toEqual(new Map([['keep.yaml', 'previous\n']]));
  });

  test('stops on SIGTERM without changing the output folder or leaving a staging folder', async () => {
    const root = makeTempDir('cli-signal-');
    const out = path.join(root, 'dist');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep.yaml'), 'previous\n');
    const child = spawn(TSX, ['main.ts', '--out', out], { cwd: ROOT, env: synthEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    // Sent at once: before synth has rendered, so it always arrives before the output could change.
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    // Stopped by its handler (exit 143 and one line) or, before the handler was installed, by the signal itself.
    expect(code === 143 || signal === 'SIGTERM').toBe(true);
    if (code === 143) {
      expect(stderr).toBe(`synth stopped (SIGTERM), ${out}/ left unchanged\n`);
    }
    expect(readTree(out)).toEqual(new Map([['keep.yaml', 'previous\n']]));
    expect(fs.readdirSync(root)).toEqual(['dist']);
  });
});
