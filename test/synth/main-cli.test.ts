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
    expect(result.stdout).toMatch(/^synth: wrote 4 files for production into .*dist\/ in \d+ ms\n$/);
    expect([...readTree(out).keys()]).toEqual(['production/api.yaml', 'production/generator.yaml', 'production/namespace.yaml', 'production/web.yaml']);
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

  test('fails on an unknown option with usage, not a stack trace', () => {
    const result = runSynth(['--environment', 'staging']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^synth: Unknown option '--environment'.*Usage: npm run synth/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
